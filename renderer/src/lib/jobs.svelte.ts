// Every job the renderer started, with its latest progress event: the jobs dock at the bottom of
// the window draws this list (progress bar, ETA, pause/resume, cancel). Workspaces start jobs with
// `jobs.run`, which resolves with the typed result (or rejects with the job's error).
import { api, runJob } from '../api/index.js';
import type { JobEvent, JobResult, JobSpecInput, JobState } from '../api/index.js';

export interface TrackedJob {
  jobId: string;
  label: string;
  event: JobEvent | null;
  /** Pausable kinds show pause/resume. */
  pausable: boolean;
}

const PAUSABLE = new Set(['train', 'batch-denoise']);
const FINAL: readonly JobState[] = ['done', 'failed', 'cancelled'];

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
        if (!tracked) {
          tracked = { jobId: e.jobId, label, event: e, pausable: PAUSABLE.has(spec.kind) };
          this.list = [...this.list.filter((j) => j.event && !FINAL.includes(j.event.state)), tracked];
          tracked = this.list[this.list.length - 1]!; // the reactive proxy
        } else tracked.event = e;
        onEvent?.(e);
      });
    } finally {
      const done = tracked as TrackedJob | null;
      if (done) setTimeout(() => (this.list = this.list.filter((j) => j.jobId !== done.jobId)), 1500);
    }
  }

  async cancel(jobId: string): Promise<void> {
    await api.jobs.cancel(jobId);
  }
  async pause(jobId: string): Promise<void> {
    await api.jobs.pause(jobId);
  }
  async resume(jobId: string): Promise<void> {
    await api.jobs.resume(jobId);
  }
}

export const jobs = new Jobs();
