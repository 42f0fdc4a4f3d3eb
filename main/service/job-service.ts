// The job service: one queue, one worker thread, typed progress events. Every door (Electron IPC,
// the local web host, the CLI) talks to an instance of this class through `ApiService`.
//
// It keeps the jobs' records and composes the parts: scheduler.ts decides which queued job runs
// next in its lane (training: one at a time; imaging: up to `imagingConcurrency` beside it,
// default one per spare core) and what a worker crash means for the jobs it took down;
// worker-host.ts runs the worker thread and starts a fresh one after a crash; image-registry.ts
// knows the open images and the files the doors serve. All running jobs share the one worker
// thread, where they interleave at their pause points while native code (sharp, onnxruntime) uses
// its own threads.
import { type ResourceLimits } from 'node:worker_threads';
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { removeStaleTempFiles } from '../files/atomic-write.js';
import { makeOwnedTempDir } from '../files/owned-temp-dir.js';
import { rm } from 'node:fs/promises';
import { cpus } from 'node:os';
import path from 'node:path';
import {
  describeIssues,
  finalJobStates,
  jobKinds,
  parseJobSpec,
  ServiceError,
  type HistoryPoint,
  type ImageInfo,
  type JobEvent,
  type JobKind,
  type JobOutcome,
  type JobSnapshot,
} from '../../common/contract/index.js';

import { DuplicateStarts } from './duplicate-starts.js';
import { findModel, type ModelFolders } from './models.js';
import { refuseIncapable } from './capabilities.js';
import { RunHistory } from '../../common/run-history.js';
import { dataPaths } from './data-dir.js';
import { readSettings } from './settings.js';
import { crashVerdicts, heldInQueue, inFlight, nextJob } from './scheduler.js';
import { WorkerHost, type JobMessage } from './worker-host.js';
import { ImageRegistry } from './image-registry.js';
import { jobEvent, jobOutcome, jobSnapshot, stopClock, type Job } from './job-record.js';

export interface JobServiceOptions {
  /** The built worker script (out/worker/worker.js). */
  workerPath: string;
  /** The user's data folder (see data-dir.ts). */
  dataDir: string;
  /** Shipped models, read-only. */
  shippedModelsDir: string;
  /** Scratch folder for this run; default a fresh temp folder, removed by close(). */
  sessionDir?: string;
  /** Accept the test-only 'debug' job kind. */
  debugJobs?: boolean;
  /** Imaging-lane jobs that may run at once (default: cores − 1, at least 1). */
  imagingConcurrency?: number;
  /** Heap limits for the worker (an OOM then fails the job instead of the whole app). */
  workerResourceLimits?: ResourceLimits;
  /** How often running jobs re-emit their progress (default 400 ms: at least twice a second). */
  heartbeatMs?: number;
  /** How long a cancelled job may take to stop before the worker is replaced (default 10 s). */
  cancelGraceMs?: number;
  /** Largest image jobs may decode, in megapixels (default: the `maxMegapixels` setting). */
  maxMegapixels?: number;
}

const MAX_FINISHED_JOBS = 500;

export class JobService {
  readonly sessionDir: string;
  readonly dataDir: string;
  readonly modelFolders: ModelFolders;
  private readonly ownsSessionDir: boolean;
  /** In the order they were queued (the scheduler's order). */
  private readonly jobs = new Map<string, Job>();
  private readonly images: ImageRegistry;
  private readonly listeners = new Set<(e: JobEvent) => void>();
  private readonly host: WorkerHost;
  private readonly heartbeat: NodeJS.Timeout;
  private closed = false;
  private readonly imagingConcurrency: number;
  private readonly duplicates = new DuplicateStarts();

  constructor(private readonly options: JobServiceOptions) {
    this.dataDir = options.dataDir;
    this.ownsSessionDir = options.sessionDir === undefined;
    this.sessionDir = options.sessionDir ?? makeOwnedTempDir('denoise-lab-session-');
    this.modelFolders = { shipped: options.shippedModelsDir, user: dataPaths(options.dataDir).models };
    // Temp files that writers killed mid-write left in the data folder (see atomic-write.ts).
    const folders = dataPaths(options.dataDir);
    for (const dir of [options.dataDir, folders.models, folders.checkpoints]) void removeStaleTempFiles(dir);
    this.imagingConcurrency = options.imagingConcurrency ?? Math.max(1, cpus().length - 1);
    this.images = new ImageRegistry(this.sessionDir);
    this.host = new WorkerHost(
      {
        workerPath: options.workerPath,
        config: {
          sessionDir: this.sessionDir,
          dataDir: this.dataDir,
          shippedModelsDir: options.shippedModelsDir,
          debugJobs: options.debugJobs ?? false,
        },
        ...(options.workerResourceLimits ? { resourceLimits: options.workerResourceLimits } : {}),
        ...(options.cancelGraceMs !== undefined ? { cancelGraceMs: options.cancelGraceMs } : {}),
      },
      {
        message: (msg) => this.onWorkerMessage(msg),
        died: (reason) => this.onWorkerDied(reason),
        restarted: () => this.schedule(),
      },
    );
    this.heartbeat = setInterval(() => this.beat(), options.heartbeatMs ?? 400);
    this.heartbeat.unref();
  }

  // ---------------------------------------------------------------------------------------------
  // Public API

  /** Number of workers started so far (1 + restarts after crashes). */
  get workerStarts(): number {
    return this.host.starts;
  }

  /** The job kinds the worker can run. */
  availableKinds(): Promise<JobKind[]> {
    return this.host.kinds();
  }

  onEvent(listener: (e: JobEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Validate and queue a job. Rejects with a ContractError / ServiceError for a bad request, and
   * for the same training (or batch) started again within a second (see duplicate-starts.ts).
   */
  async start(raw: unknown, { hostRoots }: { hostRoots?: readonly string[] } = {}): Promise<{ jobId: string }> {
    if (this.closed) throw new ServiceError('unavailable', 'the job service is shut down');
    const spec = parseJobSpec(raw);
    this.duplicates.check(spec);
    if (spec.kind === 'debug' && !this.options.debugJobs)
      throw new ServiceError('bad-request', "invalid job request: unknown job kind 'debug'");
    // Catch the common mistakes here, with a clear message, before anything is queued.
    const p = spec.params as Record<string, unknown>;
    for (const key of ['imageId', 'referenceId', 'testId'] as const) {
      const imageId = p[key];
      if (typeof imageId === 'string' && !this.images.has(imageId))
        throw new ServiceError('not-found', `no image with id '${imageId}' (${key})`);
    }
    const models: Job['models'] = [];
    if (typeof p.modelId === 'string' && spec.kind !== 'save-model') {
      const card = await findModel(this.modelFolders, p.modelId);
      refuseIncapable(spec.kind, card);
      models.push({
        id: card.id,
        file: card.file,
        noiseLevelInput: card.noiseLevelInput,
        inputChannels: card.inputChannels,
      });
    }
    // Read at each start, so a changed setting holds from the next job on.
    const megapixels =
      this.options.maxMegapixels ?? (await readSettings(dataPaths(this.dataDir).settings)).maxMegapixels;
    const job: Job = {
      id: randomUUID(),
      spec,
      lane: jobKinds[spec.kind].lane,
      state: 'queued',
      progress: { step: 0, message: 'queued' },
      createdAt: new Date(),
      startedAt: null,
      finishedAt: null,
      runMs: 0,
      runSince: null,
      suspect: false,
      cancelRequested: false,
      waiters: [],
      models,
      pixelLimit: Math.round(megapixels * 1_000_000),
      ...(hostRoots ? { hostRoots: [...hostRoots] } : {}),
      history: new RunHistory(),
    };
    // Checked again: a duplicate may have been accepted while this one read the settings.
    this.duplicates.check(spec);
    this.duplicates.record(spec);
    this.jobs.set(job.id, job);
    this.emit(job);
    this.schedule();
    return { jobId: job.id };
  }

  /** Resolves when the job has ended. */
  wait(jobId: string): Promise<JobOutcome> {
    const job = this.job(jobId);
    if (finalJobStates.includes(job.state)) return Promise.resolve(jobOutcome(job));
    return new Promise((resolve) => job.waiters.push(resolve));
  }

  get(jobId: string): JobSnapshot {
    return jobSnapshot(this.job(jobId));
  }

  list(): JobSnapshot[] {
    return [...this.jobs.values()].map((j) => jobSnapshot(j));
  }

  /** The chart points a job has reported so far (empty for kinds that report none). */
  history(jobId: string): { jobId: string; points: HistoryPoint[] } {
    return { jobId, points: this.job(jobId).history.points() };
  }

  cancel(jobId: string): JobSnapshot {
    const job = this.job(jobId);
    if (finalJobStates.includes(job.state)) return jobSnapshot(job);
    job.cancelRequested = true;
    if (inFlight(job)) this.host.cancel(jobId);
    else this.finish(job, 'cancelled');
    return jobSnapshot(job);
  }

  /** Pause a pausable job. A running job shows 'paused' once it reaches its next pause point. */
  pause(jobId: string): JobSnapshot {
    const job = this.job(jobId);
    if (!jobKinds[job.spec.kind].pausable)
      throw new ServiceError('bad-request', `a ${job.spec.kind} job cannot be paused (only training and batch jobs)`);
    if (job.state === 'queued') {
      job.state = 'paused'; // held in the queue (see scheduler.ts)
      job.progress.message = 'paused before start';
      this.emit(job);
    } else if (job.state === 'running') {
      this.host.post({ type: 'control', jobId, action: 'pause' });
    }
    return jobSnapshot(job);
  }

  resume(jobId: string): JobSnapshot {
    const job = this.job(jobId);
    if (job.state !== 'paused' && job.state !== 'running') return jobSnapshot(job);
    if (heldInQueue(job)) {
      job.state = 'queued';
      job.progress.message = 'queued';
      this.emit(job);
      this.schedule();
    } else {
      this.host.post({ type: 'control', jobId, action: 'resume' });
    }
    return jobSnapshot(job);
  }

  /** Start a job and wait for its result (used by requests such as images.open). */
  async run(spec: unknown): Promise<unknown> {
    const { jobId } = await this.start(spec);
    const o = await this.wait(jobId);
    if (o.state === 'done') return o.result;
    if (o.state === 'cancelled') throw new ServiceError('failed', 'cancelled');
    throw new ServiceError(this.job(jobId).errorCode ?? 'failed', o.error);
  }

  image(imageId: string): ImageInfo {
    return this.images.get(imageId);
  }

  /** The 8-bit PNG file behind `ImageInfo.url`, or null for an unknown id. */
  imagePreviewFile(imageId: string): string | null {
    return this.images.previewFile(imageId);
  }

  /** The file behind an export's download URL (`api/downloads/<folder>/<name>`), or null. */
  downloadFile(folderId: string, fileName: string): string | null {
    return this.images.downloadFile(folderId, fileName);
  }

  async releaseImage(imageId: string): Promise<boolean> {
    if (!this.images.forget(imageId)) return false;
    this.host.post({ type: 'release', imageId });
    await this.images.removeFiles(imageId);
    return true;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.heartbeat);
    for (const job of this.jobs.values()) if (!finalJobStates.includes(job.state)) this.finish(job, 'cancelled');
    await this.host.close();
    if (this.ownsSessionDir) rmSync(this.sessionDir, { recursive: true, force: true });
  }

  // ---------------------------------------------------------------------------------------------
  // Worker

  /** The worker died: settle the jobs it took down (the host then starts a fresh one). */
  private onWorkerDied(reason: string): void {
    const inflight = [...this.jobs.values()].filter(inFlight);
    for (const [job, verdict] of crashVerdicts(inflight)) {
      if (verdict === 'cancelled') this.finish(job, 'cancelled');
      else if (verdict === 'failed') this.finish(job, 'failed', `${reason}; the job was stopped`);
      else {
        job.suspect = true;
        job.state = 'queued';
        job.startedAt = null;
        job.runSince = null;
        job.runMs = 0;
        job.progress = { step: 0, message: 'queued again after a worker crash' };
        job.history.clear();
        this.emit(job);
      }
    }
  }

  private onWorkerMessage(msg: JobMessage): void {
    const job = this.jobs.get(msg.jobId);
    if (!job || finalJobStates.includes(job.state)) return;
    switch (msg.type) {
      case 'progress': {
        const { history, ...progress } = msg.progress;
        job.progress = { ...job.progress, ...progress };
        for (const point of history ?? []) job.history.add(point);
        this.emit(job, history);
        break;
      }
      case 'paused':
        if (msg.paused && job.state === 'running') {
          stopClock(job);
          job.state = 'paused';
        } else if (!msg.paused && job.state === 'paused') {
          job.runSince = Date.now();
          job.state = 'running';
        }
        this.emit(job);
        break;
      case 'images':
        this.images.add(msg.images);
        break;
      case 'done': {
        const check = jobKinds[job.spec.kind].result.safeParse(msg.result);
        if (check.success) {
          job.result = check.data;
          this.finish(job, 'done');
        } else {
          this.finish(
            job,
            'failed',
            `internal error: the ${job.spec.kind} result does not match the contract (${describeIssues(check.error).join('; ')})`,
          );
        }
        break;
      }
      case 'failed':
        if (msg.code === 'cancelled') this.finish(job, 'cancelled');
        else {
          job.errorCode = msg.code;
          this.finish(job, 'failed', msg.error);
        }
        break;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Queue

  /** Starts queued jobs while the scheduler finds one that may run. */
  private schedule(): void {
    while (!this.closed && this.host.alive) {
      const job = nextJob(this.jobs.values(), this.imagingConcurrency);
      if (!job) return;
      this.dispatch(job);
    }
  }

  private dispatch(job: Job): void {
    job.state = 'running';
    job.startedAt = new Date();
    job.runSince = Date.now();
    job.progress = { ...job.progress, message: 'started' };
    const { id: jobId, spec, models, pixelLimit, hostRoots } = job;
    this.host.post({ type: 'run', jobId, spec, models, pixelLimit, ...(hostRoots ? { hostRoots } : {}) });
    this.emit(job);
  }

  private finish(job: Job, state: 'done' | 'failed' | 'cancelled', error?: string): void {
    stopClock(job);
    this.host.ended(job.id);
    job.state = state;
    job.finishedAt = new Date();
    if (state === 'done') job.progress = { ...job.progress, fraction: 1, message: 'done' };
    else if (state === 'cancelled') job.progress = { ...job.progress, message: 'cancelled' };
    else {
      job.error = error ?? 'failed';
      job.progress = { ...job.progress, message: job.error };
    }
    // Whatever the worker did not clean up (it may have died) goes now.
    void rm(path.join(this.sessionDir, 'jobs', job.id), { recursive: true, force: true }).catch(() => undefined);
    this.emit(job);
    const o = jobOutcome(job);
    for (const w of job.waiters.splice(0)) w(o);
    this.forgetOldJobs();
    this.schedule();
  }

  private forgetOldJobs(): void {
    const finished = [...this.jobs.values()].filter((j) => finalJobStates.includes(j.state) && j.waiters.length === 0);
    for (const j of finished.slice(0, Math.max(0, finished.length - MAX_FINISHED_JOBS))) this.jobs.delete(j.id);
  }

  // ---------------------------------------------------------------------------------------------
  // Events

  private beat(): void {
    for (const job of this.jobs.values()) if (job.state === 'running') this.emit(job);
  }

  /** Sends the job's current event; `points` are the chart points that arrived with it (once). */
  private emit(job: Job, points?: HistoryPoint[]): void {
    const e = jobEvent(job, points);
    for (const l of this.listeners) {
      try {
        l(e);
      } catch (err) {
        console.error('job service: an event listener threw:', err);
      }
    }
  }

  private job(jobId: string): Job {
    const job = this.jobs.get(jobId);
    if (!job) throw new ServiceError('not-found', `no job with id '${jobId}'`);
    return job;
  }
}
