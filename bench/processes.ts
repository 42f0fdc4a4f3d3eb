// Whole processes, timed from outside: what a user waits for when they run a command, start-up
// and all. Each runs alone: the bench idles a moment before starting it, so that no thread of the
// last one (ONNX Runtime and OpenMP spin after their runs) still holds the cores.
//
// Peak memory of a Node child is read by the child itself: a preload module (`node --import`)
// writes process.resourceUsage() when it exits, so no /usr/bin/time is needed.
//
// Huge pages for everyone: `denoise-lab` gives its work huge pages on Linux (main/cli/huge-pages.ts),
// so every other process timed here (the peers; and ours where a preload keeps it in one process)
// starts with the same glibc tunable, and no side gains from fresh memory being cheaper.

import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { lacksHugePages, withHugePages } from '../main/cli/huge-pages.js';

/** Idle time before each timed process, so that it starts on quiet cores. */
export const PROCESS_GAP_MS = 500;

/** What a finished process cost. */
export interface ProcessRun {
  /** Wall-clock time from spawn to exit. */
  ms: number;
  stdout: string;
  /** Each line of stdout with when it arrived (ms from spawn). */
  lines: { text: string; ms: number }[];
  /** Peak resident memory and CPU time, for Node children run with `usageDir`. */
  peakRssMb?: number;
  cpuSeconds?: number;
}

const USAGE_PRELOAD = `// Writes this process's resource usage when it exits (bench/processes.ts).
import { writeFileSync } from 'node:fs';
process.on('exit', () => {
  const u = process.resourceUsage();
  writeFileSync(process.env.DENOISE_LAB_BENCH_USAGE, JSON.stringify({ maxRssKb: u.maxRSS, cpuUs: u.userCPUTime + u.systemCPUTime }));
});
`;

/**
 * Runs `command args…` to its end after an idle gap; throws with its last line of stderr if it
 * fails. With `usageDir` (Node children only), also reads its peak RSS and CPU time.
 */
export async function timeProcess(
  command: string,
  args: readonly string[],
  label: string,
  o: {
    usageDir?: string;
    /** `denoise-lab` started as a user starts it: its launcher gives the work huge pages. */
    launcher?: boolean;
  } = {},
): Promise<ProcessRun> {
  await sleep(PROCESS_GAP_MS);
  let env = o.launcher || !lacksHugePages(process.env) ? process.env : withHugePages(process.env);
  let argv = [...args];
  let usageFile: string | null = null;
  if (o.usageDir) {
    const preload = path.join(o.usageDir, 'usage-preload.mjs');
    if (!existsSync(preload)) writeFileSync(preload, USAGE_PRELOAD);
    usageFile = path.join(o.usageDir, 'usage.json');
    rmSync(usageFile, { force: true });
    argv = ['--import', pathToFileURL(preload).href, ...argv];
    if (o.launcher) throw new Error('a process measured by its preload runs without the launcher');
    env = { ...env, DENOISE_LAB_BENCH_USAGE: usageFile };
  }
  const t0 = performance.now();
  const child = spawn(command, argv, { stdio: ['ignore', 'pipe', 'pipe'], env });
  let stdout = '';
  let stderr = '';
  const lines: ProcessRun['lines'] = [];
  let partial = '';
  child.stdout.on('data', (d: Buffer) => {
    const at = performance.now() - t0;
    const text = d.toString();
    stdout += text;
    const parts = (partial + text).split('\n');
    partial = parts.pop()!;
    for (const text of parts) lines.push({ text, ms: at });
  });
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  const ms = performance.now() - t0;
  if (code !== 0) throw new Error(`${label} exited with code ${code}: ${stderr.trim().split('\n').pop() ?? ''}`);
  if (partial) lines.push({ text: partial, ms });
  if (!usageFile) return { ms, stdout, lines };
  const usage = JSON.parse(readFileSync(usageFile, 'utf8')) as { maxRssKb: number; cpuUs: number };
  return { ms, stdout, lines, peakRssMb: usage.maxRssKb / 1024, cpuSeconds: usage.cpuUs / 1e6 };
}
