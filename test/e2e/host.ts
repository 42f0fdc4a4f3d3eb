// Starts the built local web host exactly as `npm run serve` does and reads the URL it prints.
// User data goes to a fresh temp folder so tests never touch the real one; a test that restarts the
// host passes the first one's folder on (an earlier session's data) and removes it itself.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface StartedHost {
  url: string;
  origin: string;
  token: string;
  /** The user data folder the host was given (removed by stop() when the host made it). */
  dataDir: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

export async function startBuiltHost(
  extraArgs: string[] = [],
  options: { dataDir?: string } = {},
): Promise<StartedHost> {
  const ownData = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(path.join(tmpdir(), 'dl-e2e-data-'));
  const child = spawn(process.execPath, [path.resolve('out/host/serve.js'), ...extraArgs], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, DENOISE_LAB_DATA_DIR: dataDir },
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => reject(new Error(`web host did not start in 20 s: ${stderr}`)), 20_000);
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      const m = /Denoise Lab is running at (http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)/.exec(stdout);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.once('exit', (code) => reject(new Error(`web host exited with ${code}: ${stderr}`)));
  });
  const parsed = new URL(url);
  return {
    url,
    origin: parsed.origin,
    token: parsed.searchParams.get('token')!,
    process: child,
    dataDir,
    stop: () =>
      new Promise<void>((resolve) => {
        const done = () => {
          if (ownData) rmSync(dataDir, { recursive: true, force: true });
          resolve();
        };
        if (child.exitCode !== null) return done();
        child.once('exit', done);
        child.kill('SIGTERM');
      }),
  };
}
