// Timing in rounds, for every benchmark that sets us beside a peer: the two sides take turns, so
// both see the same machine (a background job, thermal state, a neighbour on a shared host), and
// each figure is a median with its spread, so a stray slow run neither hides nor decides anything.

import { setTimeout as sleep } from 'node:timers/promises';

/** Median and range of a set of measurements, and how many there were. */
export interface Spread {
  median: number;
  min: number;
  max: number;
  n: number;
}

export function spread(values: readonly number[]): Spread {
  if (values.length === 0) throw new RangeError('spread: no values');
  const v = [...values].sort((a, b) => a - b);
  const mid = v.length >> 1;
  return {
    median: v.length % 2 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2,
    min: v[0]!,
    max: v[v.length - 1]!,
    n: v.length,
  };
}

/**
 * Per-step time and start-up from two runs of the same process that differ only in their step
 * count: the line through (steps, seconds) of both. Start-up is what the line gives at 0 steps.
 */
export function differenced(
  short: { steps: number; seconds: number },
  long: { steps: number; seconds: number },
): { secondsPerStep: number; startupSeconds: number } {
  if (!(long.steps > short.steps)) throw new RangeError('differenced: the long run must have more steps');
  const secondsPerStep = (long.seconds - short.seconds) / (long.steps - short.steps);
  return { secondsPerStep, startupSeconds: short.seconds - short.steps * secondsPerStep };
}

/** Something timed in rounds: `run(k)` does k runs and returns their times in ms. */
export type Rounds = (k: number) => Promise<number[]>;

/** A Rounds from a function doing one run. */
export function roundsOf(fn: () => Promise<unknown>): Rounds {
  return async (k) => {
    const times: number[] = [];
    for (let i = 0; i < k; i++) {
      const t0 = performance.now();
      await fn();
      times.push(performance.now() - t0);
    }
    return times;
  };
}

export interface RoundOptions {
  /** Keep taking rounds until this many seconds have passed… */
  seconds: number;
  /** …and each side has at least this many timings. */
  minRuns: number;
  /** Runs per side per round. */
  round: number;
  /**
   * Idle time before each side's round (ms). Sides in other processes need it: ONNX Runtime's and
   * OpenMP's worker threads spin for a while after each run, and a side must not start while the
   * other's threads still hold the cores.
   */
  gapMs?: number;
}

/**
 * Times several things in alternating rounds: one warm-up round each, then `round` runs of each
 * in turn until `seconds` have passed and each has `minRuns` timings.
 */
export async function alternateRounds(things: readonly Rounds[], o: RoundOptions): Promise<Spread[]> {
  const turn = async (rounds: Rounds) => {
    if (o.gapMs) await sleep(o.gapMs);
    return rounds(o.round);
  };
  for (const rounds of things) await turn(rounds);
  const times: number[][] = things.map(() => []);
  const start = performance.now();
  while (times.some((t) => t.length < o.minRuns) || performance.now() - start < o.seconds * 1000) {
    for (const [i, rounds] of things.entries()) times[i]!.push(...(await turn(rounds)));
  }
  return times.map(spread);
}

/** "62.3 ms (60.1–65.0)": a median with its spread. */
export function withSpread(t: Spread, digits = 1): string {
  return `${t.median.toFixed(digits)} (${t.min.toFixed(digits)}–${t.max.toFixed(digits)})`;
}
