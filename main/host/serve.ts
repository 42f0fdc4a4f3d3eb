// `npm run serve` / `npm start` without Electron: run the local web host until interrupted.
import { parseArgs } from 'node:util';
import { startHost } from './server.js';

const { values } = parseArgs({ options: { port: { type: 'string' } } });
const port = values.port === undefined ? 0 : Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  process.stderr.write(`serve: --port must be an integer from 0 to 65535, got '${values.port}'\n`);
  process.exit(2);
}
try {
  const host = await startHost({ port });
  process.stdout.write(`Denoise Lab is running at ${host.url}\n`);
  const stop = (): void => void host.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
} catch (e) {
  process.stderr.write(`serve: cannot start the web host: ${(e as Error).message}\n`);
  process.exit(1);
}
