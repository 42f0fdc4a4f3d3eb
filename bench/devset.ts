// What the devset benchmarks (`bench:quality`, `bench:real`) share: finding the development
// photos and the shipped denoisers, running a Python peer on the noisy images strictly after our
// side (in its own process, its threads pinned to ours), and averaging scores and timings. Not
// used by the app; benchmarks are never tests.

import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { encodeNpy, parseNpy } from '../main/files/npy.js';
import { withData, type Image, type ImageMetrics } from '../main/imaging/index.js';
import { cropImage } from '../main/imaging/image.js';
import { modelsDir, packageRoot } from '../main/files/app-paths.js';
import { listShippedModels } from '../main/service/models.js';

/** Debian's Python, where python3-skimage and python3-opencv install (not a virtual environment's). */
export const PYTHON = '/usr/bin/python3';

/** ../shared/datasets/devset beside the checkout. */
export const DEFAULT_DEVSET = path.resolve(packageRoot, '..', 'shared', 'datasets', 'devset');

/** One line on stderr: progress and notes, kept apart from the table or --json on stdout. */
export const log = (text: string): void => void process.stderr.write(text + '\n');

/** The devset's photos (sorted, the first `limit` if given); exits 2 with one line if it is absent. */
export function devsetPhotos(bench: string, devset: string, limit?: number): string[] {
  if (!existsSync(devset)) {
    log(`${bench}: no development photos at ${devset}; pass --devset <folder of PNGs>`);
    process.exit(2);
  }
  const photos = readdirSync(devset)
    .filter((f) => /\.(png|jpe?g|tiff?|webp)$/i.test(f))
    .sort();
  return limit === undefined ? photos : photos.slice(0, limit);
}

/** The shipped models whose card says they are denoisers (residual networks), default first. */
export async function shippedDenoisers(): Promise<string[]> {
  return (await listShippedModels(modelsDir))
    .filter((m) => (m.architectureSpec as { network?: { type?: string } } | undefined)?.network?.type === 'residual')
    .map((m) => m.file);
}

/** Whether /usr/bin/python3 can import every module named. */
export function hasPython(...modules: string[]): boolean {
  if (!existsSync(PYTHON)) return false;
  const r = spawnSync(PYTHON, ['-c', modules.map((m) => `import ${m}`).join('; ')], { stdio: 'ignore' });
  return r.status === 0;
}

/** The mean of a list of numbers (a noise map, a column of results). */
export function mean(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]!;
  return s / a.length;
}

/** The centre side×side of a photo (all of it along a side that is shorter). */
export function centreCrop(image: Image, side: number): Image {
  const width = Math.min(side, image.width);
  const height = Math.min(side, image.height);
  return cropImage(image, { x: (image.width - width) >> 1, y: (image.height - height) >> 1, width, height });
}

/** Samples as an 8-bit file stores them: clipped to [0, 1] and rounded to 1/255. */
export function quantise8(data: Float32Array): Float32Array {
  const out = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = Math.round(Math.min(1, Math.max(0, data[i]!)) * 255) / 255;
  return out;
}

export function clip01(data: Float32Array): Float32Array {
  const out = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = Math.min(1, Math.max(0, data[i]!));
  return out;
}

/** Mean PSNR/SSIM (colour and luma) per key, a key being the fields that name one table row. */
export class Accumulator<K extends Record<string, string | number>> {
  private sums = new Map<string, K & ImageMetricsSums>();
  add(key: K, m: ImageMetrics): void {
    const id = JSON.stringify(Object.values(key));
    const row = this.sums.get(id) ?? { ...key, psnr: 0, ssim: 0, psnr_y: 0, ssim_y: 0, n: 0 };
    row.psnr += m.psnr;
    row.ssim += m.ssim;
    row.psnr_y += m.psnr_y;
    row.ssim_y += m.ssim_y;
    row.n += 1;
    this.sums.set(id, row);
  }
  rows(): (K & ImageMetricsSums)[] {
    return [...this.sums.values()].map((r) => ({
      ...r,
      psnr: r.psnr / r.n,
      ssim: r.ssim / r.n,
      psnr_y: r.psnr_y / r.n,
      ssim_y: r.ssim_y / r.n,
    }));
  }
}

interface ImageMetricsSums {
  psnr: number;
  ssim: number;
  psnr_y: number;
  ssim_y: number;
  n: number;
}

/** Seconds per megapixel, summed over runs, per method (or any other label). */
export class Timing {
  private totals: Record<string, { seconds: number; megapixels: number }> = {};
  add(label: string, seconds: number, megapixels: number): void {
    const t = (this.totals[label] ??= { seconds: 0, megapixels: 0 });
    t.seconds += seconds;
    t.megapixels += megapixels;
  }
  secondsPerMp(): Record<string, number> {
    return Object.fromEntries(Object.entries(this.totals).map(([k, t]) => [k, t.seconds / t.megapixels]));
  }
}

/** One image for a Python peer: its noisy input, where its output goes, and what to score it with. */
export interface PeerJob<T> {
  in: string;
  out: string;
  /** Extra fields the peer reads (a σ estimate…). */
  extra?: Record<string, number>;
  /** What the caller needs back to score the result (not sent). */
  tag: T;
}

/** Writes a noisy image as the float32 C×H×W .npy a peer reads; returns its job. */
export function peerJob<T>(
  dir: string,
  name: string,
  noisy: Image,
  tag: T,
  extra?: Record<string, number>,
): PeerJob<T> {
  const base = path.join(dir, name);
  writeFileSync(`${base}-in.npy`, encodeNpy(noisy.data, [noisy.channels, noisy.height, noisy.width]));
  return { in: `${base}-in.npy`, out: `${base}-out.npy`, tag, ...(extra ? { extra } : {}) };
}

/**
 * Runs bench/peers/<script> on the jobs in one process with `threads` threads (OMP_NUM_THREADS,
 * and the script pins its own library's pool to THREADS), then hands each job its clipped result
 * (shaped like the job's clean image) and seconds. The script prints one JSON document with a `seconds` list and anything else (such
 * as its library's version), which is returned.
 */
export function runPythonPeer<T extends { clean: Image }>(
  script: string,
  jobs: PeerJob<T>[],
  threads: number,
  onResult: (job: PeerJob<T>, result: Image, seconds: number) => void,
): Record<string, unknown> {
  const r = spawnSync(PYTHON, [path.join(packageRoot, 'bench', 'peers', script)], {
    input: JSON.stringify(jobs.map((j) => ({ in: j.in, out: j.out, ...j.extra }))),
    encoding: 'utf8',
    maxBuffer: 1 << 26,
    env: { ...process.env, OMP_NUM_THREADS: String(threads), THREADS: String(threads) },
  });
  if (r.status !== 0) throw new Error(`${script} failed: ${r.stderr}`);
  const report = JSON.parse(r.stdout) as { seconds: number[] } & Record<string, unknown>;
  jobs.forEach((job, i) => {
    const out = parseNpy(readFileSync(job.out), job.out);
    onResult(job, withData(job.tag.clean, clip01(out.data as Float32Array)), report.seconds[i]!);
  });
  return report;
}

export function printTiming(secondsPerMp: Record<string, number>): void {
  const lines = ['', '| method | seconds per megapixel |', '| --- | --- |'];
  for (const [m, s] of Object.entries(secondsPerMp)) lines.push(`| ${m} | ${s.toFixed(2)} |`);
  process.stdout.write(lines.join('\n') + '\n');
}
