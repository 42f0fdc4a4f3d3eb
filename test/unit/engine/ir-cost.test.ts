// The cost count behind the choice to split a training step over threads (ml/train/step-graph.ts).
import { describe, expect, it } from 'vitest';
import { preset } from '../../../common/model/index.js';
import { Graph } from '../../../main/engine/ir/graph.js';
import { multiplyAdds } from '../../../main/engine/ir/index.js';
import { buildTrainingModel } from '../../../main/engine/nn/index.js';

describe('multiplyAdds', () => {
  it('counts the products of convolutions and matrix products from their shapes', () => {
    const g = new Graph();
    const x = g.input('x', [2, 3, 6, 5]);
    const y = g.conv(x, g.parameter('w', [4, 3, 3, 3]), null, { pads: [1, 1, 1, 1] }); // 240 outputs × 27
    g.convTranspose(y, g.parameter('wt', [4, 2, 2, 2]), null, { strides: [2, 2] }); // 240 inputs × 8
    g.matmul(g.input('a', [2, 3, 4]), g.input('b', [4, 5])); // 30 outputs × 4
    g.gemm(g.input('c', [4, 3]), g.input('d', [4, 5]), null, { transA: true }); // 15 outputs × 4
    expect(multiplyAdds(g)).toBe(240 * 27 + 240 * 8 + 30 * 4 + 15 * 4);
    expect(
      multiplyAdds(buildTrainingModel(preset('ref-dae')!, { batch: 16, sampleShape: [1, 48, 48] }).forward.graph),
    ).toBe(16 * 2304 * (9 * 32 + 5 * 9 * 32 * 32 + 9 * 32));
  });
});
