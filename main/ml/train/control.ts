// Pause / resume / cancel of a running training loop, AbortSignal-style: the owner (a worker's
// message handler, the CLI's SIGINT handler) keeps the controller, the loop only reads it between
// steps. No process globals: a worker thread can run several trainers side by side.

export class TrainControl {
  private pausedFlag = false;
  private cancelledFlag = false;
  private wake: (() => void) | null = null;

  /** Cancels when the given AbortSignal aborts (optional). */
  constructor(signal?: AbortSignal) {
    if (signal) {
      if (signal.aborted) this.cancelledFlag = true;
      else signal.addEventListener('abort', () => this.cancel(), { once: true });
    }
  }

  get paused(): boolean {
    return this.pausedFlag;
  }

  get cancelled(): boolean {
    return this.cancelledFlag;
  }

  pause(): void {
    this.pausedFlag = true;
  }

  resume(): void {
    this.pausedFlag = false;
    this.wakeUp();
  }

  /** Stops the loop after the step in flight; the trainer writes a final checkpoint if configured. */
  cancel(): void {
    this.cancelledFlag = true;
    this.wakeUp();
  }

  /** Resolves at once unless paused; while paused, waits for resume() or cancel(). */
  async waitWhilePaused(): Promise<void> {
    while (this.pausedFlag && !this.cancelledFlag) {
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  private wakeUp(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }
}
