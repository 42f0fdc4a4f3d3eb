// The step-through view's numbers against /work/shared/reference/worked-examples.md.
import { describe, expect, it } from 'vitest';
import { EXAMPLES, parseEntry, sgdStep, traceStep, withValue } from '../../../renderer/src/latent/worked.js';

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

describe('editing a worked example and stepping it', () => {
  it('an edited weight recomputes the loss: seed 004 with w1 = 0.2 (by hand: out 0.2162, E 0.30717122)', () => {
    const ex = withValue(example('seed-004'), { kind: 'weight', layer: 0, j: 0, i: 0 }, 0.2);
    const t = traceStep(ex);
    // h1 = 0.2·2 + 0.21·3 = 1.03, h2 = 0.48, out = 0.14·1.03 + 0.15·0.48 = 0.2162, E = ½·0.7838².
    expect(t.forward[0]!.out[0]).toBeCloseTo(1.03, 12);
    expect(t.output[0]).toBeCloseTo(0.2162, 12);
    expect(t.loss).toBeCloseTo(0.30717122, 12);
    // The seed itself is left as it was: Reset goes back to it.
    expect(example('seed-004').layers[0]!.W[0]![0]).toBe(0.11);
    expect(traceStep(example('seed-004')).loss).toBeCloseTo(0.3272405, 7);
  });

  it("an edited input of an autoencoder is its target too; seed 004's target stays 1", () => {
    const ae = withValue(example('seed-002'), { kind: 'input', i: 1 }, 0.6);
    expect(ae.input).toEqual([1.0, 0.6, 0.5]);
    expect(ae.target).toEqual([1.0, 0.6, 0.5]);
    // z = [0.8 + 0.18 + 0.25, 0.4 + 0.42 + 0.1] = [1.23, 0.92]; x̂ = [1.475, 0.89, 0.891].
    const t = traceStep(ae);
    [1.475, 0.89, 0.891].forEach((v, i) => expect(t.output[i]).toBeCloseTo(v, 12));
    expect(t.loss).toBeCloseTo((0.475 ** 2 + 0.29 ** 2 + 0.391 ** 2) / 3, 12);
    const reg = withValue(example('seed-004'), { kind: 'input', i: 0 }, 1);
    expect(reg.target).toEqual([1]);
    expect(traceStep(reg).output[0]).toBeCloseTo(0.14 * (0.11 + 0.63) + 0.15 * (0.12 + 0.24), 12);
  });

  it('one step on seed 004 lands on the reference weights, and its loss is theirs', () => {
    const s = sgdStep(example('seed-004'))!;
    expect(s.lossBefore).toBeCloseTo(0.3272405, 7);
    const [h, o] = s.next.layers;
    const next = [...h!.W[0]!, ...h!.W[1]!, ...o!.W[0]!];
    const want = [0.121326, 0.226989, 0.132135, 0.098202, 0.174383, 0.169416];
    next.forEach((w, i) => expect(Math.abs(w - want[i]!)).toBeLessThanOrEqual(5e-7 + 1e-12));
    // The loss at the reference's (rounded) weights: out = w5·(2w1 + 3w2) + w6·(2w3 + 3w4).
    const [w1, w2, w3, w4, w5, w6] = want as [number, number, number, number, number, number];
    const out = w5 * (2 * w1 + 3 * w2) + w6 * (2 * w3 + 3 * w4);
    expect(Math.abs(s.lossAfter - 0.5 * (out - 1) ** 2)).toBeLessThan(1e-5);
    expect(s.lossAfter).toBeCloseTo(0.276957171, 9); // float64, unrounded weights
  });

  it('one step on seed 002 takes the MSE from 0.198864667 to 0.081143130 (exact fractions)', () => {
    const s = sgdStep(example('seed-002'))!;
    expect(s.lossBefore).toBeCloseTo(0.198864667, 9);
    // Recomputed independently with Python's fractions.Fraction: the updated weights, then the loss.
    expect(s.next.layers[0]!.W[0]).toEqual([0.7468, 0.25744, 0.4734].map((v) => expect.closeTo(v, 12)));
    expect(s.next.layers[1]!.W[2]).toEqual([0.460182, 0.2672813333333333].map((v) => expect.closeTo(v, 12)));
    expect(s.lossAfter).toBeCloseTo(0.081143129766, 11);
    // The step's new weights are the ones the step-through's Update stage shows.
    const t = traceStep(example('seed-002'));
    s.next.layers.forEach((l, k) => expect(l.W).toEqual(t.backward[k]!.Wnext));
  });

  it('stepping again and again keeps lowering the loss, each step starting where the last ended', () => {
    // Seed 004 with w1 = 0.2, four steps (float64 reference values from a numpy loop).
    let ex = withValue(example('seed-004'), { kind: 'weight', layer: 0, j: 0, i: 0 }, 0.2);
    const want = [0.30717122, 0.250227604158, 0.192667331885, 0.138470744916, 0.091952573165];
    for (let k = 0; k < 4; k++) {
      const s = sgdStep(ex)!;
      expect(s.lossBefore).toBeCloseTo(want[k]!, 11);
      expect(s.lossAfter).toBeCloseTo(want[k + 1]!, 11);
      expect(s.lossAfter).toBeLessThan(s.lossBefore);
      ex = s.next;
    }
  });

  it('no step from a loss that is not a number (a saturated sigmoid under BCE)', () => {
    // σ(40) rounds to exactly 1 in float64, so ln(1 − x̂) is −∞.
    const ex = withValue(example('seed-001'), { kind: 'weight', layer: 1, j: 1, i: 1 }, 80);
    expect(Number.isFinite(traceStep(ex).loss)).toBe(false);
    expect(sgdStep(ex)).toBeNull();
  });

  it('an entry is a plain finite decimal, or it is refused with a sentence', () => {
    expect(parseEntry(' 0.25 ')).toEqual({ value: 0.25 });
    expect(parseEntry('-1e-3')).toEqual({ value: -0.001 });
    expect(parseEntry('0,5')).toEqual({ value: 0.5 });
    expect(parseEntry('−2')).toEqual({ value: -2 });
    expect(parseEntry('.5')).toEqual({ value: 0.5 });
    for (const bad of ['', '  ', 'NaN', 'abc', '0x10', 'Infinity', '1e999', '1.2.3', '-'])
      expect(parseEntry(bad), JSON.stringify(bad)).toEqual({ error: expect.stringMatching(/number/) });
  });
});
