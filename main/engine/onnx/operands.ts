// Operands that ONNX passes as (constant) input tensors but our IR keeps as attributes, because
// shapes are static (see the note at the top of ir/ops.ts). The writer turns each into an
// initializer at the given input position; the reader turns constant inputs back into attributes.
// One table, used in both directions.

import type { Op } from '../ir/ops.js';

/**
 * How the operand is stored in ONNX:
 *   int64s   a 1-D int64 tensor (shapes, axes, pads, slice bounds)
 *   scalar   a 0-D tensor of the node's data type (Clip bounds, Pad value)
 *   float32s a 1-D float tensor (Resize scales are float32 whatever the data type)
 */
export type OperandKind = 'int64s' | 'scalar' | 'float32s';

export interface Operand {
  attr: string;
  input: number;
  kind: OperandKind;
  /** First opset in which ONNX takes this operand as an input (the writer emits opset 17). */
  sinceOpset: number;
}

export const operandAttrs: Partial<Record<Op, readonly Operand[]>> = {
  Reshape: [{ attr: 'shape', input: 1, kind: 'int64s', sinceOpset: 5 }],
  Expand: [{ attr: 'shape', input: 1, kind: 'int64s', sinceOpset: 8 }],
  Slice: [
    { attr: 'starts', input: 1, kind: 'int64s', sinceOpset: 10 },
    { attr: 'ends', input: 2, kind: 'int64s', sinceOpset: 10 },
    { attr: 'axes', input: 3, kind: 'int64s', sinceOpset: 10 },
    { attr: 'steps', input: 4, kind: 'int64s', sinceOpset: 10 },
  ],
  Pad: [
    { attr: 'pads', input: 1, kind: 'int64s', sinceOpset: 11 },
    { attr: 'value', input: 2, kind: 'scalar', sinceOpset: 11 },
  ],
  Clip: [
    { attr: 'min', input: 1, kind: 'scalar', sinceOpset: 11 },
    { attr: 'max', input: 2, kind: 'scalar', sinceOpset: 11 },
  ],
  Resize: [{ attr: 'scales', input: 2, kind: 'float32s', sinceOpset: 11 }],
  ReduceSum: [{ attr: 'axes', input: 1, kind: 'int64s', sinceOpset: 13 }],
  ReduceMean: [{ attr: 'axes', input: 1, kind: 'int64s', sinceOpset: 18 }],
  ReduceMax: [{ attr: 'axes', input: 1, kind: 'int64s', sinceOpset: 18 }],
};

/** The operands of `op` that are inputs (not attributes) in `opset`. */
export function operandsAt(op: Op, opset: number): readonly Operand[] {
  return (operandAttrs[op] ?? []).filter((o) => o.sinceOpset <= opset);
}
