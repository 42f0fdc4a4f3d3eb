// Node names: ONNX requires them unique and ORT refuses a model that repeats one, so the graph
// names nodes uniquely where they are made (the writer copies them as they are).
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { Graph } from '../../../main/engine/ir/graph.js';
import { toOnnx } from '../../../main/engine/onnx/index.js';
import { decodeModel } from '../../../main/engine/onnx/proto.js';

/** relu(relu(x) + 1) twice over, in two scopes and at the top: the same op many times. */
function repeatedOps(): Graph {
  const g = new Graph();
  let h = g.input('x', [1, 4]);
  for (const scope of ['a', 'a', 'b']) h = g.scope(scope, () => g.relu(g.add(g.relu(h), g.scalar(1))));
  g.output(g.relu(g.relu(h)), 'y');
  return g;
}

describe('IR node names', () => {
  it('are unique in the graph, each under its scope', () => {
    const names = repeatedOps().nodes.map((n) => n.name);
    // Each op of a scope is numbered within it (the same op in two scopes keeps its own count).
    expect(names.filter((n) => n.startsWith('a/'))).toHaveLength(6);
    expect(names.filter((n) => n.startsWith('b/'))).toHaveLength(3);
    expect(new Set(names).size).toBe(names.length);
  });

  it('reach the ONNX file as they are, and ORT loads and runs it', async () => {
    const g = repeatedOps();
    const bytes = toOnnx(g);
    expect(decodeModel(bytes).graph!.node!.map((n) => n.name)).toEqual(g.nodes.map((n) => n.name));
    const session = await ort.InferenceSession.create(bytes);
    try {
      const x = new ort.Tensor('float32', Float32Array.from([-2, -0.5, 0, 3]), [1, 4]);
      const { y } = await session.run({ x });
      // Each scope maps h to relu(relu(h) + 1): −2 and −0.5 and 0 → 1 → 2 → 3; 3 → 4 → 5 → 6.
      expect(Array.from(y!.data as Float32Array)).toEqual([3, 3, 3, 6]);
    } finally {
      await session.release();
    }
  });
});
