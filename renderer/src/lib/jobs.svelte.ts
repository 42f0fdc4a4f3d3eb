// Every job the renderer started, with its latest progress event: the jobs dock at the bottom of
// the window draws this list (progress bar, ETA, pause/resume, cancel). Workspaces start jobs with
// `jobs.run`, which resolves with the typed result (or rejects with the job's error).
//
// The service is the truth about jobs: on load (and after a reload) `reattach` puts the jobs it is
// still running back in the dock, followed to their end, with pause/resume/cancel working again.
import { api, followJob, runJob } from '../api/index.js';
import type { JobEvent, JobKind, JobResult, JobSnapshot, JobSpecInput, JobState } from '../api/index.js';

export interface TrackedJob {
  jobId: string;
  label: string;
  event: JobEvent | null;
  /** Pausable kinds show pause/resume. */
  pausable: boolean;
}

const PAUSABLE = new Set(['train', 'batch-denoise']);
const FINAL: readonly JobState[] = ['done', 'failed', 'cancelled'];

export function isActive(state: JobState): boolean {
  return !FINAL.includes(state);
}

/** The dock's label for a job found running after a reload (its own label died with the page). */
const KIND_LABELS: Partial<Record<JobKind, string>> = {
  train: 'Training an autoencoder',
  'batch-denoise': 'Denoising a batch',
  denoise: 'Denoising',
  export: 'Exporting',
  'export-onnx': 'Exporting a model',
  'save-model': 'Saving a model',
};

class Jobs {
  list = $state<TrackedJob[]>([]);

  get active(): TrackedJob[] {
    return this.list.filter((j) => !j.event || !FINAL.includes(j.event.state));
  }

  /** Runs a job to its end, tracked in the dock; `onEvent` sees each of its progress events. */
  async run<S extends JobSpecInput>(
    spec: S,
    label: string,
    onEvent?: (e: JobEvent) => void,
  ): Promise<JobResult<S['kind']>> {
    let tracked: TrackedJob | null = null;
    try {
      return await runJob(api, spec, (e) => {
        if (!tracked) tracked = this.track(e.jobId, label, spec.kind, e);
        else tracked.event = e;
        onEvent?.(e);
      });
    } finally {
      const done = tracked as TrackedJob | null;
      if (done) this.untrackSoon(done.jobId);
    }
  }

  /**
   * Ask the service for its jobs and put the unfinished ones back in the dock, each followed to its
   * end. Answers with every job the service knows (running and recent), for the workspaces to
   * reattach their own views.
   */
  async reattach(): Promise<JobSnapshot[]> {
    const all = await api.jobs.list();
    for (const s of all) {
      if (!isActive(s.state) || this.list.some((j) => j.jobId === s.jobId)) continue;
      const tracked = this.track(s.jobId, KIND_LABELS[s.kind] ?? `Running ${s.kind}`, s.kind, s);
      followJob(api, s.jobId, (e) => (tracked.event = e))
        .catch(() => undefined) // the workspace that shows the job reports how it ended
        .finally(() => this.untrackSoon(s.jobId));
    }
    return all;
  }

  /** Adds a job to the dock (dropping finished ones); answers the reactive entry. */
  private track(jobId: string, label: string, kind: JobKind, event: JobEvent): TrackedJob {
    const entry = { jobId, label, event, pausable: PAUSABLE.has(kind) };
    this.list = [...this.list.filter((j) => j.event && isActive(j.event.state)), entry];
    return this.list[this.list.length - 1]!; // the reactive proxy
  }

  private untrackSoon(jobId: string): void {
    setTimeout(() => (this.list = this.list.filter((j) => j.jobId !== jobId)), 1500);
  }

  async cancel(jobId: string): Promise<void> {
    await api.jobs.cancel({ jobId });
  }
  async pause(jobId: string): Promise<void> {
    await api.jobs.pause({ jobId });
  }
  async resume(jobId: string): Promise<void> {
    await api.jobs.resume({ jobId });
  }
}

export const jobs = new Jobs();
