// `denoise-lab` as a shell starts it (bin/denoise-lab.js): on Linux a heavy command runs in a
// second process with huge pages (main/cli/huge-pages.ts). These tests run the real launcher and
// check what a user could notice: the work really gets huge pages, exit codes and messages come
// through, one Ctrl-C from a terminal (which reaches both processes) cancels a training once and
// saves its checkpoint, a signal sent to the launcher alone reaches the command, and a launcher
// killed outright takes the command with it.
import { execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { thpMode } from '../../../main/cli/huge-pages.js';
import { tempDir } from '../../helpers/temp-dir.js';

const bin = path.resolve('bin/denoise-lab.js');
const crops = path.resolve('test/fixtures/imaging/crops');
/** The launcher starts a second process only where the kernel lends huge pages to those who ask. */
const relaunches = process.platform === 'linux' && thpMode() === 'madvise';
const env = { ...process.env, GLIBC_TUNABLES: '', DENOISE_LAB_HUGE_PAGES: '' };

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** Pids of the processes whose parent is `pid`. */
function childrenOf(pid: number): number[] {
  return readdirSync('/proc')
    .filter((n) => /^\d+$/.test(n))
    .filter((n) => {
      const stat = readText(`/proc/${n}/stat`);
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid;
    })
    .map(Number);
}

const alive = (pid: number) => existsSync(`/proc/${pid}`) && !/^State:\s+Z/m.test(readText(`/proc/${pid}/status`));

async function until<T>(what: string, probe: () => T | undefined | false, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A long training on the fixture crops, checkpointing to `dir`; its output collected. */
function longTraining(dir: string, opts: { detached?: boolean } = {}) {
  const child = spawn(
    process.execPath,
    [
      bin,
      'train',
      '--arch',
      'dncnn-gray',
      '--data',
      crops,
      '--patch',
      '16',
      '--batch',
      '2',
      '--steps',
      '100000',
      '--out',
      path.join(dir, 'model.onnx'),
      '--checkpoint',
      path.join(dir, 'run.ckpt'),
    ],
    { env, stdio: ['ignore', 'pipe', 'pipe'], detached: opts.detached === true },
  );
  let [out, err] = ['', ''];
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal })),
  );
  return { child, ended, out: () => out, err: () => err };
}

/** The command's process under the launcher, once it has run a few steps. */
async function commandOf(run: ReturnType<typeof longTraining>): Promise<number> {
  await until('the third step', () => /step \d+\/100000/.test(run.err()) && run.err().match(/step /g)!.length >= 2);
  return until('the command process', () => childrenOf(run.child.pid!)[0]);
}

describe.runIf(relaunches)('the denoise-lab launcher', () => {
  it('runs the command in a process of its own whose memory is in huge pages', async () => {
    const run = longTraining(tempDir('dl-launch-'));
    try {
      const pid = await commandOf(run);
      expect(readText(`/proc/${pid}/environ`).split('\0')).toContain('GLIBC_TUNABLES=glibc.malloc.hugetlb=1');
      const huge = Number(/AnonHugePages:\s+(\d+) kB/.exec(readText(`/proc/${pid}/smaps_rollup`))?.[1] ?? 0);
      expect(huge).toBeGreaterThan(2048);
    } finally {
      run.child.kill('SIGKILL');
      await run.ended;
    }
  });

  it('one Ctrl-C from a terminal (to both processes) cancels once: checkpoint saved, exit 130', async () => {
    const dir = tempDir('dl-launch-');
    // detached: the launcher leads a process group of its own, as a shell's foreground job does.
    const run = longTraining(dir, { detached: true });
    await commandOf(run);
    process.kill(-run.child.pid!, 'SIGINT');
    expect(await run.ended).toEqual({ code: 130, signal: null });
    expect(run.out()).toMatch(/wrote .*model\.onnx \(\d+ parameters, \d+ steps, final loss [\d.]+, cancelled\)/);
    expect(existsSync(path.join(dir, 'run.ckpt'))).toBe(true);
  });

  it('a signal sent to the launcher alone reaches the command', async () => {
    const dir = tempDir('dl-launch-');
    const run = longTraining(dir);
    await commandOf(run);
    run.child.kill('SIGINT');
    expect(await run.ended).toEqual({ code: 130, signal: null });
    expect(existsSync(path.join(dir, 'run.ckpt'))).toBe(true);
  });

  it('a launcher killed outright (kill -9) takes the command with it', async () => {
    const run = longTraining(tempDir('dl-launch-'));
    const pid = await commandOf(run);
    run.child.kill('SIGKILL');
    await run.ended;
    await until('the command to end', () => !alive(pid), 5000);
  });

  it("passes the command's exit code and its one line on", async () => {
    const r = await promisify(execFile)(
      process.execPath,
      [bin, 'denoise', '/nonexistent/a.png', '--out', '/tmp/x.png', '--sigma', '25'],
      {
        env,
      },
    ).catch((e: { code: number; stderr: string }) => e);
    expect('code' in r ? r.code : 0).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/a\.png/);
  });
});
