// The arithmetic of int8 quantisation, ONNX's (QuantizeLinear / DequantizeLinear, opset 13):
// q = saturate(round(x / scale) + zero), x ≈ (q − zero) × scale, rounding half to even. One place
// for the formula: the reference interpreter's kernels and the quantiser's weights use it alike.
//
// The scheme ONNX Runtime's CPU kernels run fastest (measured on AVX512-VNNI, ORT 1.30: uint8
// activations × int8 weights are fused into QLinearConv; int8 × int8 ran 2.2× slower than float):
//   weights      int8, symmetric (zero 0), one scale per output channel, range ±127 (−128 left
//                out, so a product never needs the one value that has no positive twin)
//   activations  uint8, asymmetric, one scale per tensor; the range always holds 0, so zero
//                padding and ReLU's floor are exact

/** Half to even, like numpy.rint and ONNX Runtime. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** QuantizeLinear of one number: the float32 division ORT does, rounded, shifted and saturated. */
export function quantizeNumber(x: number, scale: number, zero: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, roundHalfEven(Math.fround(x / scale)) + zero));
}

/** DequantizeLinear of one number. */
export function dequantizeNumber(q: number, scale: number, zero: number): number {
  return (q - zero) * scale;
}

/**
 * For element i of a tensor of `shape`: its index along `axis`, the channel whose scale and zero
 * point it takes when they are per channel.
 */
export function channelIndexer(shape: readonly number[], axis: number): (i: number) => number {
  const channels = shape[axis]!;
  let inner = 1;
  for (let k = axis + 1; k < shape.length; k++) inner *= shape[k]!;
  return (i) => Math.floor(i / inner) % channels;
}

/** The saturation bounds of a quantised type. */
export function intRange(dtype: 'int8' | 'uint8'): [number, number] {
  return dtype === 'int8' ? [-128, 127] : [0, 255];
}

/** Observed values of an activation, low to high. */
export interface Range {
  min: number;
  max: number;
}

/** uint8 scale and zero point covering `range` (widened to hold 0). */
export function activationParams(range: Range): { scale: number; zero: number } {
  if (!Number.isFinite(range.min) || !Number.isFinite(range.max) || range.min > range.max)
    throw new RangeError(`activation range [${range.min}, ${range.max}] is not a range of numbers`);
  const lo = Math.min(range.min, 0);
  const hi = Math.max(range.max, 0);
  // An activation that is always 0: any scale represents it exactly.
  const scale = hi > lo ? Math.fround((hi - lo) / 255) : 1;
  const zero = Math.min(255, Math.max(0, roundHalfEven(-lo / scale)));
  return { scale, zero };
}

/** Largest weight magnitude int8 holds symmetrically. */
export const WEIGHT_LEVELS = 127;

/**
 * Symmetric per-channel int8 of a weight tensor along `axis`: scale_c = max |w_c| / 127,
 * q = round(w / scale_c). A channel of zeros gets scale 1 (its weights are 0 at any scale).
 */
export function weightParams(
  data: ArrayLike<number>,
  shape: readonly number[],
  axis: number,
): { q: Int8Array; scales: Float32Array } {
  const channelOf = channelIndexer(shape, axis);
  const maxAbs = new Float64Array(shape[axis]!);
  for (let i = 0; i < data.length; i++) {
    const c = channelOf(i);
    maxAbs[c] = Math.max(maxAbs[c]!, Math.abs(data[i]!));
  }
  const scales = Float32Array.from(maxAbs, (m) => (m > 0 ? m / WEIGHT_LEVELS : 1));
  const q = new Int8Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const c = channelOf(i);
    q[i] = quantizeNumber(data[i]!, scales[c]!, 0, -WEIGHT_LEVELS, WEIGHT_LEVELS);
  }
  return { q, scales };
}
