// Optimizers, gradient clipping, LR schedules and the training-step graph against PyTorch float64
// fixtures: optimizer trajectories (sgd_momentum_adamw.json), two Adam steps of a residual conv
// denoiser (dncnn_adam.json), one VAE step with SGD and with Adam (vae_step.json).

import { describe, expect, it } from 'vitest';
import { evaluate } from '../../../main/engine/exec/reference/index.js';
import { Graph, type FloatType, Tensor, type Value } from '../../../main/engine/ir/index.js';
import { bceWithLogits, gaussianKl, mse, reparameterize } from '../../../main/engine/losses/index.js';
import {
  type OptimizerConfig,
  type TrainStep,
  buildTrainStep,
  cosineLr,
  stepLr,
} from '../../../main/engine/optim/index.js';
import { FIXTURE_TOL, type JsonTensor, expectMatches, loadFixture, toTensor } from './fixtures-load.js';

type Tensors = Record<string, JsonTensor>;

/** Runs `steps` training steps, feeding outputs back as the descriptor says; returns each step's outputs. */
function runSteps(
  step: TrainStep,
  first: Record<string, Tensor>,
  perStep: (k: number) => Record<string, Tensor>,
  steps: number,
): Record<string, Tensor>[] {
  let state: Record<string, Tensor> = { ...first, ...step.initialSlots() };
  const results: Record<string, Tensor>[] = [];
  for (let k = 1; k <= steps; k++) {
    const out = evaluate(step.graph, { ...state, ...perStep(k) });
    results.push(out);
    state = { ...state };
    for (const { output, input } of step.feedback) state[input] = out[output]!;
  }
  return results;
}

interface OptimFixture {
  p0: JsonTensor;
  grads: JsonTensor[];
  optimizers: Record<
    string,
    { hyper: Record<string, number | boolean>; params: JsonTensor[]; [state: string]: unknown }
  >;
  schedules: {
    cosine: { base_lr: number; T_max: number; eta_min: number; lr: number[] };
    step: { base_lr: number; step_size: number; gamma: number; lr: number[] };
  };
}

describe.each(['float64', 'float32'] as const)('optimizers and training steps (%s)', (dtype: FloatType) => {
  const tol = FIXTURE_TOL[dtype];
  const opt = loadFixture<OptimFixture>('sgd_momentum_adamw.json');
  const scalar = (x: number): Tensor => new Tensor(dtype, [], [x]);

  /** A graph whose loss Σ p·g has gradient g, the given per-step gradient. */
  function trajectory(config: OptimizerConfig, lr: number, clip?: number): Record<string, Tensor>[] {
    const g = new Graph(dtype);
    const p = g.parameter('p', opt.p0.shape);
    const grad = g.input('g', opt.p0.shape);
    const step = buildTrainStep({
      graph: g,
      loss: g.reduceSum(g.mul(p, grad), undefined, false),
      optimizer: config,
      clipGradNorm: clip,
      exposeGrads: true,
    });
    return runSteps(
      step,
      { p: toTensor(opt.p0, dtype) },
      (k) => ({ g: toTensor(opt.grads[k - 1]!, dtype), lr: scalar(lr), t: scalar(k) }),
      3,
    );
  }

  it('SGD', () => {
    const out = trajectory({ kind: 'sgd' }, 0.1);
    out.forEach((o, k) => expectMatches(o['param_next/p']!, opt.optimizers.sgd!.params[k]!, tol, `sgd step ${k + 1}`));
  });

  it('SGD with momentum (PyTorch buffer semantics)', () => {
    const f = opt.optimizers.sgd_momentum!;
    const out = trajectory({ kind: 'sgd', momentum: 0.9 }, 0.1);
    out.forEach((o, k) => {
      expectMatches(o['param_next/p']!, f.params[k]!, tol, `momentum params ${k + 1}`);
      expectMatches(o['buf_next/p']!, (f.momentum_buffer as JsonTensor[])[k]!, tol, `momentum buffer ${k + 1}`);
    });
  });

  it.each(['adam', 'adamw'] as const)('%s', (kind) => {
    const f = opt.optimizers[kind]!;
    const h = f.hyper as Record<string, number>;
    const out = trajectory({ kind, beta1: h.beta1, beta2: h.beta2, eps: h.eps, weightDecay: h.weight_decay }, h.lr!);
    out.forEach((o, k) => {
      expectMatches(o['param_next/p']!, f.params[k]!, tol, `${kind} params ${k + 1}`);
      expectMatches(o['m_next/p']!, (f.m as JsonTensor[])[k]!, tol, `${kind} m ${k + 1}`);
      expectMatches(o['v_next/p']!, (f.v as JsonTensor[])[k]!, tol, `${kind} v ${k + 1}`);
    });
  });

  it('global gradient-norm clipping, then SGD', () => {
    const f = opt.optimizers.clip_then_sgd!;
    const out = trajectory({ kind: 'sgd' }, 0.1, f.hyper.max_norm as number);
    out.forEach((o, k) => {
      expectMatches(o.grad_norm!, (f.total_norms as number[])[k]!, tol, `norm ${k + 1}`);
      expectMatches(o['grad/p']!, (f.clipped_grads as JsonTensor[])[k]!, tol, `clipped ${k + 1}`);
      expectMatches(o['param_next/p']!, f.params[k]!, tol, `params ${k + 1}`);
    });
  });

  it('step and cosine LR schedules', () => {
    const c = opt.schedules.cosine;
    const s = opt.schedules.step;
    const cos = cosineLr(c.base_lr, c.T_max, c.eta_min);
    const st = stepLr(s.base_lr, s.step_size, s.gamma);
    c.lr.forEach((lr, t) => expect(Math.abs(cos(t) - lr)).toBeLessThanOrEqual(1e-15));
    s.lr.forEach((lr, t) => expect(st(t)).toBe(lr));
  });

  it('two Adam steps of the residual conv denoiser (dncnn_adam.json)', () => {
    const f = loadFixture<{
      param_order: string[];
      params_initial: Tensors;
      x: JsonTensor;
      y: JsonTensor;
      steps: {
        loss: number;
        output: JsonTensor;
        grads: Tensors;
        params_after: Tensors;
        adam_m: Tensors;
        adam_v: Tensors;
      }[];
    }>('dncnn_adam.json');
    const g = new Graph(dtype);
    const x = g.input('x', f.x.shape);
    const y = g.input('y', f.y.shape);
    const p = (name: string): Value => g.parameter(name, f.params_initial[name]!.shape);
    let h: Value = x;
    for (let l = 0; l < 4; l++) {
      h = g.conv(h, p(`conv${l}.weight`), p(`conv${l}.bias`), { pads: [1, 1, 1, 1] });
      if (l < 3) h = g.relu(h);
    }
    const output = g.sub(x, h);
    expect(g.parameters.map((v) => v.name)).toEqual(f.param_order);
    const step = buildTrainStep({
      graph: g,
      loss: mse(g, output, y),
      probes: { output },
      optimizer: { kind: 'adam' },
      exposeGrads: true,
    });
    const params = Object.fromEntries(f.param_order.map((n) => [n, toTensor(f.params_initial[n]!, dtype)]));
    const data = { x: toTensor(f.x, dtype), y: toTensor(f.y, dtype), lr: scalar(1e-3) };
    const out = runSteps(step, params, (k) => ({ ...data, t: scalar(k) }), 2);
    out.forEach((o, k) => {
      const want = f.steps[k]!;
      expectMatches(o.loss!, want.loss, tol, `step ${k + 1} loss`);
      expectMatches(o['probe/output']!, want.output, tol, `step ${k + 1} output`);
      for (const n of f.param_order) {
        expectMatches(o[`grad/${n}`]!, want.grads[n]!, tol, `step ${k + 1} grad ${n}`);
        expectMatches(o[`param_next/${n}`]!, want.params_after[n]!, tol, `step ${k + 1} ${n}`);
        expectMatches(o[`m_next/${n}`]!, want.adam_m[n]!, tol, `step ${k + 1} m ${n}`);
        expectMatches(o[`v_next/${n}`]!, want.adam_v[n]!, tol, `step ${k + 1} v ${n}`);
      }
    });
  });

  it('one VAE step with SGD and with Adam (vae_step.json)', () => {
    const f = loadFixture<{
      param_order: string[];
      params_initial: Tensors;
      x: JsonTensor;
      eps: JsonTensor;
      intermediates: Tensors;
      loss: { recon: number; kl: number; total: number };
      grads: Tensors;
      sgd: { lr: number; params_after: Tensors };
      adam: { lr: number; params_after: Tensors; m: Tensors; v: Tensors };
    }>('vae_step.json');
    for (const branch of ['sgd', 'adam'] as const) {
      const g = new Graph(dtype);
      const x = g.input('x', f.x.shape);
      const eps = g.input('eps', f.eps.shape);
      const dense = (v: Value, layer: string): Value =>
        g.add(
          g.matmul(v, g.parameter(`${layer}.W`, f.params_initial[`${layer}.W`]!.shape)),
          g.parameter(`${layer}.b`, f.params_initial[`${layer}.b`]!.shape),
        );
      const h = g.relu(dense(x, 'enc'));
      const mu = dense(h, 'mu');
      const logvar = dense(h, 'logvar');
      const z = reparameterize(g, mu, logvar, eps);
      const logits = dense(g.relu(dense(z, 'dec1')), 'dec2');
      const recon = bceWithLogits(g, logits, x, 'batchmean');
      const kl = gaussianKl(g, mu, logvar);
      const step = buildTrainStep({
        graph: g,
        loss: g.add(recon, kl),
        terms: { recon, kl },
        probes: { mu, logvar, z, logits },
        optimizer: branch === 'sgd' ? { kind: 'sgd' } : { kind: 'adam' },
        exposeGrads: true,
      });
      const feeds = {
        ...Object.fromEntries(f.param_order.map((n) => [n, toTensor(f.params_initial[n]!, dtype)])),
        ...step.initialSlots(),
        x: toTensor(f.x, dtype),
        eps: toTensor(f.eps, dtype),
        lr: scalar(f[branch].lr),
        t: scalar(1),
      };
      const o = evaluate(g, feeds);
      expectMatches(o.loss!, f.loss.total, tol, 'total');
      expectMatches(o['loss/recon']!, f.loss.recon, tol, 'recon');
      expectMatches(o['loss/kl']!, f.loss.kl, tol, 'kl');
      for (const k of ['mu', 'logvar', 'z', 'logits']) expectMatches(o[`probe/${k}`]!, f.intermediates[k]!, tol, k);
      for (const n of f.param_order) {
        expectMatches(o[`grad/${n}`]!, f.grads[n]!, tol, `grad ${n}`);
        expectMatches(o[`param_next/${n}`]!, f[branch].params_after[n]!, tol, `${branch} ${n}`);
      }
      if (branch === 'adam') {
        for (const n of f.param_order) {
          expectMatches(o[`m_next/${n}`]!, f.adam.m[n]!, tol, `m ${n}`);
          expectMatches(o[`v_next/${n}`]!, f.adam.v[n]!, tol, `v ${n}`);
        }
      }
    }
  });
});

describe('training-step descriptor', () => {
  it('lists inputs, slots and feedback pairs, and keeps frozen parameters fixed', () => {
    const g = new Graph('float64');
    const x = g.input('x', [2, 3]);
    const enc = g.parameter('enc.W', [3, 2]);
    const head = g.parameter('head.W', [2, 1]);
    const out = g.matmul(g.tanh(g.matmul(x, enc)), head);
    const step = buildTrainStep({
      graph: g,
      loss: g.reduceMean(g.mul(out, out), undefined, false),
      optimizer: { kind: 'adamw', weightDecay: 0.1 },
      frozen: [enc],
    });
    expect(step.dataInputs).toEqual(['x']);
    expect(step.params).toEqual([
      { name: 'enc.W', shape: [3, 2], trainable: false },
      { name: 'head.W', shape: [2, 1], trainable: true },
    ]);
    expect(step.slots.map((s) => [s.input, s.output])).toEqual([
      ['m/head.W', 'm_next/head.W'],
      ['v/head.W', 'v_next/head.W'],
    ]);
    expect(step.feedback).toEqual([
      { output: 'param_next/head.W', input: 'head.W' },
      { output: 'm_next/head.W', input: 'm/head.W' },
      { output: 'v_next/head.W', input: 'v/head.W' },
    ]);
    expect(g.outputs.map((v) => v.name)).not.toContain('param_next/enc.W');
    expect(() => buildTrainStep({ graph: g, loss: out, optimizer: { kind: 'sgd' } })).toThrow(/one float element/);
  });
});
