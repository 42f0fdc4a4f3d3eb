// The reference interpreter: plain TypeScript kernels (one file per op family), run node by node.
// Slow but obviously correct; the ground truth for tests and fine for tiny networks. A graph whose
// values are float64 runs in float64 throughout (Float64Array), so gradient checks are exact enough
// for central differences.

import type { Graph } from '../../ir/graph.js';
import type { Op } from '../../ir/ops.js';
import type { Tensor } from '../../ir/tensor.js';
import type { CompiledGraph, Executor } from '../executor.js';
import { convKernels } from './conv.js';
import { elementwiseKernels } from './elementwise.js';
import type { Kernel } from './kernel.js';
import { matmulKernels } from './matmul.js';
import { poolKernels } from './pool.js';
import { quantizeKernels } from './quantize.js';
import { reduceKernels } from './reduce.js';
import { shapeKernels } from './shape.js';
import { softmaxKernels } from './softmax.js';

/** One kernel per op of the IR; the coverage test checks that none is missing. */
export const referenceKernels: Readonly<Record<Op, Kernel>> = {
  ...elementwiseKernels,
  ...matmulKernels,
  ...convKernels,
  ...poolKernels,
  ...shapeKernels,
  ...reduceKernels,
  ...softmaxKernels,
  ...quantizeKernels,
};

/**
 * Runs `graph` on `feeds` (every input and parameter the requested outputs depend on, by name) and
 * returns the requested outputs (default: all graph outputs). Only the nodes those outputs need run.
 */
export function evaluate(
  graph: Graph,
  feeds: Readonly<Record<string, Tensor>>,
  outputs?: readonly string[],
): Record<string, Tensor> {
  const wanted = outputs ?? graph.outputs.map((v) => v.name);
  for (const name of wanted) graph.value(name); // throws a clear error for an unknown name
  const env = new Map<string, Tensor>();
  for (const [name, t] of graph.constants) env.set(name, t);

  // Walk back from the wanted outputs to the nodes and leaves they need.
  const producers = new Map<string, number>();
  graph.nodes.forEach((n, i) => n.outputs.forEach((o) => producers.set(o, i)));
  const needed = new Set<number>();
  const stack = [...wanted];
  const leaves = new Set<string>();
  while (stack.length > 0) {
    const name = stack.pop()!;
    const p = producers.get(name);
    if (p === undefined) {
      leaves.add(name);
    } else if (!needed.has(p)) {
      needed.add(p);
      for (const i of graph.nodes[p]!.inputs) if (i !== '') stack.push(i);
    }
  }
  for (const name of leaves) {
    if (env.has(name)) continue;
    const value = graph.value(name);
    const feed = feeds[name];
    if (!feed) throw new Error(`reference: no feed for ${graph.kind(name)} '${name}'`);
    if (
      feed.dtype !== value.dtype ||
      feed.shape.length !== value.shape.length ||
      feed.shape.some((d, i) => d !== value.shape[i])
    ) {
      throw new Error(
        `reference: feed '${name}' is ${feed.dtype} [${feed.shape}], the graph expects ${value.dtype} [${value.shape}]`,
      );
    }
    env.set(name, feed);
  }

  const order = [...needed].sort((a, b) => a - b);
  for (const i of order) {
    const node = graph.nodes[i]!;
    const ins = node.inputs.map((n) => (n === '' ? undefined : env.get(n)!));
    const outTypes = node.outputs.map((o) => graph.value(o));
    let results: Tensor[];
    try {
      results = referenceKernels[node.op](ins, node.attrs, outTypes);
    } catch (e) {
      throw new Error(`reference: ${node.op} node '${node.name}' failed: ${(e as Error).message}`, { cause: e });
    }
    node.outputs.forEach((o, j) => env.set(o, results[j]!));
  }
  const result: Record<string, Tensor> = {};
  for (const name of wanted) result[name] = env.get(name)!;
  return result;
}

export class ReferenceExecutor implements Executor {
  readonly name = 'reference' as const;

  async compile(graph: Graph): Promise<CompiledGraph> {
    return {
      run: async (feeds, outputs) => evaluate(graph, feeds, outputs),
      dispose: async () => {},
    };
  }
}
