// Pause / resume / cancel of a running job, AbortSignal-style: the owner (the worker's JobContext,
// the CLI's SIGINT handler) keeps the control and calls pause/resume/cancel; the work reads it
// between units (a training step, a tile, a file). It is the app's one pause/cancel: the worker's
// jobs and the CLI's training both use it, and a cancel seen at a pause point is one typed error,
// RunCancelled. No process globals: a worker thread runs several jobs side by side.

/** Thrown at a pause point once the run has been cancelled. */
export class RunCancelled extends Error {
  constructor() {
    super('cancelled');
    this.name = 'RunCancelled';
  }
}

export interface RunControlOptions {
  /** Cancels when this signal aborts. */
  signal?: AbortSignal;
  /**
   * Give the event loop a turn at a pause point at most this often (ms), so that pause and cancel
   * requests that arrive as events (a worker's messages) get in while the run computes. Default: never.
   */
  yieldEveryMs?: number;
  /** The run stopped at a pause point and is about to wait (called after the point's own `beforeWait`). */
  onWait?: () => void;
  /** The run goes on after a pause (not called when a cancel ended the wait). */
  onResume?: () => void;
}

export class RunControl {
  private cancelledFlag = false;
  /** Set while paused: the promise resolves on resume or cancel. */
  private gate: { promise: Promise<void>; open: () => void } | null = null;
  private lastYield = Date.now();

  constructor(private readonly options: RunControlOptions = {}) {
    const signal = options.signal;
    if (signal?.aborted) this.cancelledFlag = true;
    else signal?.addEventListener('abort', () => this.cancel(), { once: true });
  }

  /** A pause was asked for (the run stops at its next pause point until resumed). */
  get paused(): boolean {
    return this.gate !== null;
  }

  get cancelled(): boolean {
    return this.cancelledFlag;
  }

  pause(): void {
    if (this.gate) return;
    let open!: () => void;
    const promise = new Promise<void>((r) => (open = r));
    this.gate = { promise, open };
  }

  resume(): void {
    const gate = this.gate;
    this.gate = null;
    gate?.open();
  }

  /** Stops the run at its next pause point (the trainer writes a final checkpoint if configured). */
  cancel(): void {
    this.cancelledFlag = true;
    this.gate?.open();
  }

  /**
   * A pause point for a loop that ends itself on cancel (the trainer returns status 'cancelled'):
   * resolves at once unless paused; while paused, calls `beforeWait` (to keep and report where the
   * run stopped; awaited, so a resume or cancel meanwhile is seen after it) and waits for resume()
   * or cancel().
   */
  async waitWhilePaused(beforeWait?: () => unknown): Promise<void> {
    const every = this.options.yieldEveryMs;
    if (every !== undefined && Date.now() - this.lastYield >= every) {
      await new Promise<void>((r) => setImmediate(r));
      this.lastYield = Date.now();
    }
    if (!this.gate || this.cancelledFlag) return;
    await beforeWait?.();
    this.options.onWait?.();
    while (this.gate && !this.cancelledFlag) await this.gate.promise;
    if (!this.cancelledFlag) this.options.onResume?.();
  }

  /** A pause/cancel point: waits while paused, and throws RunCancelled once cancelled. */
  async checkpoint(): Promise<void> {
    await this.waitWhilePaused();
    if (this.cancelledFlag) throw new RunCancelled();
  }
}
