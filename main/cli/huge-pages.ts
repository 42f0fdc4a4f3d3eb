// Fresh memory in huge pages. A 12-MP photo's denoise touches about a gigabyte of new memory (ONNX
// Runtime's working buffers, the photo's planes); on Linux each 4-KB page costs a fault when first
// touched, about 11 µs on a virtual machine (`node bench/first-touch.mjs`): 290 k faults, some 3 s
// of a 12-s command. glibc can back its large allocations with 2-MB transparent huge pages instead
// (the `glibc.malloc.hugetlb=1` tunable, glibc 2.35 and later): then the same command takes about
// 50 k faults. The kernel lends them to a process that asks where its THP mode is `madvise` (with
// `always` every process has them already). The tunable is read only when a process starts, so
// `denoise-lab` starts its work in a second process that has it:
//
//   denoise-lab (launcher: Node's start-up only, ~0.1 s) ──spawn──▶ denoise-lab (the command)
//
// The launcher passes its arguments, standard streams and signals on, and ends as the command
// ends (its exit code, or the same signal). The command ends by itself if the launcher is killed
// outright (kill -9), so that nothing runs on unseen. Not relaunched: other systems (glibc only),
// kernels whose THP mode is not `madvise`, a process that already has the tunable, Node flags on
// the command line (an inspector port cannot be opened twice), or DENOISE_LAB_HUGE_PAGES=0.

import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

export const HUGE_PAGES_TUNABLE = 'glibc.malloc.hugetlb=1';
/** Set in the command's process: the launcher's pid, which it watches. */
const LAUNCHER_PID = 'DENOISE_LAB_LAUNCHER_PID';
/** The commands that allocate enough to repay the second start (the others print a line or two). */
const HEAVY_COMMANDS = new Set(['denoise', 'train', 'noise', 'metrics']);
/** Signals passed on to the command (a terminal's Ctrl-C reaches both processes itself; see below). */
const PASSED_ON = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** The kernel's transparent huge page mode. */
export type ThpMode = 'always' | 'madvise' | 'never';

/** What the launcher's decision depends on beside the environment. */
export interface LaunchHost {
  platform: NodeJS.Platform;
  /** Node flags before the script (an inspector port cannot be opened twice). */
  execArgv: readonly string[];
  thp: ThpMode | null;
}

/** The kernel's THP mode, from /sys (the bracketed word of "always [madvise] never"). */
export function thpMode(file = '/sys/kernel/mm/transparent_hugepage/enabled'): ThpMode | null {
  try {
    const mode = /\[(always|madvise|never)\]/.exec(readFileSync(file, 'utf8'))?.[1];
    return (mode as ThpMode | undefined) ?? null;
  } catch {
    return null;
  }
}

export const thisHost = (): LaunchHost => ({
  platform: process.platform,
  execArgv: process.execArgv,
  thp: process.platform === 'linux' ? thpMode() : null,
});

/**
 * Whether a process started with `env` would lack huge pages that the tunable would give it: on
 * Linux whose kernel lends them to those who ask (`madvise`; with `always` every process has them
 * already, with `never` nobody does).
 */
export function lacksHugePages(
  env: NodeJS.ProcessEnv,
  host: Pick<LaunchHost, 'platform' | 'thp'> = thisHost(),
): boolean {
  if (host.platform !== 'linux' || host.thp !== 'madvise' || env.DENOISE_LAB_HUGE_PAGES === '0') return false;
  return !(env.GLIBC_TUNABLES ?? '').split(':').some((t) => t.startsWith('glibc.malloc.hugetlb='));
}

/** Whether `denoise-lab args` should start its work in a second process, with huge pages. */
export function wantsHugePages(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  host: LaunchHost = thisHost(),
): boolean {
  return HEAVY_COMMANDS.has(args[0] ?? '') && host.execArgv.length === 0 && lacksHugePages(env, host);
}

/** `env` with the huge-page tunable added to any tunables it already sets. */
export function withHugePages(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const tunables = env.GLIBC_TUNABLES ? `${env.GLIBC_TUNABLES}:${HUGE_PAGES_TUNABLE}` : HUGE_PAGES_TUNABLE;
  return { ...env, GLIBC_TUNABLES: tunables };
}

/**
 * Runs `script` with `args` in a new Node process with huge pages and mirrors its end: resolves
 * never (the process exits with the command's code, or dies of the command's signal).
 */
export function relaunchWithHugePages(script: string, args: readonly string[]): Promise<never> {
  const child = spawn(process.execPath, [script, ...args], {
    stdio: 'inherit',
    env: { ...withHugePages(process.env), [LAUNCHER_PID]: String(process.pid) },
  });
  const passOn = (signal: NodeJS.Signals) => child.kill(signal);
  for (const s of PASSED_ON) process.on(s, passOn);
  return new Promise<never>(() => {
    child.on('error', (e) => {
      process.stderr.write(`denoise-lab: could not start (${e.message})\n`);
      process.exit(1);
    });
    child.on('exit', (code, signal) => {
      for (const s of PASSED_ON) process.removeListener(s, passOn);
      if (signal) process.kill(process.pid, signal);
      else process.exit(code ?? 1);
    });
  });
}

/**
 * In the command's process: if its launcher is gone (killed outright, so that it could not pass
 * the signal on), ends the same way, at once. Checked once a second; does not keep the process alive.
 */
export function followLauncher(env: NodeJS.ProcessEnv = process.env): void {
  const launcher = Number(env[LAUNCHER_PID]);
  if (!Number.isInteger(launcher) || launcher <= 0) return;
  delete env[LAUNCHER_PID]; // not inherited by anything this process starts
  const check = () => {
    if (process.ppid === launcher) return;
    process.stderr.write('denoise-lab: stopped, because the process that started it was killed\n');
    // As the signal would have: process.exit() here can abort inside ONNX Runtime's running threads.
    process.kill(process.pid, 'SIGKILL');
  };
  check();
  setInterval(check, 1000).unref();
}

/**
 * A SIGINT handler that tells one Ctrl-C from two: a terminal sends Ctrl-C's SIGINT to the
 * launcher and the command alike, and the launcher passes its copy on, so one key press arrives
 * twice within milliseconds. `first` runs on the first; a later one, after `windowMs`, runs `again`.
 */
export function onInterrupt(first: () => void, again: () => void, windowMs = 1000): () => void {
  let at: number | null = null;
  return () => {
    const now = performance.now();
    if (at === null) {
      at = now;
      first();
    } else if (now - at > windowMs) again();
  };
}
