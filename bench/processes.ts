// Whole processes, timed from outside: what a user waits for when they run a command, start-up
// and all. Each runs alone (the bench waits for it and then idles a moment, so that no thread of
// one side still spins while the other starts).

import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';

/** Idle time after each timed process, so the next one starts on quiet cores. */
export const PROCESS_GAP_MS = 500;

/** Runs `command args…` to its end; answers its wall-clock time in ms and its stdout. Throws on failure. */
export async function timeProcess(
  command: string,
  args: string[],
  label: string,
): Promise<{ ms: number; stdout: string }> {
  const t0 = performance.now();
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const ms = performance.now() - t0;
  if (code !== 0) throw new Error(`${label} failed (exit ${code}): ${stderr.trim().split('\n').pop() ?? ''}`);
  await sleep(PROCESS_GAP_MS);
  return { ms, stdout };
}
