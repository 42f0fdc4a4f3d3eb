// The graph IR: named values with static dtype and shape, nodes in topological order, and a
// builder API whose every call runs the op's shape rule, so a graph is well-typed by construction.
//
// Kinds of values:
//   input       fed at run time (data batches, learning rate, optimizer state, …)
//   parameter   a trainable weight; an input of a training-step graph, and an initializer once the
//               graph is frozen for inference (see freeze())
//   constant    a fixed tensor (an ONNX initializer)
//   node output the result of an op

import { type Attrs, type AttrValue, type Op, ShapeError, isOp, opSpecs } from './ops.js';
import { type DType, type FloatType, type Shape, Tensor } from './tensor.js';

export interface Value {
  readonly name: string;
  readonly dtype: DType;
  readonly shape: Shape;
}

export interface Node {
  readonly op: Op;
  /** Input value names, in ONNX order; '' stands for an omitted optional input. */
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attrs: Attrs;
  readonly name: string;
}

export type ValueKind = 'input' | 'parameter' | 'constant' | 'node';

export class Graph {
  /** Float type used for constants the builder creates (scalars in losses, gradients…). */
  readonly floatType: FloatType;
  readonly values = new Map<string, Value>();
  readonly kinds = new Map<string, ValueKind>();
  readonly nodes: Node[] = [];
  readonly inputs: Value[] = [];
  readonly parameters: Value[] = [];
  readonly constants = new Map<string, Tensor>();
  readonly outputs: Value[] = [];
  private counter = 0;
  private scopes: string[] = [];
  /** How many nodes each node-name base has named: ONNX wants node names unique (ORT refuses repeats). */
  private nodeNameCounts = new Map<string, number>();

  constructor(floatType: FloatType = 'float32') {
    this.floatType = floatType;
  }

  // ---- naming ---------------------------------------------------------------------------------

  /** Runs `fn` with `prefix/` prepended to generated names (readable graphs, stable probe names). */
  scope<T>(prefix: string, fn: () => T): T {
    this.scopes.push(prefix);
    try {
      return fn();
    } finally {
      this.scopes.pop();
    }
  }

  /** A fresh value name under the current scope. */
  fresh(hint: string): string {
    const base = [...this.scopes, hint].join('/');
    let name = base;
    while (this.values.has(name)) name = `${base}_${++this.counter}`;
    return name;
  }

  /**
   * A node name under the current scope, unique in the graph: `Relu_node`, then `Relu_node_2`, …
   * Every base ends in `_node` and every suffix is `_<digits>`, so two bases never give one name.
   */
  private freshNodeName(op: Op): string {
    const base = [...this.scopes, `${op}_node`].join('/');
    const n = (this.nodeNameCounts.get(base) ?? 0) + 1;
    this.nodeNameCounts.set(base, n);
    return n === 1 ? base : `${base}_${n}`;
  }

  private declare(value: Value, kind: ValueKind): Value {
    if (this.values.has(value.name)) throw new Error(`graph: value '${value.name}' already exists`);
    this.values.set(value.name, value);
    this.kinds.set(value.name, kind);
    return value;
  }

  value(name: string): Value {
    const v = this.values.get(name);
    if (!v) throw new Error(`graph: no value named '${name}'`);
    return v;
  }

  kind(name: string): ValueKind {
    return this.kinds.get(name)!;
  }

  // ---- leaves ---------------------------------------------------------------------------------

  input(name: string, shape: Shape, dtype: DType = this.floatType): Value {
    const v = this.declare({ name, dtype, shape: [...shape] }, 'input');
    this.inputs.push(v);
    return v;
  }

  parameter(name: string, shape: Shape, dtype: DType = this.floatType): Value {
    const v = this.declare({ name, dtype, shape: [...shape] }, 'parameter');
    this.parameters.push(v);
    return v;
  }

  constant(tensor: Tensor, hint = 'const'): Value {
    const name = this.fresh(hint);
    this.constants.set(name, tensor);
    return this.declare({ name, dtype: tensor.dtype, shape: tensor.shape }, 'constant');
  }

  /** A scalar constant in the graph's float type (shape [] broadcasts against anything). */
  scalar(x: number, dtype: DType = this.floatType): Value {
    return this.constant(Tensor.scalar(x, dtype), 'scalar');
  }

  output(v: Value, name?: string): Value {
    const out = name && name !== v.name ? this.node('Identity', [v], {}, name) : v;
    this.outputs.push(out);
    return out;
  }

  // ---- nodes ----------------------------------------------------------------------------------

  /** Adds one node, checking attributes and inferring output types. Returns its outputs. */
  nodeMulti(
    op: Op,
    inputs: readonly (Value | null)[],
    attrs: Record<string, AttrValue | undefined> = {},
    outputNames?: string[],
  ): Value[] {
    const spec = opSpecs[op];
    const clean: Record<string, AttrValue> = {};
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined) continue;
      if (!(k in spec.attrs)) throw new Error(`${op}: unknown attribute '${k}'`);
      clean[k] = Array.isArray(v) ? [...(v as number[])] : v;
    }
    while (inputs.length > 0 && inputs[inputs.length - 1] === null) inputs = inputs.slice(0, -1);
    if (inputs.length < spec.arity[0] || inputs.length > spec.arity[1]) {
      throw new Error(`${op}: takes ${spec.arity[0]}–${spec.arity[1]} inputs, got ${inputs.length}`);
    }
    for (const v of inputs) {
      if (v && !this.values.has(v.name)) throw new Error(`${op}: input '${v.name}' does not belong to this graph`);
    }
    const present = inputs.filter((v): v is Value => v !== null);
    let types;
    try {
      types = spec.infer(present, clean);
    } catch (e) {
      if (e instanceof ShapeError) {
        throw new ShapeError(`${op} (${present.map((v) => `${v.name}: [${v.shape}]`).join(', ')}): ${e.message}`);
      }
      throw e;
    }
    const outputs = types.map((t, i) =>
      this.declare({ name: outputNames?.[i] ?? this.fresh(op.toLowerCase()), dtype: t.dtype, shape: t.shape }, 'node'),
    );
    this.nodes.push({
      op,
      inputs: inputs.map((v) => v?.name ?? ''),
      outputs: outputs.map((o) => o.name),
      attrs: clean,
      name: this.freshNodeName(op),
    });
    return outputs;
  }

  node(
    op: Op,
    inputs: readonly (Value | null)[],
    attrs: Record<string, AttrValue | undefined> = {},
    outputName?: string,
  ): Value {
    return this.nodeMulti(op, inputs, attrs, outputName ? [outputName] : undefined)[0]!;
  }

  /** Which node produced a value (undefined for leaves). */
  producer(name: string): Node | undefined {
    for (let i = this.nodes.length - 1; i >= 0; i--) if (this.nodes[i]!.outputs.includes(name)) return this.nodes[i];
    return undefined;
  }

  // ---- op helpers (thin, one per op; semantics are ONNX's) -------------------------------------

  add = (a: Value, b: Value): Value => this.node('Add', [a, b]);
  sub = (a: Value, b: Value): Value => this.node('Sub', [a, b]);
  mul = (a: Value, b: Value): Value => this.node('Mul', [a, b]);
  div = (a: Value, b: Value): Value => this.node('Div', [a, b]);
  pow = (a: Value, b: Value): Value => this.node('Pow', [a, b]);
  max = (a: Value, b: Value): Value => this.node('Max', [a, b]);
  min = (a: Value, b: Value): Value => this.node('Min', [a, b]);
  greater = (a: Value, b: Value): Value => this.node('Greater', [a, b]);
  less = (a: Value, b: Value): Value => this.node('Less', [a, b]);
  equal = (a: Value, b: Value): Value => this.node('Equal', [a, b]);
  where = (cond: Value, a: Value, b: Value): Value => this.node('Where', [cond, a, b]);
  neg = (x: Value): Value => this.node('Neg', [x]);
  abs = (x: Value): Value => this.node('Abs', [x]);
  sign = (x: Value): Value => this.node('Sign', [x]);
  exp = (x: Value): Value => this.node('Exp', [x]);
  log = (x: Value): Value => this.node('Log', [x]);
  sqrt = (x: Value): Value => this.node('Sqrt', [x]);
  reciprocal = (x: Value): Value => this.node('Reciprocal', [x]);
  relu = (x: Value): Value => this.node('Relu', [x]);
  sigmoid = (x: Value): Value => this.node('Sigmoid', [x]);
  tanh = (x: Value): Value => this.node('Tanh', [x]);
  softplus = (x: Value): Value => this.node('Softplus', [x]);
  identity = (x: Value): Value => this.node('Identity', [x]);
  leakyRelu = (x: Value, alpha = 0.01): Value => this.node('LeakyRelu', [x], { alpha });
  clip = (x: Value, min?: number, max?: number): Value => this.node('Clip', [x], { min, max });
  cast = (x: Value, to: DType): Value => this.node('Cast', [x], { to });
  matmul = (a: Value, b: Value): Value => this.node('MatMul', [a, b]);
  gemm = (
    a: Value,
    b: Value,
    c: Value | null,
    o: { alpha?: number; beta?: number; transA?: boolean; transB?: boolean } = {},
  ): Value =>
    this.node('Gemm', [a, b, c], {
      alpha: o.alpha,
      beta: o.beta,
      transA: o.transA ? 1 : undefined,
      transB: o.transB ? 1 : undefined,
    });
  conv = (x: Value, w: Value, b: Value | null, o: ConvOptions = {}): Value =>
    this.node('Conv', [x, w, b], convAttrs(o));
  convTranspose = (x: Value, w: Value, b: Value | null, o: ConvOptions & { outputPadding?: number[] } = {}): Value =>
    this.node('ConvTranspose', [x, w, b], { ...convAttrs(o), output_padding: o.outputPadding });
  maxPool = (x: Value, kernel: number[], strides?: number[], pads?: number[]): Value =>
    this.node('MaxPool', [x], { kernel_shape: kernel, strides, pads });
  averagePool = (x: Value, kernel: number[], strides?: number[], pads?: number[]): Value =>
    this.node('AveragePool', [x], { kernel_shape: kernel, strides, pads });
  reshape = (x: Value, shape: number[]): Value => this.node('Reshape', [x], { shape });
  flatten = (x: Value, axis = 1): Value => this.node('Flatten', [x], { axis });
  transpose = (x: Value, perm: number[]): Value => this.node('Transpose', [x], { perm });
  expand = (x: Value, shape: number[]): Value => this.node('Expand', [x], { shape });
  slice = (x: Value, starts: number[], ends: number[], axes?: number[], steps?: number[]): Value =>
    this.node('Slice', [x], { starts, ends, axes, steps });
  pad = (x: Value, pads: number[], mode: 'constant' | 'reflect' | 'edge' = 'constant', value?: number): Value =>
    this.node('Pad', [x], { pads, mode: mode === 'constant' ? undefined : mode, value });
  concat = (xs: Value[], axis: number): Value => this.node('Concat', xs, { axis });
  resize = (x: Value, scales: number[]): Value => this.node('Resize', [x], { scales, mode: 'nearest' });
  reduceSum = (x: Value, axes?: number[], keepdims = true): Value =>
    this.node('ReduceSum', [x], { axes, keepdims: keepdims ? undefined : 0 });
  reduceMean = (x: Value, axes?: number[], keepdims = true): Value =>
    this.node('ReduceMean', [x], { axes, keepdims: keepdims ? undefined : 0 });
  reduceMax = (x: Value, axes?: number[], keepdims = true): Value =>
    this.node('ReduceMax', [x], { axes, keepdims: keepdims ? undefined : 0 });
  softmax = (x: Value, axis = -1): Value => this.node('Softmax', [x], { axis });
  logSoftmax = (x: Value, axis = -1): Value => this.node('LogSoftmax', [x], { axis });
}

export interface ConvOptions {
  strides?: number[];
  /** ONNX order: begin of each spatial axis, then end of each. */
  pads?: number[];
  dilations?: number[];
  group?: number;
}

function convAttrs(o: ConvOptions): Record<string, AttrValue | undefined> {
  return { strides: o.strides, pads: o.pads, dilations: o.dilations, group: o.group };
}

export { isOp };
