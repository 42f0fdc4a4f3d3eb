// ONNX import and export of the engine's graphs (protobuf via protobufjs and the official onnx.proto).
export { toOnnx, OPSET, type ToOnnxOptions } from './writer.js';
export {
  fromOnnx,
  inspectOnnx,
  MIN_OPSET,
  MAX_OPSET,
  type FromOnnxOptions,
  type OnnxModel,
  type OnnxSummary,
  type OnnxValueInfo,
} from './reader.js';
