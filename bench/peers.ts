// Where the benchmarks' peers live and what runs them: Debian's Python (with torch, for the
// PyTorch peers) and the scripts in bench/peers/.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { packageRoot } from '../main/files/app-paths.js';
import { ServedPeer } from './served-peer.js';

export const PYTHON = '/usr/bin/python3';
export const PEERS = path.join(packageRoot, 'bench', 'peers');

/** PyTorch's version, or null where /usr/bin/python3 has no torch. */
export function torchVersion(): string | null {
  if (!existsSync(path.join(PEERS, 'torch_ref_dae.py'))) return null;
  const r = spawnSync(PYTHON, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8', timeout: 60_000 });
  return r.status === 0 ? r.stdout.trim() : null;
}

/** The PyTorch side of the engine-step comparison (peers/torch_ref_dae.py --serve). */
export async function startTorchPeer(threads: number, inferSize: number, batch = 16): Promise<ServedPeer> {
  const args = [path.join(PEERS, 'torch_ref_dae.py'), '--serve', '--threads', String(threads)];
  args.push('--infer-size', String(inferSize), '--batch', String(batch));
  return ServedPeer.start(`PyTorch (${threads} thread(s))`, PYTHON, args);
}

/** Our side of it: the engine in its own process (engine-peer.ts, built to out/bench/ by npm run build). */
export async function startEnginePeer(
  executor: 'ort-node' | 'ort-web',
  threads: number,
  inferSize: number,
  batch = 16,
): Promise<ServedPeer> {
  const script = path.join(packageRoot, 'out', 'bench', 'engine-peer.js');
  const args = [script, '--executor', executor, '--threads', String(threads)];
  args.push('--infer-size', String(inferSize), '--batch', String(batch));
  return ServedPeer.start(`${executor} (${threads} thread(s))`, process.execPath, args);
}
