// `npm start`: open the Electron window when Electron is installed, otherwise run the local web host.
// (Electron's binary is an optional dependency: its download fails on machines without internet.)
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const require = createRequire(import.meta.url);

function electronBinary() {
  try {
    // The electron package exports the path of its binary when imported from Node.
    const bin = require('electron');
    return typeof bin === 'string' && existsSync(bin) ? bin : null;
  } catch {
    return null;
  }
}

if (!existsSync(path.join(root, 'out', 'renderer', 'index.html'))) {
  console.error('Denoise Lab is not built yet: run `npm install` (or `npm run build`) first.');
  process.exit(2);
}

// On Linux the app's memory comes in huge pages (out/cli/huge-pages.js says why and how).
const { lacksHugePages, withHugePages } = await import(path.join(root, 'out', 'cli', 'huge-pages.js'));
const env = lacksHugePages(process.env) ? withHugePages(process.env) : process.env;
const electron = electronBinary();
const args = process.argv.slice(2);
const child = electron
  ? spawn(electron, [root, ...args], { stdio: 'inherit', env })
  : spawn(process.execPath, [path.join(root, 'out', 'host', 'serve.js'), ...args], { stdio: 'inherit', env });
if (!electron) console.error('Electron is not installed; serving the app in your browser instead.');
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
