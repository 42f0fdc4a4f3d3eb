// The model builders + objectives, compiled into one training step, against PyTorch (float64
// fixtures in test/fixtures/engine, made by scripts/fixtures/make_engine_fixtures.py).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createExecutor } from '../../../main/engine/exec/index.js';
import { Tensor } from '../../../main/engine/ir/tensor.js';
import { buildTrainingModel } from '../../../main/engine/nn/index.js';
import { architecture } from '../../../common/model/index.js';
import { buildTrainStep } from '../../../main/engine/optim/index.js';

interface T {
  shape: number[];
  data: number[];
}
const load = <X>(name: string) => JSON.parse(readFileSync(`test/fixtures/engine/${name}`, 'utf8')) as X;
const t64 = (t: T) => new Tensor('float64', t.shape, t.data);
const close = (a: ArrayLike<number>, b: readonly number[], tol: number) => {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < b.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!) / (1 + Math.abs(b[i]!)));
  expect(worst).toBeLessThan(tol);
};

describe('training step vs PyTorch fixtures (float64, reference interpreter)', () => {
  it('residual denoiser (ref-dae scaled down): two Adam steps, losses and parameters to 1e-9', async () => {
    const fx = load<{
      param_order: string[];
      params_initial: Record<string, T>;
      x: T;
      y: T;
      steps: {
        step: number;
        loss: number;
        params_after: Record<string, T>;
        adam_m: Record<string, T>;
        adam_v: Record<string, T>;
      }[];
    }>('dncnn_adam.json');
    const arch = architecture({ network: { type: 'residual', channels: 1, features: 8, depth: 4, kernel: 3 } });
    const m = buildTrainingModel(arch, { batch: 2, sampleShape: [1, 10, 10], floatType: 'float64' });
    expect(m.forward.graph.parameters.map((p) => p.name)).toEqual(fx.param_order);
    const ts = buildTrainStep({ graph: m.forward.graph, loss: m.loss, terms: m.terms, optimizer: { kind: 'adam' } });
    const compiled = await (await createExecutor('reference')).compile(ts.graph);
    const state: Record<string, Tensor> = { ...ts.initialSlots() };
    for (const name of fx.param_order) state[name] = t64(fx.params_initial[name]!);
    for (const s of fx.steps) {
      const out = await compiled.run({
        ...state,
        x: t64(fx.x),
        y: t64(fx.y),
        lr: Tensor.scalar(1e-3, 'float64'),
        t: Tensor.scalar(s.step, 'float64'),
      });
      expect(Math.abs((out.loss!.data[0] as number) - s.loss)).toBeLessThan(1e-9 * s.loss);
      for (const f of ts.feedback) state[f.input] = out[f.output]!;
      for (const name of fx.param_order) {
        close(state[name]!.data as Float64Array, s.params_after[name]!.data, 1e-9);
        close(state[`m/${name}`]!.data as Float64Array, s.adam_m[name]!.data, 1e-9);
        close(state[`v/${name}`]!.data as Float64Array, s.adam_v[name]!.data, 1e-9);
      }
    }
  });

  it('dense VAE with BCE: recon, KL, total and one Adam step to 1e-9', async () => {
    const fx = load<{
      params_initial: Record<string, T>;
      x: T;
      eps: T;
      loss: { recon: number; kl: number; total: number };
      adam: { lr: number; params_after: Record<string, T> };
    }>('vae_step.json');
    const arch = architecture({
      network: { type: 'dense', widths: [6, 5, 2, 5, 6], hidden: 'relu', output: 'sigmoid' },
      variant: { type: 'variational', beta: 1 },
      loss: 'bce',
    });
    const m = buildTrainingModel(arch, { batch: 4, floatType: 'float64' });
    // Our layer names ↔ the fixture's.
    const names: Record<string, string> = {
      enc0: 'enc',
      enc_mu: 'mu',
      enc_logvar: 'logvar',
      dec0: 'dec1',
      dec1: 'dec2',
    };
    const fxName = (p: string) => `${names[p.split('.')[0]!]}.${p.split('.')[1]}`;
    const ts = buildTrainStep({ graph: m.forward.graph, loss: m.loss, terms: m.terms, optimizer: { kind: 'adam' } });
    const feeds: Record<string, Tensor> = { ...ts.initialSlots(), x: t64(fx.x), y: t64(fx.x), eps: t64(fx.eps) };
    for (const p of m.forward.graph.parameters) feeds[p.name] = t64(fx.params_initial[fxName(p.name)]!);
    const out = await (
      await (await createExecutor('reference')).compile(ts.graph)
    ).run({ ...feeds, lr: Tensor.scalar(fx.adam.lr, 'float64'), t: Tensor.scalar(1, 'float64') });
    expect(out['loss/recon']!.data[0]).toBeCloseTo(fx.loss.recon, 12);
    expect(out['loss/kl']!.data[0]).toBeCloseTo(fx.loss.kl, 12);
    expect(out.loss!.data[0]).toBeCloseTo(fx.loss.total, 12);
    for (const p of m.forward.graph.parameters)
      close(out[`param_next/${p.name}`]!.data as Float64Array, fx.adam.params_after[fxName(p.name)]!.data, 1e-9);
  });
});
