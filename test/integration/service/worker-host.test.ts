// The worker host's lifecycle with a stand-in worker of a few lines (no bundle, no ONNX Runtime):
// ready and its kinds, invalid messages ignored, the exit reason of a death, posts dropped until the
// fresh worker has started, and the cancel grace timer that replaces a worker whose job will not stop.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ToWorker } from '../../../main/service/worker-protocol.js';
import { WorkerHost, type JobMessage, type WorkerHostOptions } from '../../../main/service/worker-host.js';
import { tempDir } from '../../helpers/temp-dir.js';
import { until } from './harness.js';

// Answers a 'run' with one progress report (after an invalid message), ignores 'control' (a job
// that never reaches a pause point), exits with code 70 on the release of image 'crash'.
const standIn = `
import { parentPort, workerData } from 'node:worker_threads';
parentPort.postMessage({ type: 'ready', kinds: workerData.debugJobs ? ['debug', 'evaluate'] : ['evaluate'] });
parentPort.on('message', (m) => {
  if (m.type === 'run') {
    parentPort.postMessage({ type: 'progress', jobId: m.jobId, progress: { step: 'not a number' } });
    parentPort.postMessage({ type: 'progress', jobId: m.jobId, progress: { step: 1, message: 'ran ' + m.spec.kind } });
  }
  if (m.type === 'release' && m.imageId === 'crash') process.exit(70);
  if (m.type === 'shutdown') process.exit(0);
});
`;

let dir: string;
let host: WorkerHost | undefined;
let log: string[];

beforeAll(() => {
  dir = tempDir('dl-worker-host-');
  writeFileSync(path.join(dir, 'stand-in.mjs'), standIn);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeEach(() => {
  vi.spyOn(console, 'error').mockImplementation(() => undefined);
});
afterEach(async () => {
  vi.useRealTimers();
  vi.restoreAllMocks();
  await host?.close();
  host = undefined;
});

function startHost(extra: Partial<WorkerHostOptions> = {}): WorkerHost {
  log = [];
  return new WorkerHost(
    {
      workerPath: path.join(dir, 'stand-in.mjs'),
      config: { sessionDir: dir, dataDir: dir, shippedModelsDir: dir, debugJobs: true },
      ...extra,
    },
    {
      message: (m: JobMessage) => log.push(`${m.type} ${m.jobId} ${m.type === 'progress' ? m.progress.message : ''}`),
      died: (reason) => log.push(`died: ${reason}`),
      restarted: () => log.push('restarted'),
    },
  );
}

const run = (jobId: string): ToWorker => ({
  type: 'run',
  jobId,
  spec: { kind: 'debug', params: {} },
  models: [],
  pixelLimit: 1,
});

describe('worker host', () => {
  it('answers the kinds of a ready worker and passes on valid job messages only', async () => {
    host = startHost();
    expect(await host.kinds()).toEqual(['debug', 'evaluate']);
    expect(host.alive).toBe(true);
    host.post(run('j1'));
    await until(() => log.length > 0);
    // The invalid report came first (in order on the same port) and went no further.
    expect(log).toEqual(['progress j1 ran debug']);
    expect(console.error).toHaveBeenCalledWith(
      'job service: ignoring an invalid worker message: progress.step: Invalid input: expected number, received string',
    );
    expect(host.starts).toBe(1);
  });

  it('reports a death with its exit code, starts a fresh worker, and takes posts again', async () => {
    host = startHost();
    await host.kinds();
    host.post({ type: 'release', imageId: 'crash' });
    await until(() => log.includes('restarted'));
    expect(log).toEqual(['died: the worker stopped unexpectedly (exit code 70)', 'restarted']);
    expect(host.starts).toBe(2);
    expect(await host.kinds()).toEqual(['debug', 'evaluate']);
    host.post(run('j2'));
    await until(() => log.length === 3);
    expect(log[2]).toBe('progress j2 ran debug');
  });

  it('replaces the worker when a cancelled job does not stop within the grace time', async () => {
    host = startHost({ cancelGraceMs: 100 });
    await host.kinds();
    host.post(run('j3'));
    const t0 = performance.now();
    host.cancel('j3');
    host.cancel('j3'); // asked again: the grace still counts from the first ask
    await until(() => log.includes('restarted'));
    expect(performance.now() - t0).toBeGreaterThanOrEqual(95);
    expect(log.slice(1)).toEqual(['died: a cancelled job did not stop in time', 'restarted']);
    expect(host.starts).toBe(2);
  });

  it('keeps the worker when the cancelled job ends within the grace time', async () => {
    host = startHost({ cancelGraceMs: 100 });
    await host.kinds();
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    host.cancel('j4');
    expect(vi.getTimerCount()).toBe(1);
    host.ended('j4');
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(1000);
    expect(log).toEqual([]);
    expect(host.starts).toBe(1);
  });

  it('drops posts once closed, and reports no death for its own shutdown', async () => {
    host = startHost();
    await host.kinds();
    await host.close(); // resolves once the worker has exited
    expect(host.alive).toBe(false);
    host.post(run('j5'));
    expect(log).toEqual([]);
  });
});
