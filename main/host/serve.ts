// `npm run serve` / `npm start` without Electron: run the local web host (page + API + job service)
// until interrupted. `--allow <folder>` (repeatable) shares a host folder with the page; without it
// the page can only upload photos and download results. User data goes to the folder described in main/service/data-dir.ts.
import { parseArgs } from 'node:util';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { startHost } from './server.js';
import { ApiService } from '../service/api-service.js';
import { JobService } from '../service/job-service.js';
import { resolveDataDir } from '../service/data-dir.js';
import { modelsDir, packageRoot } from '../files/app-paths.js';

const { values } = parseArgs({ options: { port: { type: 'string' }, allow: { type: 'string', multiple: true } } });
const port = values.port === undefined ? 0 : Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  process.stderr.write(`serve: --port must be an integer from 0 to 65535, got '${values.port}'\n`);
  process.exit(2);
}
const jobs = new JobService({
  workerPath: path.join(packageRoot, 'out', 'worker', 'worker.js'),
  dataDir: resolveDataDir(),
  shippedModelsDir: modelsDir,
});
try {
  // Host files outside these folders (and the upload folder) are refused: see path-grants.ts.
  const allow = values.allow ?? [];
  const missing = allow.find((dir) => !existsSync(dir));
  if (missing !== undefined) throw new Error(`--allow: no such folder '${missing}'`);
  const host = await startHost({ port, api: new ApiService(jobs, { door: 'web', allow }) });
  process.stdout.write(`Denoise Lab is running at ${host.url}\n`);
  const stop = (): void => void Promise.all([host.close(), jobs.close()]).then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
} catch (e) {
  await jobs.close();
  process.stderr.write(`serve: cannot start the web host: ${(e as Error).message}\n`);
  process.exit(1);
}
