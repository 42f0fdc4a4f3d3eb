// The job service's scheduling rules on plain records, without a worker thread: which queued job
// starts next in which lane, held jobs, and what a worker crash means (see main/service/scheduler.ts).
// The helpers below apply the scheduler's answers the way job-service.ts does.
import { describe, expect, it } from 'vitest';
import type { JobState } from '../../../common/contract/index.js';
import {
  crashVerdicts,
  heldInQueue,
  inFlight,
  nextJob,
  type CrashVerdict,
  type Lane,
} from '../../../main/service/scheduler.js';

interface TestJob {
  name: string;
  lane: Lane;
  state: JobState;
  startedAt: Date | null;
  suspect: boolean;
  cancelRequested: boolean;
}

/** Jobs in the order they were queued: `T…` in the training lane, `I…` in the imaging lane. */
function queue(...names: string[]): TestJob[] {
  return names.map((name) => ({
    name,
    lane: name.startsWith('T') ? 'training' : 'imaging',
    state: 'queued',
    startedAt: null,
    suspect: false,
    cancelRequested: false,
  }));
}

function named(jobs: TestJob[], name: string): TestJob {
  const job = jobs.find((j) => j.name === name);
  if (!job) throw new Error(`no job ${name}`);
  return job;
}

/** Starts every job the scheduler lets start now, as the service does; their names in order. */
function startAll(jobs: TestJob[], imagingConcurrency: number): string[] {
  const started: string[] = [];
  for (let job = nextJob(jobs, imagingConcurrency); job; job = nextJob(jobs, imagingConcurrency)) {
    job.state = 'running';
    job.startedAt = new Date(0);
    started.push(job.name);
    if (started.length > jobs.length) throw new Error('the scheduler started a job twice');
  }
  return started;
}

function end(jobs: TestJob[], name: string, state: 'done' | 'failed' | 'cancelled' = 'done'): void {
  named(jobs, name).state = state;
}

function running(jobs: TestJob[]): string[] {
  return jobs.filter(inFlight).map((j) => j.name);
}

/** The worker died: the verdicts on the jobs in flight, applied as the service applies them. */
function crash(jobs: TestJob[]): Record<string, CrashVerdict> {
  const verdicts: Record<string, CrashVerdict> = {};
  for (const [job, verdict] of crashVerdicts(jobs.filter(inFlight))) {
    verdicts[job.name] = verdict;
    if (verdict === 'suspect') Object.assign(job, { suspect: true, state: 'queued', startedAt: null });
    else job.state = verdict;
  }
  return verdicts;
}

describe('scheduler: lanes', () => {
  it('starts nothing from an empty queue', () => {
    expect(nextJob([], 4)).toBeNull();
  });

  it('runs one training job at a time, in the order queued', () => {
    const jobs = queue('T1', 'T2', 'T3');
    expect(startAll(jobs, 4)).toEqual(['T1']);
    expect(startAll(jobs, 4)).toEqual([]);
    end(jobs, 'T1');
    expect(startAll(jobs, 4)).toEqual(['T2']);
    end(jobs, 'T2', 'failed');
    expect(startAll(jobs, 4)).toEqual(['T3']);
  });

  it('runs up to imagingConcurrency imaging jobs beside the training job', () => {
    const jobs = queue('T1', 'I1', 'I2', 'I3', 'T2', 'I4');
    expect(startAll(jobs, 2)).toEqual(['T1', 'I1', 'I2']);
    expect(named(jobs, 'I3').state).toBe('queued');
    end(jobs, 'I2');
    expect(startAll(jobs, 2)).toEqual(['I3']);
    end(jobs, 'T1');
    expect(startAll(jobs, 2)).toEqual(['T2']);
    end(jobs, 'I1', 'cancelled');
    expect(startAll(jobs, 2)).toEqual(['I4']);
    expect(running(jobs)).toEqual(['I3', 'T2', 'I4']);
  });

  it('lets a job overtake one waiting in the other lane, never one in its own', () => {
    const jobs = queue('T1', 'T2', 'I1', 'I2');
    expect(startAll(jobs, 1)).toEqual(['T1', 'I1']);
    end(jobs, 'I1');
    expect(startAll(jobs, 1)).toEqual(['I2']); // T2 still waits for T1
    expect(named(jobs, 'T2').state).toBe('queued');
  });

  it('counts a job paused at a pause point against its lane', () => {
    const jobs = queue('T1', 'T2');
    startAll(jobs, 1);
    named(jobs, 'T1').state = 'paused';
    expect(inFlight(named(jobs, 'T1'))).toBe(true);
    expect(heldInQueue(named(jobs, 'T1'))).toBe(false);
    expect(startAll(jobs, 1)).toEqual([]);
  });
});

describe('scheduler: jobs held in the queue', () => {
  it('skips a job paused before it started, and starts it in its place once resumed', () => {
    const jobs = queue('T1', 'T2', 'T3');
    named(jobs, 'T1').state = 'paused';
    expect(heldInQueue(named(jobs, 'T1'))).toBe(true);
    expect(inFlight(named(jobs, 'T1'))).toBe(false);
    expect(startAll(jobs, 1)).toEqual(['T2']);
    named(jobs, 'T1').state = 'queued'; // resumed while T2 runs: waits for the lane
    expect(startAll(jobs, 1)).toEqual([]);
    end(jobs, 'T2');
    expect(startAll(jobs, 1)).toEqual(['T1']); // ahead of T3, queued after it
  });

  it('does not let a held training job keep imaging jobs waiting', () => {
    const jobs = queue('T1', 'I1');
    named(jobs, 'T1').state = 'paused';
    expect(startAll(jobs, 1)).toEqual(['I1']);
  });
});

describe('scheduler: crash verdicts', () => {
  it('fails a job that was running alone', () => {
    const jobs = queue('T1', 'T2');
    expect(startAll(jobs, 1)).toEqual(['T1']);
    expect(crash(jobs)).toEqual({ T1: 'failed' });
    expect(named(jobs, 'T2')).toMatchObject({ state: 'queued', suspect: false });
    expect(startAll(jobs, 1)).toEqual(['T2']);
  });

  it('makes suspects of jobs that were running together', () => {
    const jobs = queue('T1', 'I1', 'I2');
    startAll(jobs, 2);
    expect(crash(jobs)).toEqual({ T1: 'suspect', I1: 'suspect', I2: 'suspect' });
    expect(jobs.map((j) => [j.state, j.suspect, j.startedAt])).toEqual([
      ['queued', true, null],
      ['queued', true, null],
      ['queued', true, null],
    ]);
  });

  it('ends a job whose cancel was asked for as cancelled, alone or not', () => {
    expect(crashVerdicts([{ suspect: false, cancelRequested: true }])).toEqual([
      [{ suspect: false, cancelRequested: true }, 'cancelled'],
    ]);
    const jobs = queue('T1', 'I1');
    startAll(jobs, 1);
    named(jobs, 'I1').cancelRequested = true;
    expect(crash(jobs)).toEqual({ T1: 'suspect', I1: 'cancelled' });
  });

  it('leaves queued and held jobs out of the verdicts', () => {
    const jobs = queue('T1', 'I1', 'T2', 'I2', 'I3');
    named(jobs, 'I3').state = 'paused'; // held
    expect(startAll(jobs, 1)).toEqual(['T1', 'I1']);
    expect(crash(jobs)).toEqual({ T1: 'suspect', I1: 'suspect' });
    expect(jobs.slice(2).map((j) => [j.name, j.state, j.suspect])).toEqual([
      ['T2', 'queued', false],
      ['I2', 'queued', false],
      ['I3', 'paused', false],
    ]);
  });
});

describe('scheduler: suspects after a shared crash', () => {
  it('runs each suspect alone, then the queue as before', () => {
    const jobs = queue('T1', 'I1', 'I2', 'T2');
    expect(startAll(jobs, 2)).toEqual(['T1', 'I1', 'I2']);
    crash(jobs);
    // Each suspect alone, though both lanes have room; T2 (not a suspect) waits behind them.
    expect(startAll(jobs, 2)).toEqual(['T1']);
    end(jobs, 'T1');
    expect(startAll(jobs, 2)).toEqual(['I1']);
    end(jobs, 'I1');
    expect(startAll(jobs, 2)).toEqual(['I2']);
    end(jobs, 'I2');
    expect(startAll(jobs, 2)).toEqual(['T2']);
  });

  it('fails a suspect that crashes again alone; the other suspect then completes', () => {
    const jobs = queue('T1', 'I1');
    startAll(jobs, 1);
    crash(jobs);
    expect(startAll(jobs, 1)).toEqual(['T1']);
    expect(crash(jobs)).toEqual({ T1: 'failed' });
    expect(startAll(jobs, 1)).toEqual(['I1']);
    end(jobs, 'I1');
    expect(jobs.map((j) => j.state)).toEqual(['failed', 'done']);
  });

  it('fails a suspect that crashes beside a job started later, instead of queueing it again', () => {
    const jobs = queue('T1', 'I1');
    startAll(jobs, 1);
    crash(jobs);
    startAll(jobs, 1); // T1 alone
    // Should anything run beside a suspect (it may not), the suspect is still the one to fail.
    const i1 = named(jobs, 'I1');
    Object.assign(i1, { state: 'running', startedAt: new Date(0), suspect: false });
    expect(crash(jobs)).toEqual({ T1: 'failed', I1: 'suspect' });
  });

  it('lets an earlier queued job start before a suspect, which then waits for the worker to be idle', () => {
    // I3 was waiting for imaging room when the worker died; T1 came after it in the queue.
    const jobs = queue('I1', 'I2', 'I3', 'T1', 'I4');
    expect(startAll(jobs, 2)).toEqual(['I1', 'I2', 'T1']);
    expect(crash(jobs)).toEqual({ I1: 'suspect', I2: 'suspect', T1: 'suspect' });
    expect(startAll(jobs, 2)).toEqual(['I1']);
    end(jobs, 'I1');
    expect(startAll(jobs, 2)).toEqual(['I2']);
    end(jobs, 'I2');
    // I3 is no suspect and comes first; T1 must then wait, and I4 may not pass T1 though the
    // imaging lane has room.
    expect(startAll(jobs, 2)).toEqual(['I3']);
    expect(nextJob(jobs, 2)).toBeNull();
    end(jobs, 'I3');
    expect(startAll(jobs, 2)).toEqual(['T1']);
    end(jobs, 'T1');
    expect(startAll(jobs, 2)).toEqual(['I4']);
  });

  it('starts nothing while a suspect is paused at a pause point', () => {
    const jobs = queue('T1', 'I1', 'I2');
    startAll(jobs, 2);
    crash(jobs);
    expect(startAll(jobs, 2)).toEqual(['T1']);
    named(jobs, 'T1').state = 'paused';
    expect(nextJob(jobs, 2)).toBeNull();
  });
});
