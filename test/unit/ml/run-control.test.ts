// The app's one pause/cancel control (the worker's jobs and the CLI's training both use it): a
// pause point waits while paused, tells the owner when it stops and goes on, and a cancel is one
// typed error at checkpoint() (or a plain return from waitWhilePaused, for the trainer's loop).
import { describe, expect, it } from 'vitest';
import { RunCancelled, RunControl } from '../../../main/ml/train/control.js';

/** Lets pending promise callbacks run. */
const settle = () => new Promise<void>((r) => setImmediate(r));

describe('RunControl', () => {
  it('a pause point passes at once unless paused, and throws RunCancelled once cancelled', async () => {
    const c = new RunControl();
    await expect(c.checkpoint()).resolves.toBeUndefined();
    c.cancel();
    expect(c.cancelled).toBe(true);
    await expect(c.checkpoint()).rejects.toBeInstanceOf(RunCancelled);
    await expect(c.waitWhilePaused()).resolves.toBeUndefined(); // the trainer's point does not throw
  });

  it('while paused, every waiter waits; the point reports, then the owner hears of it, and again on resume', async () => {
    const events: string[] = [];
    const c = new RunControl({
      onWait: () => events.push('owner: paused'),
      onResume: () => events.push('owner: resumed'),
    });
    c.pause();
    c.pause(); // a second pause changes nothing
    let passed = 0;
    const a = c.waitWhilePaused(() => events.push('run: stopped')).then(() => passed++);
    const b = c.checkpoint().then(() => passed++);
    await settle();
    expect([c.paused, passed]).toEqual([true, 0]);
    c.resume();
    await Promise.all([a, b]);
    expect(passed).toBe(2);
    expect(c.paused).toBe(false);
    expect(events).toEqual(['run: stopped', 'owner: paused', 'owner: paused', 'owner: resumed', 'owner: resumed']);
  });

  it('the owner hears of a pause only once an async report (the trainer keeping a checkpoint) is done', async () => {
    const events: string[] = [];
    const c = new RunControl({ onWait: () => events.push('owner: paused') });
    let finish!: () => void;
    const saving = new Promise<void>((r) => (finish = r));
    c.pause();
    const waiting = c.waitWhilePaused(async () => {
      events.push('run: saving');
      await saving;
      events.push('run: saved');
    });
    await settle();
    expect(events).toEqual(['run: saving']);
    finish();
    await settle();
    expect(events).toEqual(['run: saving', 'run: saved', 'owner: paused']);
    c.resume();
    await waiting;
  });

  it('a cancel ends a pause: checkpoint() throws, and the owner is not told it resumed', async () => {
    const events: string[] = [];
    const c = new RunControl({ onWait: () => events.push('paused'), onResume: () => events.push('resumed') });
    c.pause();
    const waiting = c.checkpoint();
    await settle();
    c.cancel();
    await expect(waiting).rejects.toBeInstanceOf(RunCancelled);
    expect(events).toEqual(['paused']);
  });

  it('cancels with an AbortSignal, aborted before or after it is made', async () => {
    const before = new AbortController();
    before.abort();
    expect(new RunControl({ signal: before.signal }).cancelled).toBe(true);
    const after = new AbortController();
    const c = new RunControl({ signal: after.signal });
    c.pause();
    const waiting = c.checkpoint();
    after.abort();
    await expect(waiting).rejects.toBeInstanceOf(RunCancelled);
  });

  it('gives the event loop a turn at most every yieldEveryMs, so control messages get in during a busy run', async () => {
    const c = new RunControl({ yieldEveryMs: 0 });
    let cancelledByEvent = false;
    setImmediate(() => {
      c.cancel();
      cancelledByEvent = true;
    });
    // A busy loop with no other awaits: only the pause point's own yield lets the cancel in.
    let steps = 0;
    while (!c.cancelled && steps < 1000) {
      await c.waitWhilePaused();
      steps++;
    }
    expect(cancelledByEvent).toBe(true);
    expect(steps).toBeLessThan(1000);
  });
});
