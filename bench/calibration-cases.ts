// What the calibration scripts of a noise estimator (calibrate-jpeg.ts, calibrate-grain.ts) share:
// which training photos they sample, and how they read a case's PSNR at any factor on its noise
// map from the PSNRs measured at a grid of factors.
import { readdirSync } from 'node:fs';

/** `count` PNGs of a folder, every k-th by name, so that the sample spans the whole set. */
export function spreadPhotos(dir: string, count: number): string[] {
  const all = readdirSync(dir)
    .filter((f) => f.endsWith('.png'))
    .sort();
  const stride = Math.max(1, Math.floor(all.length / count));
  return all.filter((_, i) => i % stride === 0).slice(0, count);
}

/**
 * The PSNR at `factor` on the map, from `psnr[k]` measured at `factors[k]` (ascending): linear in
 * ln(factor) between grid points, held at the grid's ends.
 */
export function psnrAtFactor(factors: readonly number[], psnr: readonly number[], factor: number): number {
  const x = Math.log(Math.min(factors.at(-1)!, Math.max(factors[0]!, factor)));
  let k = 0;
  while (k < factors.length - 2 && Math.log(factors[k + 1]!) < x) k++;
  const [a, b] = [Math.log(factors[k]!), Math.log(factors[k + 1]!)];
  const t = (x - a) / (b - a);
  return (1 - t) * psnr[k]! + t * psnr[k + 1]!;
}
