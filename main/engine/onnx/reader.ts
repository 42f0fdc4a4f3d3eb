// ONNX bytes → a summary (inspectOnnx, for `info`) or a Graph of our IR (fromOnnx).
//
// fromOnnx accepts models of opset 13 and later made by this engine, PyTorch or the onnx package:
// constant operand inputs (and Constant nodes feeding them) become attributes again (operands.ts),
// the remaining initializers become constants (or parameters, for fine-tuning), symbolic input
// dimensions are fixed by the caller, and any op outside our IR is refused with its name.

import { Graph, type Value } from '../ir/graph.js';
import { type AttrValue, type Op, isOp, opSpecs, convOutSize } from '../ir/ops.js';
import { type Shape, Tensor, isFloat, sizeOf } from '../ir/tensor.js';
import { operandAttrs, operandsAt } from './operands.js';
import {
  ATTR,
  type AttributeProto,
  type ModelProto,
  type NodeProto,
  type ValueInfoProto,
  dataTypeName,
  decodeModel,
  dtypeOf,
  protoToTensor,
} from './proto.js';

export const MIN_OPSET = 13;
export const MAX_OPSET = 18;

export interface OnnxValueInfo {
  name: string;
  /** ONNX element type name (FLOAT, DOUBLE, INT64, …). */
  elemType: string;
  /** Dimensions; symbolic ones by name, unknown ones as '?'. */
  dims: (number | string)[];
}

export interface OnnxSummary {
  irVersion: number;
  opset: number | null;
  producer: string;
  docString: string;
  metadata: Record<string, string>;
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
  /** Number of nodes of each op type (domain-qualified when not the default domain). */
  opCounts: Record<string, number>;
  /** Elements of the initializers that hold weights (operand initializers such as shapes excluded). */
  parameterCount: number;
  initializerCount: number;
}

/** Reads what `info` shows. Works for any valid ONNX model, including ops our IR lacks. */
export function inspectOnnx(bytes: Uint8Array): OnnxSummary {
  const model = decodeModel(bytes);
  const graph = model.graph!;
  const initializerNames = new Set((graph.initializer ?? []).map((t) => t.name ?? ''));
  const opCounts: Record<string, number> = {};
  const operandOnly = new Set<string>();
  const weightUse = new Set<string>();
  for (const node of graph.node ?? []) {
    const key = node.domain && node.domain !== 'ai.onnx' ? `${node.domain}.${node.op_type}` : node.op_type;
    opCounts[key] = (opCounts[key] ?? 0) + 1;
    const operandPositions = isOp(node.op_type) ? operandInputPositions(node.op_type) : new Set<number>();
    (node.input ?? []).forEach((name, i) => (operandPositions.has(i) ? operandOnly : weightUse).add(name));
  }
  for (const out of graph.output ?? []) weightUse.add(out.name);
  let parameterCount = 0;
  for (const t of graph.initializer ?? []) {
    const name = t.name ?? '';
    if (operandOnly.has(name) && !weightUse.has(name)) continue;
    parameterCount += sizeOf((t.dims ?? []).map(Number));
  }
  return {
    irVersion: model.ir_version ?? 0,
    opset: defaultOpset(model),
    producer: [model.producer_name, model.producer_version].filter(Boolean).join(' '),
    docString: model.doc_string ?? '',
    metadata: metadataOf(model),
    inputs: (graph.input ?? []).filter((v) => !initializerNames.has(v.name)).map(valueInfoOf),
    outputs: (graph.output ?? []).map(valueInfoOf),
    opCounts,
    parameterCount,
    initializerCount: initializerNames.size,
  };
}

export interface FromOnnxOptions {
  /** Shapes for inputs with symbolic dimensions (e.g. `{ x: [1, 1, 256, 256] }`). */
  inputShapes?: Readonly<Record<string, Shape>>;
  /**
   * Initializers to read as graph parameters (to fine-tune an imported model: feed them from
   * `initializers`). The others become constants, so the graph runs as it is. ONNX itself does
   * not say which initializers are trainable.
   */
  parameters?: readonly string[];
}

export interface OnnxModel {
  graph: Graph;
  /** Every initializer of the file by name (weights, and operands such as shapes). */
  initializers: Map<string, Tensor>;
  metadata: Record<string, string>;
  opset: number;
  docString: string;
}

export function fromOnnx(bytes: Uint8Array, options: FromOnnxOptions = {}): OnnxModel {
  const model = decodeModel(bytes);
  const proto = model.graph!;
  const opset = defaultOpset(model);
  if (opset === null) throw new Error('ONNX model imports no version of the default (ai.onnx) opset');
  if (opset < MIN_OPSET || opset > MAX_OPSET) {
    throw new Error(`ONNX opset ${opset} is not supported (supported: ${MIN_OPSET}–${MAX_OPSET})`);
  }
  for (const entry of model.opset_import ?? []) {
    const domain = entry.domain ?? '';
    if (domain !== '' && domain !== 'ai.onnx' && (proto.node ?? []).some((n) => n.domain === domain)) {
      throw new Error(`ONNX model uses ops of domain '${domain}', which the engine does not support`);
    }
  }

  const initializers = new Map<string, Tensor>();
  for (const t of proto.initializer ?? []) initializers.set(t.name ?? '', protoToTensor(t));
  /** Tensors known at load time: initializers and Constant node outputs. */
  const known = new Map(initializers);

  const inputInfos = (proto.input ?? []).filter((v) => !initializers.has(v.name));
  const firstFloat = inputInfos.map((v) => v.type?.tensor_type?.elem_type).find((t) => t === 1 || t === 11);
  const graph = new Graph(firstFloat === 11 ? 'float64' : 'float32');
  const values = new Map<string, Value>();

  for (const info of inputInfos) {
    const dtype = dtypeOf(info.type?.tensor_type?.elem_type, `input '${info.name}'`);
    values.set(info.name, graph.input(info.name, inputShape(info, options.inputShapes?.[info.name]), dtype));
  }
  for (const name of Object.keys(options.inputShapes ?? {})) {
    if (!values.has(name)) throw new Error(`inputShapes names '${name}', which is not an input of the model`);
  }

  const asParameters = new Set(options.parameters ?? []);
  for (const name of asParameters) {
    const t = initializers.get(name);
    if (!t || !isFloat(t.dtype))
      throw new Error(`parameters names '${name}', which is not a float initializer of the model`);
  }
  const valueOf = (name: string, user: string): Value => {
    const v = values.get(name);
    if (v) return v;
    const t = known.get(name);
    if (!t) throw new Error(`${user}: input '${name}' is not produced by any earlier node`);
    const made = asParameters.has(name) ? graph.parameter(name, t.shape, t.dtype) : graph.constant(t, name);
    values.set(name, made);
    return made;
  };

  for (const node of proto.node ?? []) {
    const label = `node '${node.name || node.output?.[0] || '?'}' (${node.op_type})`;
    if (node.domain && node.domain !== 'ai.onnx')
      throw new Error(`${label}: ops of domain '${node.domain}' are not supported`);
    if (node.op_type === 'Constant') {
      known.set(node.output![0]!, constantNodeValue(node, label));
      continue;
    }
    if (!isOp(node.op_type)) throw new Error(`${label}: ONNX op '${node.op_type}' is not supported by the engine`);
    const op = node.op_type;
    const onnxInputs = node.input ?? [];
    const attrs = readAttributes(node, op, label);

    // Constant operand inputs → attributes.
    for (const operand of operandsAt(op, opset)) {
      const name = onnxInputs[operand.input];
      if (!name) continue;
      const t = known.get(name);
      if (!t)
        throw new Error(
          `${label}: operand '${operand.attr}' ('${name}') is computed at run time; only constant operands are supported`,
        );
      const numbers = t.dtype === 'float32' ? t.toNumbers().map(shortestFloat32) : t.toNumbers();
      attrs[operand.attr] = operand.kind === 'scalar' ? numbers[0]! : numbers;
    }
    const operandPositions = operandInputPositions(op);
    if (operandPositions.size > 0 && onnxInputs.some((name, i) => i > 0 && name !== '' && !operandPositions.has(i))) {
      throw new Error(`${label}: has inputs the engine does not understand`);
    }
    const inputs = onnxInputs.map((name, i) => (operandPositions.has(i) || name === '' ? null : valueOf(name, label)));
    // Only the first input of the ops with operands is a tensor; drop the operand slots.
    const tensorInputs = operandPositions.size > 0 ? inputs.slice(0, 1) : inputs;

    if (op === 'Resize') resizeScales(node, attrs, known, tensorInputs[0]!, label);
    if ('auto_pad' in attrs) resolveAutoPad(op, attrs, tensorInputs, label);

    const outputs = node.output ?? [];
    if (outputs.slice(1).some((o) => o !== ''))
      throw new Error(`${label}: only the first output of ${op} is supported`);
    try {
      values.set(outputs[0]!, graph.node(op, tensorInputs, attrs, outputs[0]));
    } catch (e) {
      throw new Error(`${label}: ${(e as Error).message}`, { cause: e });
    }
  }

  for (const info of proto.output ?? []) {
    const v = valueOf(info.name, `output '${info.name}'`);
    const declared = valueInfoOf(info).dims;
    if (declared.length === v.shape.length && declared.some((d, i) => typeof d === 'number' && d !== v.shape[i])) {
      throw new Error(`output '${info.name}' is declared [${declared}] but computes to [${v.shape}]`);
    }
    graph.output(v);
  }
  return { graph, initializers, metadata: metadataOf(model), opset, docString: model.doc_string ?? '' };
}

// ---- helpers ----------------------------------------------------------------------------------

/**
 * ONNX stores float attributes (and our float32 operands) as float32, so 0.2 comes back as
 * 0.20000000298…; the shortest decimal with the same float32 value is the number that was meant.
 */
function shortestFloat32(f: number): number {
  for (let digits = 1; digits <= 9; digits++) {
    const d = Number(f.toPrecision(digits));
    if (Math.fround(d) === f) return d;
  }
  return f;
}

function defaultOpset(model: ModelProto): number | null {
  const entry = (model.opset_import ?? []).find((e) => !e.domain || e.domain === 'ai.onnx');
  return entry ? Number(entry.version ?? 1) : null;
}

function metadataOf(model: ModelProto): Record<string, string> {
  return Object.fromEntries((model.metadata_props ?? []).map((p) => [p.key ?? '', p.value ?? '']));
}

function valueInfoOf(v: ValueInfoProto): OnnxValueInfo {
  const tt = v.type?.tensor_type;
  return {
    name: v.name,
    elemType: dataTypeName(tt?.elem_type),
    dims: (tt?.shape?.dim ?? []).map((d) => (d.dim_value !== undefined ? Number(d.dim_value) : (d.dim_param ?? '?'))),
  };
}

function inputShape(info: ValueInfoProto, given: Shape | undefined): Shape {
  const dims = valueInfoOf(info).dims;
  if (!info.type?.tensor_type?.shape) {
    if (given) return given;
    throw new Error(`input '${info.name}' has no declared shape; pass its shape in inputShapes`);
  }
  if (given) {
    if (given.length !== dims.length || dims.some((d, i) => typeof d === 'number' && d !== given[i])) {
      throw new Error(`inputShapes gives [${given}] for input '${info.name}', whose declared shape is [${dims}]`);
    }
    return given;
  }
  const symbolic = dims.filter((d) => typeof d !== 'number');
  if (symbolic.length > 0) {
    throw new Error(`input '${info.name}' has symbolic dimensions [${dims}]; pass its shape in inputShapes`);
  }
  return dims as number[];
}

/** Input positions that hold operands (not tensors) for `op`, at any opset, plus Resize's roi/sizes. */
function operandInputPositions(op: Op): Set<number> {
  const positions = new Set((operandAttrs[op] ?? []).map((o) => o.input));
  if (op === 'Resize') positions.add(1).add(3);
  return positions;
}

function constantNodeValue(node: NodeProto, label: string): Tensor {
  const a = node.attribute?.[0];
  if (!a || (node.attribute?.length ?? 0) !== 1)
    throw new Error(`${label}: a Constant needs exactly one value attribute`);
  switch (a.name) {
    case 'value':
      return protoToTensor({ ...a.t, name: node.output?.[0] });
    case 'value_float':
      return Tensor.scalar(a.f ?? 0, 'float32');
    case 'value_floats':
      return new Tensor('float32', [a.floats?.length ?? 0], a.floats ?? []);
    case 'value_int':
      return Tensor.scalar(Number(a.i ?? 0), 'int64');
    case 'value_ints':
      return new Tensor('int64', [a.ints?.length ?? 0], (a.ints ?? []).map(Number));
    default:
      throw new Error(`${label}: Constant '${a.name}' values are not supported`);
  }
}

/** ONNX attributes outside our op table that are fine to drop when they hold their default. */
const ignorableDefaults: Readonly<Record<string, (v: AttrValue) => boolean>> = {
  'MaxPool.ceil_mode': (v) => v === 0,
  'MaxPool.storage_order': (v) => v === 0,
  'MaxPool.dilations': (v) => (v as number[]).every((d) => d === 1),
  'AveragePool.ceil_mode': (v) => v === 0,
  'ReduceSum.noop_with_empty_axes': (v) => v === 0,
  'ReduceMean.noop_with_empty_axes': (v) => v === 0,
  'ReduceMax.noop_with_empty_axes': (v) => v === 0,
  'Resize.cubic_coeff_a': () => true,
  'Resize.exclude_outside': (v) => v === 0,
  'Resize.extrapolation_value': () => true,
  'Resize.antialias': (v) => v === 0,
  'Resize.keep_aspect_ratio_policy': (v) => v === 'stretch',
};

/** Attributes the reader consumes itself (they change how other attributes are read). */
const consumed = new Set(['auto_pad', 'coordinate_transformation_mode', 'nearest_mode', 'count_include_pad']);

function attributeValue(a: AttributeProto, label: string): AttrValue {
  switch (a.type) {
    case ATTR.FLOAT:
      return shortestFloat32(a.f ?? 0);
    case ATTR.INT:
      return Number(a.i ?? 0);
    case ATTR.STRING:
      return new TextDecoder().decode(a.s ?? new Uint8Array());
    case ATTR.FLOATS:
      return (a.floats ?? []).map(shortestFloat32);
    case ATTR.INTS:
      return (a.ints ?? []).map(Number);
    default:
      throw new Error(`${label}: attribute '${a.name}' has a type (${a.type}) the engine does not read`);
  }
}

function readAttributes(node: NodeProto, op: Op, label: string): Record<string, AttrValue> {
  const spec = opSpecs[op].attrs as Record<string, string>;
  const attrs: Record<string, AttrValue> = {};
  for (const a of node.attribute ?? []) {
    const value = attributeValue(a, label);
    if (op === 'Cast' && a.name === 'to') attrs.to = dtypeOf(value as number, `${label} target`);
    else if (a.name in spec || consumed.has(a.name)) attrs[a.name] = value;
    else if (ignorableDefaults[`${op}.${a.name}`]?.(value)) continue;
    else throw new Error(`${label}: attribute ${a.name}=${JSON.stringify(value)} is not supported`);
  }
  if (op === 'AveragePool' && 'count_include_pad' in attrs) {
    // Our AveragePool follows ONNX's default (padding not counted); that differs only with padding.
    const pads = (attrs.pads as number[] | undefined) ?? [];
    if (attrs.count_include_pad !== 0 && pads.some((p) => p !== 0)) {
      throw new Error(`${label}: count_include_pad=1 with padding is not supported`);
    }
    delete attrs.count_include_pad;
  }
  return attrs;
}

/** Resize: scales from the `sizes` operand if given, and a check that the coordinate mapping is ours. */
function resizeScales(
  node: NodeProto,
  attrs: Record<string, AttrValue>,
  known: Map<string, Tensor>,
  x: Value | null,
  label: string,
): void {
  const sizesName = node.input?.[3];
  if (sizesName) {
    const sizes = known.get(sizesName);
    if (!sizes || !x) throw new Error(`${label}: Resize sizes must be a constant`);
    attrs.scales = sizes.toNumbers().map((s, i) => s / x.shape[i]!);
  }
  const mode = (attrs.mode as string | undefined) ?? 'nearest';
  const ctm = (attrs.coordinate_transformation_mode as string | undefined) ?? 'half_pixel';
  const nearest = (attrs.nearest_mode as string | undefined) ?? 'round_prefer_floor';
  const scales = (attrs.scales as number[] | undefined) ?? [];
  delete attrs.coordinate_transformation_mode;
  delete attrs.nearest_mode;
  // Our Resize has ONNX's default mapping (half_pixel, round_prefer_floor). PyTorch's nearest
  // (asymmetric, floor) maps output i to floor(i / s) too when every scale is an integer.
  const halfPixel = ctm === 'half_pixel' || ctm === 'pytorch_half_pixel';
  const ok =
    (halfPixel && (mode === 'linear' || nearest === 'round_prefer_floor')) ||
    (mode === 'nearest' && ctm === 'asymmetric' && nearest === 'floor' && scales.every((s) => Number.isInteger(s)));
  if (!ok)
    throw new Error(
      `${label}: Resize mode=${mode} coordinate_transformation_mode=${ctm} nearest_mode=${nearest} is not supported`,
    );
}

/** Turns auto_pad (SAME_UPPER, SAME_LOWER, VALID) into explicit pads, as shapes are static. */
function resolveAutoPad(op: Op, attrs: Record<string, AttrValue>, inputs: (Value | null)[], label: string): void {
  const mode = attrs.auto_pad as string;
  delete attrs.auto_pad;
  if (mode === 'NOTSET') return;
  const x = inputs[0]!;
  const sp = x.shape.length - 2;
  if (mode === 'VALID') {
    attrs.pads = Array(2 * sp).fill(0);
    return;
  }
  if (op === 'ConvTranspose' || (mode !== 'SAME_UPPER' && mode !== 'SAME_LOWER')) {
    throw new Error(`${label}: auto_pad=${mode} is not supported`);
  }
  const kernel = op === 'Conv' ? inputs[1]!.shape.slice(2) : ((attrs.kernel_shape as number[] | undefined) ?? []);
  const strides = (attrs.strides as number[] | undefined) ?? Array(sp).fill(1);
  const dil = (attrs.dilations as number[] | undefined) ?? Array(sp).fill(1);
  const begin: number[] = [];
  const end: number[] = [];
  for (let i = 0; i < sp; i++) {
    const n = x.shape[2 + i]!;
    const out = Math.ceil(n / strides[i]!);
    const total = Math.max(0, (out - 1) * strides[i]! + (kernel[i]! - 1) * dil[i]! + 1 - n);
    const small = Math.floor(total / 2);
    begin.push(mode === 'SAME_UPPER' ? small : total - small);
    end.push(mode === 'SAME_UPPER' ? total - small : small);
    if (convOutSize(n, kernel[i]!, strides[i]!, begin[i]!, end[i]!, dil[i]!) !== out)
      throw new Error(`${label}: cannot resolve auto_pad`);
  }
  attrs.pads = [...begin, ...end];
}
