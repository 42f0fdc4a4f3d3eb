// The reference workload every speed benchmark measures, ours and the peers' alike.
//
// ref-dae: conv 3×3 1→32 + ReLU, five conv 3×3 32→32 + ReLU, conv 3×3 32→1, zero padding 1,
// biases, output = input − last conv (46,849 parameters); batch 16 of 1×48×48, MSE to the clean
// patch, Adam lr 1e-3, Gaussian noise σ 25 on the 0–255 scale.

import { paramSpecs, preset } from '../common/model/index.js';
import { Rng } from '../common/rng.js';
import { Tensor } from '../main/engine/ir/tensor.js';
import { initParams } from '../main/engine/nn/index.js';
export const WORKLOAD = {
  arch: 'ref-dae',
  batch: 16,
  patch: 48,
  lr: 1e-3,
  sigma: 25,
} as const;

export function workloadArch() {
  const arch = preset(WORKLOAD.arch);
  if (!arch) throw new Error(`bench: no '${WORKLOAD.arch}' preset`);
  return arch;
}

/**
 * Seeded initial parameters and one noisy/clean batch of `batch` random patches: every side that
 * trains the workload starts from the same kind of state.
 */
export function workloadState(batch: number) {
  const arch = workloadArch();
  const rng = new Rng(2024);
  const params = initParams(paramSpecs(arch), rng);
  const shape = [batch, 1, WORKLOAD.patch, WORKLOAD.patch];
  const clean = new Float32Array(shape.reduce((a, b) => a * b, 1));
  const noisy = new Float32Array(clean.length);
  for (let i = 0; i < clean.length; i++) {
    clean[i] = rng.uniform();
    noisy[i] = clean[i]! + (rng.normal() * WORKLOAD.sigma) / 255;
  }
  return { arch, params, clean: new Tensor('float32', shape, clean), noisy: new Tensor('float32', shape, noisy) };
}
