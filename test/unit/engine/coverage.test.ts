// Every op of the IR appears in exactly three places: its shape rule, its gradient rule and its
// reference kernel (the Record<Op, …> types make each table complete; these tests check what the
// types cannot: which ops have no gradient, and that no table holds an op outside the IR).

import { describe, expect, it } from 'vitest';
import { referenceKernels } from '../../../main/engine/exec/reference/index.js';
import { NO_GRADIENT, gradRules } from '../../../main/engine/grad/index.js';
import { OPS } from '../../../main/engine/ir/index.js';

describe('op coverage', () => {
  it('lists a reasonable op set', () => {
    expect(OPS.length).toBeGreaterThanOrEqual(40);
    for (const op of ['Conv', 'ConvTranspose', 'Gemm', 'MatMul', 'Resize', 'Pad', 'Softmax'] as const)
      expect(OPS).toContain(op);
  });

  it('marks exactly the non-differentiable ops as having no gradient', () => {
    expect(OPS.filter((op) => gradRules[op] === NO_GRADIENT).sort()).toEqual([
      'DequantizeLinear',
      'Equal',
      'Greater',
      'Less',
      'QuantizeLinear',
      'Sign',
    ]);
  });

  it('has no rules or kernels for ops outside the IR', () => {
    expect(Object.keys(gradRules).sort()).toEqual([...OPS].sort());
    expect(Object.keys(referenceKernels).sort()).toEqual([...OPS].sort());
  });
});
