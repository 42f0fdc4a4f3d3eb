// Loading the PyTorch float64 fixtures of test/fixtures/engine (schema in its README.md) and
// comparing engine results with them: |a − b| ≤ tol·(1 + |b|).

import { readFileSync } from 'node:fs';
import { Tensor, type FloatType } from '../../../main/engine/ir/index.js';

export interface JsonTensor {
  shape: number[];
  data: number[];
  dtype?: 'int64';
}

export function loadFixture<T>(file: string): T {
  return JSON.parse(readFileSync(new URL(`../../fixtures/engine/${file}`, import.meta.url), 'utf8')) as T;
}

export function toTensor(j: JsonTensor, dtype: FloatType): Tensor {
  return Tensor.fromArray(dtype, j.shape, j.data);
}

/** Float64 engine against float64 PyTorch: 1e-9; float32 engine: 1e-5. */
export const FIXTURE_TOL: Record<FloatType, number> = { float64: 1e-9, float32: 1e-5 };

export function expectMatches(
  actual: Tensor | number,
  expected: JsonTensor | number,
  tol: number,
  label: string,
): void {
  const got = typeof actual === 'number' ? [actual] : actual.toNumbers();
  const want = typeof expected === 'number' ? [expected] : expected.data;
  if (typeof actual !== 'number' && typeof expected !== 'number') {
    if (actual.shape.join(',') !== expected.shape.join(',')) {
      throw new Error(`${label}: shape [${actual.shape}] but the fixture has [${expected.shape}]`);
    }
  }
  if (got.length !== want.length) throw new Error(`${label}: ${got.length} elements, fixture has ${want.length}`);
  let worst = -1;
  let worstErr = 0;
  got.forEach((v, i) => {
    const err = Math.abs(v - want[i]!) / (1 + Math.abs(want[i]!));
    if (!(err <= worstErr)) {
      worstErr = err;
      worst = i;
    }
  });
  if (!(worstErr <= tol)) {
    throw new Error(
      `${label}: element ${worst} is ${got[worst]}, fixture ${want[worst]} (scaled error ${worstErr} > ${tol})`,
    );
  }
}
