// Test harness for the job service. The worker thread runs main/worker/worker.ts, which Node cannot
// load as TypeScript; the harness bundles it with esbuild (the same options as scripts/build.mjs)
// into a private folder under node_modules/.cache once per test file — well under a second — and
// points the service at it through its `workerPath` option.
import { build } from 'esbuild';
import { nodeBundle } from '../../helpers/node-bundle.js';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { JobService, type JobServiceOptions } from '../../../main/service/job-service.js';
import type { JobEvent } from '../../../common/contract/index.js';
import { tempDir } from '../../helpers/temp-dir.js';

const root = path.resolve(import.meta.dirname, '../../..');

export async function buildWorker(): Promise<{ workerPath: string; dispose(): void }> {
  const cache = path.join(root, 'node_modules', '.cache', 'denoise-lab-tests');
  mkdirSync(cache, { recursive: true });
  const dir = mkdtempSync(path.join(cache, 'worker-'));
  await build({
    absWorkingDir: root,
    entryPoints: { worker: 'main/worker/worker.ts' },
    outdir: dir,
    ...nodeBundle,
  });
  return { workerPath: path.join(dir, 'worker.js'), dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface Harness {
  service: JobService;
  dataDir: string;
  events: JobEvent[];
  close(): Promise<void>;
}

export function startService(workerPath: string, extra: Partial<JobServiceOptions> = {}): Harness {
  const dataDir = tempDir('dl-data-');
  const shipped = tempDir('dl-shipped-');
  const service = new JobService({
    workerPath,
    dataDir,
    shippedModelsDir: shipped,
    debugJobs: true,
    heartbeatMs: 200,
    ...extra,
  });
  const events: JobEvent[] = [];
  service.onEvent((e) => events.push(e));
  return {
    service,
    dataDir,
    events,
    async close() {
      await service.close();
      rmSync(dataDir, { recursive: true, force: true });
      rmSync(shipped, { recursive: true, force: true });
    },
  };
}

/**
 * A smooth 64×48 RGB test photo with values in [60, 190], so Gaussian noise of σ = 25 is almost
 * never clipped and the measured PSNR must be close to 20·log10(255/25) = 20.17 dB.
 */
export async function writeTestPng(file: string, width = 64, height = 48): Promise<void> {
  const raw = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      raw[i] = 60 + Math.round((130 * x) / (width - 1));
      raw[i + 1] = 60 + Math.round((130 * y) / (height - 1));
      raw[i + 2] = 125;
    }
  await sharp(raw, { raw: { width, height, channels: 3 } })
    .png()
    .toFile(file);
}

export function until(predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const tick = () => {
      if (predicate()) return resolve();
      if (Date.now() - started > timeoutMs) return reject(new Error('condition not met in time'));
      setTimeout(tick, 10);
    };
    tick();
  });
}
