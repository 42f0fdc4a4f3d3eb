// Which queued job runs next, and what a worker crash means for the jobs it took down. Pure
// decisions over the job service's records: no threads, no timers, no I/O, so every rule below is
// unit-tested on plain objects (test/unit/service/scheduler.test.ts); job-service.ts applies them.
//
// Lanes: the training lane runs one job at a time (train, and the test-only debug jobs); the
// imaging lane runs up to `imagingConcurrency` jobs beside it. Jobs start in the order they were
// queued, each as soon as its lane has room. A job paused before it started is held in the queue
// (it keeps its place) until it is resumed.
//
// Crashes: a job running alone when the worker died is failed with the reason. Jobs that were
// running together are suspects: each is queued once more and runs ALONE (nothing starts beside it,
// and nothing queued behind it overtakes it), so the guilty one fails on its own and the others
// complete. Queued jobs are not affected.
import { finalJobStates, type JobState } from '../../common/contract/index.js';

export type Lane = 'training' | 'imaging';

/** What the scheduler reads of a job. */
export interface SchedulerJob {
  readonly lane: Lane;
  readonly state: JobState;
  /** When it was dispatched to the worker; null while queued, held, or queued again after a crash. */
  readonly startedAt: Date | null;
  /** Was running beside others when the worker died: runs alone from now on. */
  readonly suspect: boolean;
}

/** Started and not yet ended: running, or paused at one of its pause points. */
export function inFlight(job: SchedulerJob): boolean {
  return job.startedAt !== null && !finalJobStates.includes(job.state);
}

/** Paused before it started: keeps its place in the queue but does not start until resumed. */
export function heldInQueue(job: SchedulerJob): boolean {
  return job.state === 'paused' && job.startedAt === null;
}

/**
 * The job to start now, or null when none may. `jobs` in the order they were queued. Called again
 * after each start (a started job counts against its lane) until it answers null.
 */
export function nextJob<J extends SchedulerJob>(jobs: Iterable<J>, imagingConcurrency: number): J | null {
  const all = [...jobs];
  const active = all.filter(inFlight);
  // A suspect runs alone, and nothing starts beside it.
  if (active.some((j) => j.suspect)) return null;
  const running = { training: 0, imaging: 0 };
  for (const j of active) running[j.lane]++;
  const room = { training: 1, imaging: imagingConcurrency };
  for (const job of all) {
    if (job.state !== 'queued') continue;
    // A suspect waits for the worker to be idle, and the jobs behind it wait for the suspect.
    if (job.suspect) return active.length === 0 ? job : null;
    if (running[job.lane] < room[job.lane]) return job;
  }
  return null;
}

/** What happens to a job that was in flight when the worker died. */
export type CrashVerdict =
  /** Its cancel had been asked for: it ends cancelled, as asked. */
  | 'cancelled'
  /** It ran alone, or was already a suspect: it is the cause, and fails with the reason. */
  | 'failed'
  /** It ran beside others: queued once more, to run alone. */
  | 'suspect';

/** The verdict on each in-flight job (see `inFlight`) when the worker died, in the order given. */
export function crashVerdicts<J extends { readonly suspect: boolean; readonly cancelRequested: boolean }>(
  inflight: readonly J[],
): [J, CrashVerdict][] {
  const alone = inflight.length === 1;
  return inflight.map((job) => [job, job.cancelRequested ? 'cancelled' : alone || job.suspect ? 'failed' : 'suspect']);
}
