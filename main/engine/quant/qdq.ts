// Post-training quantisation of a float inference graph into a QDQ graph: the float graph with
// QuantizeLinear → DequantizeLinear pairs on the activations that int8 kernels should read and
// write, and DequantizeLinear on int8 weights. ONNX Runtime's graph optimiser recognises
// DQ → Conv → Q (and DQ, DQ → Add → Q) and runs each group as one int8 kernel (QLinearConv,
// QLinearAdd); every other op stays float and reads the dequantised values, so the graph means
// the same on any runtime (the reference interpreter runs it too, slowly).
//
// Which values are quantised (quantizationPoints): the input of every quantised convolution, its
// output (after its ReLU, when the ReLU is its only reader: ORT folds a ReLU into the output's
// uint8 floor), and the output of an Add both of whose inputs are quantised and which a quantised
// conv or another Add reads (the residual stream of the shipped denoisers, so it stays int8 from
// block to block; the last sum, read by the float ConvTranspose, stays float). Their ranges come from
// calibration (ranges.ts); the arithmetic is scheme.ts's.

import { Graph, type Node, type Value } from '../ir/graph.js';
import type { Op } from '../ir/ops.js';
import { Tensor } from '../ir/tensor.js';
import { type Range, activationParams, weightParams } from './scheme.js';

export interface QdqOptions {
  /**
   * Op types left in float (default ConvTranspose: ORT's CPU provider has no int8 kernel for it,
   * so a quantised one would only add a round trip).
   */
  floatOps?: readonly Op[];
  /** Convolutions left in float, by the name of their weight (e.g. 'conv0.weight', the first). */
  floatWeights?: readonly string[];
  /** Quantise the output of an Add of two quantised values (default true: ORT then runs QLinearAdd). */
  quantizeAdds?: boolean;
  /**
   * Activations left in float, by value name, though the rules above would quantise them (their
   * readers then read float; a quantised conv reading one runs in float).
   */
  floatPoints?: readonly string[];
  /**
   * Keep the residual stream float (default false): a quantised value that no quantised conv
   * wrote (the first conv's float output, a residual sum) is quantised only on its way into the
   * convs that read it, and the Adds that carry it on read it unrounded, so rounding does not
   * pile up from block to block. The Adds then run in float (cheap beside the convolutions).
   */
  floatStream?: boolean;
}

const CONVS: readonly Op[] = ['Conv', 'ConvTranspose'];

/** The convolutions the quantiser turns int8: constant weights, not kept float by the options. */
function quantizedConvs(graph: Graph, options: QdqOptions): Node[] {
  const floatOps = new Set(options.floatOps ?? ['ConvTranspose']);
  const floatWeights = new Set(options.floatWeights ?? []);
  return graph.nodes.filter(
    (n) =>
      CONVS.includes(n.op) &&
      !floatOps.has(n.op) &&
      !floatWeights.has(n.inputs[1]!) &&
      graph.kind(n.inputs[1]!) === 'constant' &&
      (n.inputs[2] === undefined || n.inputs[2] === '' || graph.kind(n.inputs[2]) === 'constant'),
  );
}

/** Names of the values the quantised graph holds in uint8 (the ones calibration must observe), in graph order. */
export function quantizationPoints(graph: Graph, options: QdqOptions = {}): string[] {
  const convs = new Set(quantizedConvs(graph, options));
  const readers = new Map<string, Node[]>();
  for (const n of graph.nodes) for (const i of n.inputs) readers.set(i, [...(readers.get(i) ?? []), n]);
  const outputs = new Set(graph.outputs.map((v) => v.name));
  const points = new Set<string>();
  for (const n of graph.nodes) {
    if (convs.has(n)) {
      points.add(n.inputs[0]!);
      const y = n.outputs[0]!;
      const only = readers.get(y);
      const relu = only?.length === 1 && only[0]!.op === 'Relu' && !outputs.has(y) ? only[0]! : null;
      points.add(relu ? relu.outputs[0]! : y);
    } else if (
      n.op === 'Add' &&
      options.quantizeAdds !== false &&
      !options.floatStream &&
      n.inputs.every((i) => points.has(i)) &&
      // A sum only float ops read (the last one, into the float ConvTranspose) would only be rounded.
      (readers.get(n.outputs[0]!) ?? []).some((r) => convs.has(r) || r.op === 'Add')
    ) {
      points.add(n.outputs[0]!);
    }
  }
  // A graph output keeps its float value (its name is the model's interface).
  for (const o of outputs) points.delete(o);
  for (const p of options.floatPoints ?? []) points.delete(p);
  // Graph order: producers before readers (a value's position is that of the node making it).
  const order = new Map<string, number>();
  graph.inputs.forEach((v, i) => order.set(v.name, -graph.inputs.length + i));
  graph.nodes.forEach((n, i) => n.outputs.forEach((o) => order.set(o, i)));
  return [...points].sort((a, b) => order.get(a)! - order.get(b)!);
}

/** Axis of a convolution weight that holds the output channels: [O, C, …] for Conv, [C, O, …] for ConvTranspose. */
const outputAxis = (op: Op): number => (op === 'ConvTranspose' ? 1 : 0);

/**
 * The QDQ form of `graph`: a new graph with the same inputs, outputs and names, int8 weights for
 * the quantised convolutions and a uint8 Q/DQ pair on every quantisation point. `ranges` holds
 * each point's calibrated range (quantizationPoints says which).
 */
export function quantizeGraph(graph: Graph, ranges: ReadonlyMap<string, Range>, options: QdqOptions = {}): Graph {
  const points = new Set(quantizationPoints(graph, options));
  for (const p of points) if (!ranges.has(p)) throw new Error(`quantizeGraph: no calibrated range for '${p}'`);
  const convs = new Set(quantizedConvs(graph, options));
  const g = new Graph(graph.floatType);
  /** Old value name → the value readers of it read in the new graph (the dequantised one for a point). */
  const mapped = new Map<string, Value>();
  /** Stream values (floatStream): old name → the dequantised value the quantised convs read. */
  const streamDequantized = new Map<string, Value>();
  // What the quantised convs write (their output, or the ReLU after it): never a stream value.
  const convWritten = new Set([...convs].map((n) => n.outputs[0]!));
  for (const n of graph.nodes) if (n.op === 'Relu' && convWritten.has(n.inputs[0]!)) convWritten.add(n.outputs[0]!);

  const define = (name: string, v: Value): void => {
    if (!points.has(name)) {
      mapped.set(name, v);
      return;
    }
    const { scale, zero } = activationParams(ranges.get(name)!);
    const s = g.constant(Tensor.scalar(scale, 'float32'), `${name}/scale`);
    const z = g.constant(new Tensor('uint8', [], [zero]), `${name}/zero_point`);
    const q = g.node('QuantizeLinear', [v, s, z], {}, g.fresh(`${name}/quantized`));
    const dq = g.node('DequantizeLinear', [q, s, z], {}, g.fresh(`${name}/dequantized`));
    const stream = options.floatStream && !convWritten.has(name);
    if (stream) streamDequantized.set(name, dq);
    mapped.set(name, stream ? v : dq);
  };
  const read = (name: string, reader?: Node): Value => {
    const v = (reader && convs.has(reader) && streamDequantized.get(name)) || mapped.get(name);
    if (v) return v;
    // A constant, made in the new graph when first read (weights of quantised convs never are).
    const t = graph.constants.get(name);
    if (!t) throw new Error(`quantizeGraph: '${name}' is read before it is made`);
    const c = g.constant(t, name);
    mapped.set(name, c);
    return c;
  };
  const int8Weight = (name: string, op: Op): Value => {
    const w = graph.constants.get(name)!;
    const axis = outputAxis(op);
    const { q, scales } = weightParams(w.data as ArrayLike<number>, w.shape, axis);
    const qv = g.constant(new Tensor('int8', w.shape, q), `${name}/int8`);
    const s = g.constant(new Tensor('float32', [scales.length], scales), `${name}/scale`);
    const z = g.constant(new Tensor('int8', [scales.length], new Int8Array(scales.length)), `${name}/zero_point`);
    return g.node('DequantizeLinear', [qv, s, z], { axis }, g.fresh(`${name}/dequantized`));
  };

  for (const v of graph.inputs) define(v.name, g.input(v.name, v.shape, v.dtype));
  if (graph.parameters.length > 0)
    throw new Error('quantizeGraph: freeze the parameters first (an inference graph has constants, not parameters)');
  for (const n of graph.nodes) {
    const inputs = n.inputs.map((name, i) => {
      if (name === '') return null;
      if (convs.has(n) && i === 1) return int8Weight(name, n.op);
      return read(name, n);
    });
    const outs = g.nodeMulti(n.op, inputs, n.attrs, [...n.outputs]);
    n.outputs.forEach((name, i) => define(name, outs[i]!));
  }
  for (const v of graph.outputs) g.output(read(v.name), v.name);
  return g;
}
