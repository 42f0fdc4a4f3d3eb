// The one worker thread that runs the job service's jobs: starting it, knowing when it is ready
// (and which job kinds it can run), posting to it, naming why it died, starting a fresh one after
// a death, and replacing it when a cancelled job does not stop in time. What a death means for the
// jobs is decided elsewhere (scheduler.ts) and applied by the job service in `died`.
// Before any worker starts: the worker's ONNX Runtime reads this process's real environment.
import '../engine/onnx/no-telemetry.js';
import { Worker, type ResourceLimits } from 'node:worker_threads';
import { describeIssues, type JobKind } from '../../common/contract/index.js';
import { fromWorkerSchema, type FromWorker, type ToWorker, type WorkerConfig } from './worker-protocol.js';

export interface WorkerHostOptions {
  /** The built worker script (out/worker/worker.js). */
  workerPath: string;
  config: WorkerConfig;
  /** Heap limits for the worker (an OOM then fails the job instead of the whole app). */
  resourceLimits?: ResourceLimits;
  /** How long a cancelled job may take to stop before the worker is replaced (default 10 s). */
  cancelGraceMs?: number;
}

/** What the worker says about a job (every message but 'ready', which the host answers itself). */
export type JobMessage = Exclude<FromWorker, { type: 'ready' }>;

export interface WorkerHostHandlers {
  /** A valid message about a job from the current worker. */
  message(msg: JobMessage): void;
  /** The worker died with `reason`. Nothing can be posted until `restarted` (posts are dropped). */
  died(reason: string): void;
  /** A fresh worker has been started after a death and takes posts again. */
  restarted(): void;
}

export class WorkerHost {
  private worker: Worker | null = null;
  private readyKinds!: Promise<JobKind[]>; // set by start()
  private resolveReady: (kinds: JobKind[]) => void = () => undefined;
  private exitReason: string | null = null;
  private closed = false;
  /** Cancelled jobs that have until their timer fires to stop (see `cancel`). */
  private readonly cancelTimers = new Map<string, NodeJS.Timeout>();
  /** Number of workers started so far (1 + restarts after crashes). */
  starts = 0;

  constructor(
    private readonly options: WorkerHostOptions,
    private readonly handlers: WorkerHostHandlers,
  ) {
    this.start();
  }

  /** The job kinds the current worker can run, once it is ready. */
  kinds(): Promise<JobKind[]> {
    return this.readyKinds;
  }

  /** Whether a worker is there to take posts (not between a death and the restart, not closed). */
  get alive(): boolean {
    return this.worker !== null;
  }

  post(message: ToWorker): void {
    this.worker?.postMessage(message);
  }

  /** Asks the worker to cancel a job; one that never reaches a pause point is stopped the hard way. */
  cancel(jobId: string): void {
    this.post({ type: 'control', jobId, action: 'cancel' });
    // Asked twice, the grace still counts from the first ask.
    if (this.cancelTimers.has(jobId)) return;
    const timer = setTimeout(() => {
      this.cancelTimers.delete(jobId);
      void this.restart('a cancelled job did not stop in time');
    }, this.options.cancelGraceMs ?? 10_000);
    timer.unref();
    this.cancelTimers.set(jobId, timer);
  }

  /** The job has ended: it no longer needs its cancel grace timer. */
  ended(jobId: string): void {
    clearTimeout(this.cancelTimers.get(jobId));
    this.cancelTimers.delete(jobId);
  }

  /** Ends the worker, letting it stop its helper processes (ExifTool) first. */
  async close(): Promise<void> {
    this.closed = true;
    for (const jobId of [...this.cancelTimers.keys()]) this.ended(jobId);
    const w = this.worker;
    this.worker = null;
    if (!w) return;
    // terminate() if it takes too long.
    const exited = new Promise<void>((resolve) => w.once('exit', () => resolve()));
    w.postMessage({ type: 'shutdown' } satisfies ToWorker);
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
    await w.terminate();
  }

  private start(): void {
    this.readyKinds = new Promise<JobKind[]>((resolve) => (this.resolveReady = resolve));
    const { workerPath, config, resourceLimits } = this.options;
    const worker = new Worker(workerPath, { workerData: config, ...(resourceLimits ? { resourceLimits } : {}) });
    this.starts++;
    this.exitReason = null;
    worker.on('message', (raw: unknown) => {
      if (worker !== this.worker) return;
      const parsed = fromWorkerSchema.safeParse(raw);
      if (!parsed.success) {
        console.error(`job service: ignoring an invalid worker message: ${describeIssues(parsed.error).join('; ')}`);
        return;
      }
      if (parsed.data.type === 'ready') this.resolveReady(parsed.data.kinds);
      else this.handlers.message(parsed.data);
    });
    worker.on('error', (e: Error & { code?: string }) => {
      if (worker !== this.worker) return;
      this.exitReason =
        e.code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'the worker ran out of memory' : `the worker crashed: ${e.message}`;
    });
    worker.on('exit', (code) => {
      if (worker !== this.worker || this.closed) return;
      // Nothing may be posted to the dead worker while its jobs are settled.
      this.worker = null;
      for (const jobId of [...this.cancelTimers.keys()]) this.ended(jobId);
      this.handlers.died(this.exitReason ?? `the worker stopped unexpectedly (exit code ${code})`);
      this.start();
      this.handlers.restarted();
    });
    this.worker = worker;
  }

  /** Replaces the worker: its 'exit' handler reports the death with `reason` and starts a fresh one. */
  private async restart(reason: string): Promise<void> {
    const w = this.worker;
    if (!w) return;
    this.exitReason = reason;
    await w.terminate();
  }
}
