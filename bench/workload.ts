// The reference workload every speed benchmark measures, ours and the peers' alike.
//
// ref-dae: conv 3×3 1→32 + ReLU, five conv 3×3 32→32 + ReLU, conv 3×3 32→1, zero padding 1,
// biases, output = input − last conv (46,849 parameters); batch 16 of 1×48×48, MSE to the clean
// patch, Adam lr 1e-3, Gaussian noise σ 25 on the 0–255 scale.
export const WORKLOAD = {
  arch: 'ref-dae',
  batch: 16,
  patch: 48,
  lr: 1e-3,
  sigma: 25,
} as const;
