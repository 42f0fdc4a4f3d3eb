// The ONNX protobuf schema, loaded from a JSON descriptor generated from the official onnx.proto
// (scripts/gen-onnx-proto.mjs). protobufjs/light builds the message types from that descriptor,
// so neither Node nor the browser bundle parses .proto text at run time.
//
// The interfaces below describe the plain objects we hand to / get from protobufjs: only the
// fields the engine uses, with the ONNX spec's field names (the descriptor keeps their case).

import protobuf from 'protobufjs/light.js';
import descriptor from './onnx-proto.json' with { type: 'json' };
import { type DType, Tensor, allocate, sizeOf } from '../ir/tensor.js';

const root = protobuf.Root.fromJSON(descriptor as protobuf.INamespace);
const ModelProto = root.lookupType('onnx.ModelProto');

/** ONNX IR version 8 is the one that goes with opset 17 (onnx 1.12). */
export const IR_VERSION = 8;

/** TensorProto.DataType values of the dtypes the engine has. */
const DATA_TYPE: Record<DType, number> = { float32: 1, uint8: 2, int8: 3, int64: 7, bool: 9, float64: 11 };
const DATA_TYPE_NAMES: Record<number, string> = {
  0: 'UNDEFINED',
  1: 'FLOAT',
  2: 'UINT8',
  3: 'INT8',
  4: 'UINT16',
  5: 'INT16',
  6: 'INT32',
  7: 'INT64',
  8: 'STRING',
  9: 'BOOL',
  10: 'FLOAT16',
  11: 'DOUBLE',
  12: 'UINT32',
  13: 'UINT64',
  14: 'COMPLEX64',
  15: 'COMPLEX128',
  16: 'BFLOAT16',
};

/** AttributeProto.AttributeType values. */
export const ATTR = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, FLOATS: 6, INTS: 7, STRINGS: 8 } as const;

export interface TensorProto {
  name?: string;
  dims?: number[];
  data_type?: number;
  raw_data?: Uint8Array;
  float_data?: number[];
  double_data?: number[];
  int32_data?: number[];
  int64_data?: number[];
  data_location?: number;
}

export interface AttributeProto {
  name: string;
  type?: number;
  f?: number;
  i?: number;
  s?: Uint8Array;
  t?: TensorProto;
  floats?: number[];
  ints?: number[];
  strings?: Uint8Array[];
}

export interface NodeProto {
  name?: string;
  op_type: string;
  domain?: string;
  input?: string[];
  output?: string[];
  attribute?: AttributeProto[];
}

export interface DimProto {
  dim_value?: number;
  dim_param?: string;
}

export interface ValueInfoProto {
  name: string;
  type?: { tensor_type?: { elem_type?: number; shape?: { dim?: DimProto[] } } };
  doc_string?: string;
}

export interface GraphProto {
  name?: string;
  node?: NodeProto[];
  initializer?: TensorProto[];
  input?: ValueInfoProto[];
  output?: ValueInfoProto[];
  value_info?: ValueInfoProto[];
  doc_string?: string;
}

export interface ModelProto {
  ir_version?: number;
  opset_import?: { domain?: string; version?: number }[];
  producer_name?: string;
  producer_version?: string;
  doc_string?: string;
  graph?: GraphProto;
  metadata_props?: { key?: string; value?: string }[];
}

export function encodeModel(model: ModelProto): Uint8Array {
  const message = ModelProto.fromObject(model);
  return ModelProto.encode(message).finish();
}

/** Decodes ONNX bytes; a truncated or non-ONNX buffer throws an Error saying so. */
export function decodeModel(bytes: Uint8Array): ModelProto {
  if (bytes.length === 0) throw new Error('not an ONNX model: the file is empty');
  let message;
  try {
    message = ModelProto.decode(bytes);
  } catch (e) {
    throw new Error(`not an ONNX model (protobuf decoding failed: ${(e as Error).message})`, { cause: e });
  }
  // longs: Number — every int64 we meet (dims, attribute ints, shape operands) fits in a double.
  const model = ModelProto.toObject(message, { longs: Number, enums: Number, defaults: false }) as ModelProto;
  // Random bytes often decode as a few unknown fields; a model always has a graph.
  if (!model.graph) throw new Error('not an ONNX model: no graph in the file');
  return model;
}

export function dataTypeOf(dtype: DType): number {
  return DATA_TYPE[dtype];
}

/** The engine dtype of an ONNX element type, or an error naming the unsupported type. */
export function dtypeOf(dataType: number | undefined, what: string): DType {
  for (const [dtype, code] of Object.entries(DATA_TYPE)) if (code === dataType) return dtype as DType;
  throw new Error(
    `${what} has element type ${DATA_TYPE_NAMES[dataType ?? 0] ?? dataType}, which the engine does not support`,
  );
}

export function dataTypeName(dataType: number | undefined): string {
  return DATA_TYPE_NAMES[dataType ?? 0] ?? String(dataType);
}

/** A TensorProto holding the tensor's bytes as raw_data (little-endian, as ONNX requires). */
export function tensorToProto(name: string, t: Tensor): TensorProto {
  const d = t.data;
  return {
    name,
    dims: [...t.shape],
    data_type: DATA_TYPE[t.dtype],
    raw_data: new Uint8Array(d.buffer, d.byteOffset, d.byteLength),
  };
}

export function protoToTensor(p: TensorProto): Tensor {
  const what = `tensor '${p.name ?? ''}'`;
  if (p.data_location === 1) throw new Error(`${what} keeps its data in an external file, which is not supported`);
  const dtype = dtypeOf(p.data_type, what);
  const shape = (p.dims ?? []).map(Number);
  const size = sizeOf(shape);
  const out = allocate(dtype, size);
  if (p.raw_data && p.raw_data.length > 0) {
    if (p.raw_data.length !== out.byteLength) {
      throw new Error(
        `${what}: raw_data has ${p.raw_data.length} bytes, shape [${shape}] of ${dtype} needs ${out.byteLength}`,
      );
    }
    // Copy into the fresh (aligned) buffer: raw_data may sit at any offset inside the file.
    new Uint8Array(out.buffer).set(p.raw_data);
    return new Tensor(dtype, shape, out);
  }
  const typed: readonly number[] =
    (dtype === 'float32'
      ? p.float_data
      : dtype === 'float64'
        ? p.double_data
        : dtype === 'int64'
          ? p.int64_data
          : p.int32_data) ?? [];
  if (typed.length !== size) throw new Error(`${what}: has ${typed.length} values, shape [${shape}] needs ${size}`);
  return new Tensor(dtype, shape, typed);
}
