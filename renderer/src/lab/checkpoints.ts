// The checkpoints browser's view of `checkpoints:list`: the kept checkpoints grouped by the run
// they belong to (the run being shown first, then the newest run), each run's newest step first,
// and what each action allows.
import type { CheckpointInfo } from '../api/index.js';

export interface RunGroup {
  jobId: string;
  /** "dense 64-16-64 · digits (1,797 × 8×8), train split" */
  title: string;
  startedAt: string;
  /** The run the Lab is showing (training now, or the last one followed). */
  current: boolean;
  checkpoints: CheckpointInfo[];
}

export function groupByRun(list: readonly CheckpointInfo[], currentJobId: string | null): RunGroup[] {
  const groups = new Map<string, RunGroup>();
  for (const c of list) {
    const jobId = c.jobId ?? c.checkpointId;
    let g = groups.get(jobId);
    if (!g) {
      g = {
        jobId,
        title: `${c.run.model} · ${c.run.data}`,
        startedAt: c.run.startedAt,
        current: jobId === currentJobId,
        checkpoints: [],
      };
      groups.set(jobId, g);
    }
    g.checkpoints.push(c);
  }
  for (const g of groups.values()) g.checkpoints.sort((a, b) => b.step - a.step);
  return [...groups.values()].sort(
    (a, b) =>
      Number(b.current) - Number(a.current) || (a.startedAt < b.startedAt ? 1 : a.startedAt > b.startedAt ? -1 : 0),
  );
}

/** Why training cannot go on from this checkpoint, or null when it can. */
export function whyNoResume(c: CheckpointInfo): string | null {
  const total = c.run.request.steps;
  return total !== undefined && c.step >= total ? `the run ended at this step (${total} steps)` : null;
}

/** The checkpoint's loss, as its row shows it ("loss 0.0213"), or '' when none was measured. */
export function lossText(c: CheckpointInfo): string {
  const v = c.metrics.loss;
  if (v === undefined) return '';
  return `loss ${Math.abs(v) < 0.001 ? v.toExponential(2) : v.toPrecision(3)}`;
}

/** When it was written, short: "14:02" today, "3 May 14:02" before. */
export function whenText(iso: string, now = new Date()): string {
  const d = new Date(iso);
  const time = d.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' });
  if (d.toDateString() === now.toDateString()) return time;
  return `${d.toLocaleDateString('en-GB', { day: 'numeric', month: 'short' })} ${time}`;
}
