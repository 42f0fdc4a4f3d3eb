// The worker path (Electron and the web host run jobs through the job service's worker thread):
// a training job in a fresh process whose home and temporary folder are empty folders of this test
// writes nothing outside the data folder. A worker thread's process.env never reaches native code,
// so ONNX Runtime's telemetry switch must be thrown by the main thread before the worker starts.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { nodeBundle } from '../../helpers/node-bundle.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../helpers/temp-dir.js';
import { buildWorker } from './harness.js';

const root = path.resolve(import.meta.dirname, '../../..');

// A process that starts a job service, runs a 5-step training job on the digits and exits.
const driverSource = `
import { JobService } from './main/service/job-service.js';
const [workerPath, dataDir, shippedModelsDir] = process.argv.slice(2);
const service = new JobService({ workerPath, dataDir, shippedModelsDir });
const { jobId } = await service.start({
  kind: 'train',
  params: { architecture: 'dense:64-16-64', data: { kind: 'digits' }, noise: { type: 'none', level: 0 }, steps: 5, batch: 8, lr: 0.01, seed: 1 },
});
const outcome = await service.wait(jobId);
await service.close();
process.stdout.write(outcome.state);
`;

let worker: Awaited<ReturnType<typeof buildWorker>>;
let driverDir: string;

beforeAll(async () => {
  worker = await buildWorker();
  driverDir = mkdtempSync(path.join(root, 'node_modules', '.cache', 'denoise-lab-tests', 'driver-'));
  await build({
    absWorkingDir: root,
    stdin: { contents: driverSource, resolveDir: root, loader: 'ts', sourcefile: 'driver.ts' },
    outfile: path.join(driverDir, 'driver.js'),
    ...nodeBundle,
  });
});
afterAll(() => {
  worker.dispose();
  rmSync(driverDir, { recursive: true, force: true });
});

function walk(dir: string, rel = ''): string[] {
  return readdirSync(path.join(dir, rel), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? [`${path.join(rel, e.name)}/`, ...walk(dir, path.join(rel, e.name))] : [path.join(rel, e.name)],
  );
}

describe('no telemetry from the worker', () => {
  it('a training job through the job service writes nothing in the home folder', async () => {
    const box = tempDir('dl-telemetry-');
    const home = path.join(box, 'home');
    for (const d of ['home', 'tmp', 'data', 'shipped']) mkdirSync(path.join(box, d));
    writeFileSync(path.join(box, 'shipped', '.keep'), '');
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [path.join(driverDir, 'driver.js'), worker.workerPath, path.join(box, 'data'), path.join(box, 'shipped')],
      {
        env: {
          PATH: process.env.PATH ?? '',
          HOME: home,
          XDG_CACHE_HOME: path.join(home, '.cache'),
          XDG_CONFIG_HOME: path.join(home, '.config'),
          XDG_DATA_HOME: path.join(home, '.local/share'),
          TMPDIR: path.join(box, 'tmp'),
        },
        timeout: 30_000,
      },
    );
    expect(stdout).toBe('done');
    expect(walk(home)).toEqual([]);
    // The run's checkpoint is in the data folder, where it belongs.
    expect(walk(path.join(box, 'data')).some((p) => p.endsWith('.ckpt'))).toBe(true);
  });
});
