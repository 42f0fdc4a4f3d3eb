// Reverse-mode autodiff that emits the backward pass as more IR.
//
// backward(graph, loss, wrt) walks the forward nodes in reverse, asks each node's rule in
// grad/rules.ts for its input gradients, sums gradients of values used more than once, and sums
// broadcast gradients back to their operand's shape. Only nodes on a path from some `wrt` value to
// the loss are differentiated; non-float values and NO_GRADIENT ops stop the flow.

import type { Graph, Value } from '../ir/graph.js';
import { Tensor, isFloat, sizeOf } from '../ir/tensor.js';
import { unbroadcast } from './adjoints.js';
import { NO_GRADIENT, type GradRules, gradRules } from './rules.js';

export interface BackwardOptions {
  /** Gradient of the final objective with respect to `loss` (default: ones, i.e. d loss / d loss). */
  seed?: Value;
  /**
   * The gradient rules to use (default: the one table in rules.ts). A study of other formulations
   * passes its own table (`{ ...gradRules, Conv: other }`) rather than changing the shared one.
   */
  rules?: GradRules;
}

/**
 * Adds the gradient of `loss` with respect to each value of `wrt` to `graph` and returns them by
 * name. `loss` must hold a single element unless a `seed` of its shape is given. A `wrt` value the
 * loss does not depend on gets a zero gradient.
 */
export function backward(
  graph: Graph,
  loss: Value,
  wrt: readonly Value[],
  options: BackwardOptions = {},
): Map<string, Value> {
  if (!isFloat(loss.dtype)) throw new Error(`backward: loss '${loss.name}' is ${loss.dtype}, not a float`);
  if (!options.seed && sizeOf(loss.shape) !== 1) {
    throw new Error(`backward: loss '${loss.name}' has shape [${loss.shape}]; reduce it to one element or pass a seed`);
  }
  for (const w of wrt) {
    if (graph.values.get(w.name) !== w && !graph.values.has(w.name))
      throw new Error(`backward: '${w.name}' is not in this graph`);
  }
  return graph.scope('bwd', () => {
    const nodes = [...graph.nodes]; // the forward part only; gradient nodes are appended as we go

    // Values that depend on some wrt value (forward sweep).
    const active = new Set(wrt.map((w) => w.name));
    for (const n of nodes) {
      if (n.inputs.some((i) => active.has(i)))
        for (const o of n.outputs) if (isFloat(graph.value(o).dtype)) active.add(o);
    }

    const grads = new Map<string, Value>();
    const accumulate = (name: string, grad: Value): void => {
      const prev = grads.get(name);
      grads.set(name, prev ? graph.add(prev, grad) : grad);
    };
    accumulate(
      loss.name,
      options.seed ?? graph.constant(new Tensor(loss.dtype, loss.shape, new Array(sizeOf(loss.shape)).fill(1)), 'seed'),
    );

    for (let i = nodes.length - 1; i >= 0; i--) {
      const node = nodes[i]!;
      const dy = grads.get(node.outputs[0]!);
      if (!dy) continue;
      const needs = node.inputs.map((name) => name !== '' && active.has(name) && isFloat(graph.value(name).dtype));
      if (!needs.some(Boolean)) continue;
      const rule = (options.rules ?? gradRules)[node.op];
      if (rule === NO_GRADIENT) continue;
      const inputs = node.inputs.map((name) => (name === '' ? null : graph.value(name)));
      const dInputs = rule({ g: graph, node, inputs, y: graph.value(node.outputs[0]!), dy, needs });
      dInputs.forEach((d, j) => {
        if (!d || !needs[j]) return;
        const input = inputs[j]!;
        accumulate(input.name, unbroadcast(graph, d, input.shape));
      });
    }

    const result = new Map<string, Value>();
    for (const w of wrt) result.set(w.name, grads.get(w.name) ?? graph.expand(graph.scalar(0, w.dtype), [...w.shape]));
    return result;
  });
}
