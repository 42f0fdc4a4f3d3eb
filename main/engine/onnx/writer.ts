// Graph IR → ONNX bytes (opset 17).
//
// Inputs and (unfrozen) parameters become graph inputs; constants and frozen parameters become
// initializers; operands our IR keeps as attributes (operands.ts) become int64/float initializers.
// Every graph input and output carries its full shape, as onnx.checker's full check requires.

import type { Graph, Node, Value } from '../ir/graph.js';
import { type AttrValue, opSpecs } from '../ir/ops.js';
import { type DType, Tensor } from '../ir/tensor.js';
import { operandsAt, type Operand } from './operands.js';
import {
  ATTR,
  IR_VERSION,
  type AttributeProto,
  type NodeProto,
  type TensorProto,
  type ValueInfoProto,
  dataTypeOf,
  encodeModel,
  tensorToProto,
} from './proto.js';

export const OPSET = 17;

export interface ToOnnxOptions {
  /** The opset written; the engine writes opset 17 only. */
  opset?: typeof OPSET;
  /** Parameters to store as initializers (inference export); the rest stay graph inputs. */
  frozenParameters?: ReadonlyMap<string, Tensor>;
  /** Symbolic dimensions, e.g. `{ x: { 0: 'N', 2: 'H', 3: 'W' } }` for inputs and outputs. */
  dynamicAxes?: Readonly<Record<string, Readonly<Record<number, string>>>>;
  docString?: string;
  /** metadata_props of the model (the model card JSON goes here). */
  metadata?: Readonly<Record<string, string>>;
  graphName?: string;
  /** producer_version (the app version); the engine itself does not read package.json. */
  producerVersion?: string;
}

export function toOnnx(graph: Graph, options: ToOnnxOptions = {}): Uint8Array {
  if (options.opset !== undefined && options.opset !== OPSET)
    throw new Error(`toOnnx: only opset ${OPSET} is supported`);
  const frozen = options.frozenParameters ?? new Map<string, Tensor>();
  const dynamic = options.dynamicAxes ?? {};
  for (const name of frozen.keys()) {
    if (graph.kinds.get(name) !== 'parameter')
      throw new Error(`toOnnx: frozen parameter '${name}' is not a parameter of the graph`);
  }
  for (const name of Object.keys(dynamic)) {
    if (!graph.inputs.some((v) => v.name === name) && !graph.outputs.some((v) => v.name === name)) {
      throw new Error(`toOnnx: dynamicAxes names '${name}', which is neither a graph input nor output`);
    }
  }

  const names = new Set(graph.values.keys());
  const initializers: TensorProto[] = [];
  for (const [name, t] of graph.constants) initializers.push(tensorToProto(name, t));
  const inputs: ValueInfoProto[] = graph.inputs.map((v) => valueInfo(v, dynamic[v.name]));
  for (const p of graph.parameters) {
    const t = frozen.get(p.name);
    if (!t) {
      inputs.push(valueInfo(p));
      continue;
    }
    if (t.dtype !== p.dtype || t.shape.length !== p.shape.length || t.shape.some((d, i) => d !== p.shape[i])) {
      throw new Error(
        `toOnnx: frozen parameter '${p.name}' is ${t.dtype}[${t.shape}], the graph wants ${p.dtype}[${p.shape}]`,
      );
    }
    initializers.push(tensorToProto(p.name, t));
  }

  /** Adds an initializer for an operand and returns its (unique) name. */
  const operandInitializer = (node: Node, operand: Operand, value: AttrValue, dtype: DType): string => {
    let name = `${node.op}/${operand.attr}`;
    for (let i = 1; names.has(name); i++) name = `${node.op}/${operand.attr}_${i}`;
    names.add(name);
    const numbers = typeof value === 'number' ? [value] : (value as readonly number[]);
    const tensor =
      operand.kind === 'int64s'
        ? new Tensor('int64', [numbers.length], numbers)
        : operand.kind === 'float32s'
          ? new Tensor('float32', [numbers.length], numbers)
          : new Tensor(dtype, [], numbers);
    initializers.push(tensorToProto(name, tensor));
    return name;
  };

  // Node names are unique already: the graph makes them so, as ONNX requires.
  const nodes: NodeProto[] = graph.nodes.map((node) => {
    const inputs = [...node.inputs];
    const attrs: Record<string, AttrValue> = { ...node.attrs };
    const dtype = graph.value(node.inputs[0]!).dtype;
    for (const operand of operandsAt(node.op, OPSET)) {
      const value = attrs[operand.attr];
      delete attrs[operand.attr];
      while (inputs.length < operand.input) inputs.push('');
      inputs[operand.input] = value === undefined ? '' : operandInitializer(node, operand, value, dtype);
    }
    while (inputs.length > 0 && inputs[inputs.length - 1] === '') inputs.pop();
    const attribute = Object.entries(attrs).map(([name, value]) => attributeProto(node, name, value));
    return { name: node.name, op_type: node.op, input: inputs, output: [...node.outputs], attribute };
  });

  return encodeModel({
    ir_version: IR_VERSION,
    opset_import: [{ domain: '', version: OPSET }],
    producer_name: 'denoise-lab',
    producer_version: options.producerVersion,
    doc_string: options.docString,
    metadata_props: Object.entries(options.metadata ?? {}).map(([key, value]) => ({ key, value })),
    graph: {
      name: options.graphName ?? 'denoise-lab',
      node: nodes,
      initializer: initializers,
      input: inputs,
      output: graph.outputs.map((v) => valueInfo(v, dynamic[v.name])),
    },
  });
}

function valueInfo(v: Value, symbolic: Readonly<Record<number, string>> = {}): ValueInfoProto {
  for (const axis of Object.keys(symbolic)) {
    if (Number(axis) >= v.shape.length)
      throw new Error(`toOnnx: dynamic axis ${axis} of '${v.name}' is beyond its rank ${v.shape.length}`);
  }
  return {
    name: v.name,
    type: {
      tensor_type: {
        elem_type: dataTypeOf(v.dtype),
        shape: {
          dim: v.shape.map((d, i) => (symbolic[i] !== undefined ? { dim_param: symbolic[i] } : { dim_value: d })),
        },
      },
    },
  };
}

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

function attributeProto(node: Node, name: string, value: AttrValue): AttributeProto {
  if (node.op === 'Cast' && name === 'to') return { name, type: ATTR.INT, i: dataTypeOf(value as DType) };
  const type = (opSpecs[node.op].attrs as Record<string, string>)[name];
  switch (type) {
    case 'int':
      return { name, type: ATTR.INT, i: value as number };
    case 'ints':
      return { name, type: ATTR.INTS, ints: [...(value as readonly number[])] };
    case 'float':
      return { name, type: ATTR.FLOAT, f: value as number };
    case 'floats':
      return { name, type: ATTR.FLOATS, floats: [...(value as readonly number[])] };
    case 'string':
      return { name, type: ATTR.STRING, s: utf8(value as string) };
    default:
      throw new Error(`toOnnx: ${node.op} has no attribute '${name}'`);
  }
}
