// The step-through view's numbers against /work/shared/reference/worked-examples.md.
import { describe, expect, it } from 'vitest';
import { EXAMPLES, traceStep } from '../../../renderer/src/latent/worked.js';

const example = (id: string) => EXAMPLES.find((e) => e.id === id)!;

describe('worked examples', () => {
  it('seed 004: out 0.191, error 0.327240, weights after one SGD step', () => {
    const t = traceStep(example('seed-004'));
    expect(t.forward[0]!.out[0]).toBeCloseTo(0.85, 12);
    expect(t.forward[0]!.out[1]).toBeCloseTo(0.48, 12);
    expect(t.output[0]).toBeCloseTo(0.191, 12);
    expect(t.loss).toBeCloseTo(0.3272405, 7);
    const [h, o] = t.backward;
    const next = [...h!.Wnext[0]!, ...h!.Wnext[1]!, ...o!.Wnext[0]!];
    const want = [0.121326, 0.226989, 0.132135, 0.098202, 0.174383, 0.169416];
    // The reference rounds to 6 decimals: agree within half a unit of the last one.
    next.forEach((w, i) => expect(Math.abs(w - want[i]!)).toBeLessThanOrEqual(5e-7 + 1e-12));
  });

  it('seed 002: z = [1.29, 1.06], x̂ = [1.585, 1.0, 0.963], MSE 0.198864667', () => {
    const t = traceStep(example('seed-002'));
    expect(t.forward[0]!.out[0]).toBeCloseTo(1.29, 12);
    expect(t.forward[0]!.out[1]).toBeCloseTo(1.06, 12);
    [1.585, 1.0, 0.963].forEach((v, i) => expect(t.output[i]).toBeCloseTo(v, 12));
    expect(t.loss).toBeCloseTo(0.198864667, 9);
    // Gradient of the MSE w.r.t. the first decoder weight: 2/3·(1.585−1)·1.29 (ReLU is active).
    expect(t.backward[1]!.dW[0]![0]).toBeCloseTo((2 / 3) * 0.585 * 1.29, 12);
  });

  it('seed 001: z = [0.7310585786, 0.5], x̂ = [0.6750375273, 0.6224593312], BCE 0.6835320', () => {
    const t = traceStep(example('seed-001'));
    expect(t.forward[0]!.out[0]).toBeCloseTo(0.7310585786, 9);
    expect(t.forward[0]!.out[1]).toBeCloseTo(0.5, 12);
    expect(t.output[0]).toBeCloseTo(0.6750375273, 9);
    expect(t.output[1]).toBeCloseTo(0.6224593312, 9);
    expect(t.loss).toBeCloseTo(0.683532, 6);
  });

  it('every backprop gradient agrees with a finite difference of the loss', () => {
    for (const ex of EXAMPLES) {
      const t = traceStep(ex);
      ex.layers.forEach((layer, l) =>
        layer.W.forEach((row, j) =>
          row.forEach((_, i) => {
            const h = 1e-6;
            const bump = (d: number) => {
              const layers = ex.layers.map((L, k) =>
                k === l ? { ...L, W: L.W.map((r, jj) => r.map((w, ii) => (jj === j && ii === i ? w + d : w))) } : L,
              );
              return traceStep({ ...ex, layers }).loss;
            };
            const fd = (bump(h) - bump(-h)) / (2 * h);
            expect(t.backward[l]!.dW[j]![i], `${ex.id} ${layer.name}[${j}][${i}]`).toBeCloseTo(fd, 6);
          }),
        ),
      );
    }
  });
});
