// The index table shared by convolution, transposed convolution and pooling.
//
// All of them relate a "small" spatial grid (conv/pool output, transposed-conv input) to a "big"
// one (conv/pool input, transposed-conv output) by  big = small·stride − padBegin + k·dilation
// per axis. Conv and pooling gather big → small; ConvTranspose scatters small → big.

import { type Attrs, intsAttr } from '../../ir/ops.js';
import { type Shape, sizeOf } from '../../ir/tensor.js';
import { stridesOf } from './kernel.js';

export interface WindowGeometry {
  strides: readonly number[];
  pads: readonly number[];
  dilations: readonly number[];
}

export function windowGeometry(attrs: Attrs, spatialRank: number): WindowGeometry {
  return {
    strides: intsAttr(attrs, 'strides', Array(spatialRank).fill(1)),
    pads: intsAttr(attrs, 'pads', Array(2 * spatialRank).fill(0)),
    dilations: intsAttr(attrs, 'dilations', Array(spatialRank).fill(1)),
  };
}

/**
 * table[l·K + k] = flat index in the big grid touched by small position l and kernel offset k,
 * or -1 where that falls in the padding. K = number of kernel offsets.
 */
export function windowTable(small: Shape, big: Shape, kernel: Shape, geo: WindowGeometry): Int32Array {
  const sp = small.length;
  const L = sizeOf(small);
  const K = sizeOf(kernel);
  const bigStrides = stridesOf(big);
  const table = new Int32Array(L * K);
  const li = new Array<number>(sp).fill(0);
  for (let l = 0; l < L; l++) {
    const ki = new Array<number>(sp).fill(0);
    for (let k = 0; k < K; k++) {
      let flat = 0;
      for (let a = 0; a < sp; a++) {
        const c = li[a]! * geo.strides[a]! - geo.pads[a]! + ki[a]! * geo.dilations[a]!;
        if (c < 0 || c >= big[a]!) {
          flat = -1;
          break;
        }
        flat += c * bigStrides[a]!;
      }
      table[l * K + k] = flat;
      increment(ki, kernel);
    }
    increment(li, small);
  }
  return table;
}

function increment(idx: number[], shape: Shape): void {
  for (let a = idx.length - 1; a >= 0; a--) {
    idx[a]!++;
    if (idx[a]! < shape[a]!) return;
    idx[a] = 0;
  }
}
