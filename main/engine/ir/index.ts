// Public surface of the IR.
export { Graph, type Value, type Node, type ValueKind, type ConvOptions } from './graph.js';
export { OPS, opSpecs, isOp, ShapeError, type Op, type OpSpec, type Attrs, type AttrValue, type AttrType } from './ops.js';
export { Tensor, sizeOf, allocate, isFloat, type DType, type FloatType, type Shape, type TensorData } from './tensor.js';
export { multiplyAdds } from './cost.js';
