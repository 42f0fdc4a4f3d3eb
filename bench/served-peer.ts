// A benchmark side served by its own process: it prints one JSON line when ready, then answers
// "<command> K" on stdin with {"<command>_ms": [K run times]}. PyTorch (peers/torch_ref_dae.py) and
// our engine (engine-peer.ts) both speak it, so that each runs alone in its own process, with
// its own threads, and the bench only hands out turns (rounds.ts).

import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import type { Rounds } from './rounds.js';

export class ServedPeer {
  private pending: ((line: string) => void)[] = [];
  private buffer = '';
  private stderr = '';
  /** What the peer said when it was ready (its version, thread count, parameter count…). */
  ready: Record<string, unknown> = {};

  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    readonly label: string,
  ) {
    child.stdout.on('data', (d: Buffer) => {
      this.buffer += d.toString();
      let nl: number;
      while ((nl = this.buffer.indexOf('\n')) >= 0) {
        const line = this.buffer.slice(0, nl);
        this.buffer = this.buffer.slice(nl + 1);
        this.pending.shift()?.(line);
      }
    });
    child.stderr.on('data', (d: Buffer) => (this.stderr += d.toString()));
  }

  /** Starts `command args…` and waits for its ready line. */
  static async start(label: string, command: string, args: string[]): Promise<ServedPeer> {
    const peer = new ServedPeer(spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] }), label);
    peer.ready = await peer.reply();
    return peer;
  }

  private reply(): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      const onExit = (code: number | null) =>
        reject(new Error(`${this.label} exited (${code}): ${this.stderr.trim().split('\n').pop() ?? ''}`));
      this.child.once('exit', onExit);
      this.pending.push((line) => {
        this.child.off('exit', onExit);
        try {
          resolve(JSON.parse(line) as Record<string, unknown>);
        } catch {
          reject(new Error(`${this.label} said: ${line.slice(0, 200)}`));
        }
      });
    });
  }

  /** Asks for `k` timed runs of `command` and answers the whole reply. */
  async ask(command: string, k: number): Promise<Record<string, unknown>> {
    const answer = this.reply();
    this.child.stdin.write(`${command} ${k}\n`);
    const r = await answer;
    if (!Array.isArray(r[`${command}_ms`])) throw new Error(`${this.label}: ${JSON.stringify(r).slice(0, 300)}`);
    return r;
  }

  /** `k` timed runs of `command`, as Rounds. */
  rounds(command: string): Rounds {
    return async (k) => (await this.ask(command, k))[`${command}_ms`] as number[];
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.child.exitCode !== null) return resolve();
      this.child.once('exit', () => resolve());
      this.child.stdin.end('quit\n');
    });
  }
}
