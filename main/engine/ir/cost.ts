// What a graph costs to run, counted from its static shapes: the multiply-adds of its convolutions
// and matrix products, where nearly all of a network's time goes. Used to tell a step worth
// splitting over threads from one too small to repay the split.

import type { Graph } from './graph.js';
import { intAttr } from './ops.js';
import { sizeOf } from './tensor.js';

export function multiplyAdds(g: Graph): number {
  let total = 0;
  const shape = (name: string) => g.value(name).shape;
  for (const node of g.nodes) {
    switch (node.op) {
      case 'Conv': {
        // Each output element sums C/group × kernel products: the weight [O, C/g, k…] per output channel.
        const w = shape(node.inputs[1]!);
        total += sizeOf(shape(node.outputs[0]!)) * (sizeOf(w) / w[0]!);
        break;
      }
      case 'ConvTranspose': {
        // Each input element is spread over O/group × kernel outputs: the weight [C, O/g, k…] per input channel.
        const w = shape(node.inputs[1]!);
        total += sizeOf(shape(node.inputs[0]!)) * (sizeOf(w) / w[0]!);
        break;
      }
      case 'MatMul':
      case 'Gemm': {
        const a = shape(node.inputs[0]!);
        const transA = node.op === 'Gemm' && intAttr(node.attrs, 'transA', 0) === 1;
        const k = a.length === 1 ? a[0]! : transA ? a[a.length - 2]! : a[a.length - 1]!;
        total += sizeOf(shape(node.outputs[0]!)) * k;
        break;
      }
    }
  }
  return total;
}
