// What the job service keeps about each job, and what the outside sees of it: the progress event
// (with its ETA from the running time, pauses excluded), the snapshot `jobs:get` answers, and the
// outcome `wait` resolves with. Plain functions of the record, so a door sees the same thing
// whichever way it asks.
import type {
  HistoryPoint,
  JobEvent,
  JobOutcome,
  JobSnapshot,
  JobSpec,
  JobState,
  ServiceError,
} from '../../common/contract/index.js';
import type { WorkerModel, WorkerProgress } from './worker-protocol.js';
import type { RunHistory } from '../../common/run-history.js';
import type { Lane } from './scheduler.js';

export interface Job {
  id: string;
  spec: JobSpec;
  lane: Lane;
  state: JobState;
  progress: Required<Pick<WorkerProgress, 'step' | 'message'>> & WorkerProgress;
  error?: string;
  result?: unknown;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  /** Running time excluding pauses, for the ETA. */
  runMs: number;
  runSince: number | null;
  /** Set when the job was running during a crash shared with other jobs: it runs alone now. */
  suspect: boolean;
  cancelRequested: boolean;
  waiters: ((o: JobOutcome) => void)[];
  models: WorkerModel[];
  /** Largest image (pixels) the job may decode. */
  pixelLimit: number;
  /** The folders its door shared, that files found by walking folders must lie in (see path-grants.ts). */
  hostRoots?: string[];
  /** The failure's code, so a request built on a job (images.open) answers with the right status. */
  errorCode?: ServiceError['code'];
  /** Chart points the job reported (training), for `jobs:history`. */
  history: RunHistory;
}

/** Adds the time since the job last started or resumed to its running time. */
export function stopClock(job: Job, now = Date.now()): void {
  if (job.runSince !== null) job.runMs += now - job.runSince;
  job.runSince = null;
}

/** The job's progress event; `points` are the chart points that arrived with it (sent once). */
export function jobEvent(job: Job, points?: HistoryPoint[], now = Date.now()): JobEvent {
  const elapsed = job.runMs + (job.runSince !== null ? now - job.runSince : 0);
  const fraction = job.progress.fraction ?? null;
  const eta =
    job.state === 'running' && fraction !== null && fraction > 0 && fraction < 1
      ? ((elapsed / 1000) * (1 - fraction)) / fraction
      : job.state === 'done'
        ? 0
        : null;
  const e: JobEvent = {
    jobId: job.id,
    kind: job.spec.kind,
    state: job.state,
    fraction,
    step: job.progress.step ?? 0,
    total: job.progress.total ?? null,
    etaSeconds: eta,
    message: job.progress.message ?? '',
  };
  if (job.progress.metrics) e.metrics = job.progress.metrics;
  if (job.progress.preview) e.preview = job.progress.preview;
  if (job.error) e.error = job.error;
  if (points?.length) e.points = points;
  return e;
}

export function jobSnapshot(job: Job, now = Date.now()): JobSnapshot {
  return {
    ...jobEvent(job, undefined, now),
    createdAt: job.createdAt.toISOString(),
    startedAt: job.startedAt?.toISOString() ?? null,
    finishedAt: job.finishedAt?.toISOString() ?? null,
  };
}

/** What `wait` resolves with once the job has ended. */
export function jobOutcome(job: Job): JobOutcome {
  if (job.state === 'done')
    return { jobId: job.id, kind: job.spec.kind, state: 'done', result: job.result } as JobOutcome;
  if (job.state === 'failed')
    return {
      jobId: job.id,
      kind: job.spec.kind,
      state: 'failed',
      error: job.error ?? 'failed',
      ...(job.errorCode ? { code: job.errorCode } : {}),
    };
  return { jobId: job.id, kind: job.spec.kind, state: 'cancelled' };
}
