// The same graphs on ORT-node, ORT-web (wasm) and the reference interpreter give the same numbers
// within float32 tolerance.
import { afterAll, describe, expect, it } from 'vitest';
import { everyOpGraph } from '../../../scripts/fixtures/onnx_graphs.js';
import { createExecutor, type CompiledGraph } from '../../../main/engine/exec/index.js';
import type { Tensor } from '../../../main/engine/ir/tensor.js';

/** Largest |a − b| / (atol/rtol + rtol·|b|)-style error; ≤ 1 means within tolerance. */
function expectClose(name: string, actual: Tensor, expected: Tensor, rtol = 1e-4, atol = 1e-5): void {
  expect(actual.shape, name).toEqual(expected.shape);
  expect(actual.dtype, name).toBe(expected.dtype);
  let worst = 0;
  let at = -1;
  for (let i = 0; i < expected.size; i++) {
    const a = Number(actual.data[i]);
    const b = Number(expected.data[i]);
    const err = Math.abs(a - b) / (atol + rtol * Math.abs(b));
    if (!(err <= worst)) {
      worst = err;
      at = i;
    }
  }
  expect(worst, `${name}[${at}]: ${actual.data[at]} vs ${expected.data[at]}`).toBeLessThanOrEqual(1);
}

describe('every op of the IR on three executors', () => {
  const { graph, feeds } = everyOpGraph();
  const compiled: CompiledGraph[] = [];
  afterAll(async () => Promise.all(compiled.map((c) => c.dispose())));

  it('ORT-node and ORT-web match the reference interpreter on every output', async () => {
    const results: Record<string, Record<string, Tensor>> = {};
    for (const name of ['reference', 'ort-node', 'ort-web'] as const) {
      const c = await (await createExecutor(name, { threads: 1 })).compile(graph);
      compiled.push(c);
      results[name] = await c.run(feeds);
    }
    const reference = results.reference!;
    expect(Object.keys(reference).sort()).toEqual(graph.outputs.map((v) => v.name).sort());
    for (const executor of ['ort-node', 'ort-web']) {
      for (const [name, expected] of Object.entries(reference))
        expectClose(`${executor} ${name}`, results[executor]![name]!, expected);
    }
  });
});
