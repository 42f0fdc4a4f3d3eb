// What the outside sees of a job record: its event (ETA from the running time, pauses excluded),
// its snapshot and its outcome.
import { describe, expect, it } from 'vitest';
import { parseJobSpec, type HistoryPoint } from '../../../common/contract/index.js';
import { RunHistory } from '../../../common/run-history.js';
import { jobEvent, jobOutcome, jobSnapshot, stopClock, type Job } from '../../../main/service/job-record.js';

function record(extra: Partial<Job> = {}): Job {
  return {
    id: 'j1',
    spec: parseJobSpec({ kind: 'debug', params: { action: 'count' } }),
    lane: 'training',
    state: 'running',
    progress: { step: 5, message: 'step 5', total: 20, fraction: 0.25 },
    createdAt: new Date('2026-01-01T00:00:00Z'),
    startedAt: new Date('2026-01-01T00:00:01Z'),
    finishedAt: null,
    runMs: 3000,
    runSince: 10_000,
    suspect: false,
    cancelRequested: false,
    waiters: [],
    models: [],
    pixelLimit: 1_000_000,
    history: new RunHistory(),
    ...extra,
  };
}

describe('job record: event', () => {
  it('estimates the time left from the running time so far and the fraction done', () => {
    // 3 s before the last resume + 1 s since = 4 s for a quarter: 12 s to go.
    expect(jobEvent(record(), undefined, 11_000)).toEqual({
      jobId: 'j1',
      kind: 'debug',
      state: 'running',
      fraction: 0.25,
      step: 5,
      total: 20,
      etaSeconds: 12,
      message: 'step 5',
    });
  });

  it('does not count paused time', () => {
    const job = record();
    stopClock(job, 12_500); // paused 2.5 s after the last resume
    expect(job).toMatchObject({ runMs: 5500, runSince: null });
    stopClock(job, 99_000); // already stopped: nothing more counts
    job.state = 'paused';
    expect(jobEvent(job, undefined, 99_000).etaSeconds).toBeNull();
    job.state = 'running';
    job.runSince = 99_000;
    // 5.5 s + 0.5 s for a quarter: 18 s to go.
    expect(jobEvent(job, undefined, 99_500).etaSeconds).toBe(18);
  });

  it('has no ETA before the first progress or at the end of a running job, and 0 once done', () => {
    expect(jobEvent(record({ progress: { step: 0, message: 'started' } }), undefined, 11_000)).toMatchObject({
      fraction: null,
      step: 0,
      total: null,
      etaSeconds: null,
    });
    expect(jobEvent(record({ progress: { step: 0, message: '', fraction: 0 } }), undefined, 11_000).etaSeconds).toBe(
      null,
    );
    expect(jobEvent(record({ progress: { step: 20, message: '', fraction: 1 } }), undefined, 11_000).etaSeconds).toBe(
      null,
    );
    expect(jobEvent(record({ state: 'done', runSince: null }), undefined, 11_000).etaSeconds).toBe(0);
  });

  it('carries the chart points that came with it, the error, and nothing empty', () => {
    const point: HistoryPoint = { series: 'loss', step: 5, values: { train: 0.5 } };
    expect(jobEvent(record(), [point], 11_000).points).toEqual([point]);
    expect('points' in jobEvent(record(), [], 11_000)).toBe(false);
    expect(jobEvent(record({ state: 'failed', error: 'out of memory' }), undefined, 11_000)).toMatchObject({
      error: 'out of memory',
      etaSeconds: null,
    });
  });
});

describe('job record: snapshot and outcome', () => {
  it('adds the times as ISO strings to the event', () => {
    expect(jobSnapshot(record(), 11_000)).toMatchObject({
      etaSeconds: 12,
      createdAt: '2026-01-01T00:00:00.000Z',
      startedAt: '2026-01-01T00:00:01.000Z',
      finishedAt: null,
    });
  });

  it('answers each ending with what wait() resolves with', () => {
    expect(jobOutcome(record({ state: 'done', result: { steps: 20 } }))).toEqual({
      jobId: 'j1',
      kind: 'debug',
      state: 'done',
      result: { steps: 20 },
    });
    expect(jobOutcome(record({ state: 'failed', error: 'no such file', errorCode: 'not-found' }))).toEqual({
      jobId: 'j1',
      kind: 'debug',
      state: 'failed',
      error: 'no such file',
      code: 'not-found',
    });
    expect(jobOutcome(record({ state: 'failed' }))).toEqual({
      jobId: 'j1',
      kind: 'debug',
      state: 'failed',
      error: 'failed',
    });
    expect(jobOutcome(record({ state: 'cancelled' }))).toEqual({ jobId: 'j1', kind: 'debug', state: 'cancelled' });
  });
});
