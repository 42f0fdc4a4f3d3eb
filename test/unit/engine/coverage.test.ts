// Every op of the IR appears in exactly three places: its shape rule, its gradient rule and its
// reference kernel. This test enumerates OPS and fails if any of the three is missing.

import { describe, expect, it } from 'vitest';
import { referenceKernels } from '../../../main/engine/exec/reference/index.js';
import { NO_GRADIENT, gradRules } from '../../../main/engine/grad/index.js';
import { OPS, opSpecs } from '../../../main/engine/ir/index.js';

describe('op coverage', () => {
  it('lists a reasonable op set', () => {
    expect(OPS.length).toBeGreaterThanOrEqual(40);
    for (const op of ['Conv', 'ConvTranspose', 'Gemm', 'MatMul', 'Resize', 'Pad', 'Softmax'] as const)
      expect(OPS).toContain(op);
  });

  it.each(OPS)('%s has a shape rule, a gradient rule and a reference kernel', (op) => {
    expect(typeof opSpecs[op].infer).toBe('function');
    const rule = gradRules[op];
    expect(rule === NO_GRADIENT || typeof rule === 'function').toBe(true);
    expect(typeof referenceKernels[op]).toBe('function');
  });

  it('marks exactly the non-differentiable ops as having no gradient', () => {
    expect(OPS.filter((op) => gradRules[op] === NO_GRADIENT).sort()).toEqual(['Equal', 'Greater', 'Less', 'Sign']);
  });

  it('has no rules or kernels for ops outside the IR', () => {
    expect(Object.keys(gradRules).sort()).toEqual([...OPS].sort());
    expect(Object.keys(referenceKernels).sort()).toEqual([...OPS].sort());
  });
});
