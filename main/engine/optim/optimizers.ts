// Optimizers as IR: each emits the update of one parameter as graph nodes, with PyTorch's
// semantics. The learning rate `lr` and the 1-based step `t` are scalar graph inputs, so a
// schedule is a plain function evaluated in JS each step (schedules.ts) and the graph never changes.

import type { Graph, Value } from '../ir/graph.js';

export interface SgdConfig {
  kind: 'sgd';
  /** 0 = plain SGD (no momentum buffer). */
  momentum?: number;
  dampening?: number;
  nesterov?: boolean;
  /** L2 penalty added to the gradient (PyTorch's SGD weight_decay). */
  weightDecay?: number;
}

export interface AdamConfig {
  /** 'adam': weight decay as L2 on the gradient; 'adamw': decoupled p ← p·(1 − lr·wd). */
  kind: 'adam' | 'adamw';
  beta1?: number;
  beta2?: number;
  eps?: number;
  weightDecay?: number;
}

export type OptimizerConfig = SgdConfig | AdamConfig;

/** Slot names (optimizer state per parameter) an optimizer keeps. */
export function optimizerSlots(config: OptimizerConfig): string[] {
  if (config.kind === 'sgd') return (config.momentum ?? 0) !== 0 ? ['buf'] : [];
  return ['m', 'v'];
}

export interface UpdateInputs {
  param: Value;
  grad: Value;
  /** Current slot values by slot name ('buf', or 'm' and 'v'). */
  slots: Readonly<Record<string, Value>>;
  lr: Value;
  /** 1-based step number as a float scalar. */
  t: Value;
}

export interface UpdateOutputs {
  param: Value;
  slots: Record<string, Value>;
}

/** Emits one optimizer step for one parameter. */
export function applyUpdate(g: Graph, config: OptimizerConfig, u: UpdateInputs): UpdateOutputs {
  const s = (x: number): Value => g.scalar(x, u.param.dtype);
  if (config.kind === 'sgd') {
    const momentum = config.momentum ?? 0;
    const dampening = config.dampening ?? 0;
    const wd = config.weightDecay ?? 0;
    let grad = wd !== 0 ? g.add(u.grad, g.mul(u.param, s(wd))) : u.grad;
    const slots: Record<string, Value> = {};
    if (momentum !== 0) {
      const prev = u.slots.buf!;
      let buf = g.add(g.mul(prev, s(momentum)), dampening !== 0 ? g.mul(grad, s(1 - dampening)) : grad);
      // PyTorch starts the buffer at the first gradient itself (no dampening on step 1).
      if (dampening !== 0) buf = g.where(g.equal(u.t, s(1)), grad, buf);
      slots.buf = buf;
      grad = config.nesterov ? g.add(grad, g.mul(buf, s(momentum))) : buf;
    }
    return { param: g.sub(u.param, g.mul(grad, u.lr)), slots };
  }
  const beta1 = config.beta1 ?? 0.9;
  const beta2 = config.beta2 ?? 0.999;
  const eps = config.eps ?? 1e-8;
  const wd = config.weightDecay ?? 0;
  let param = u.param;
  let grad = u.grad;
  if (wd !== 0 && config.kind === 'adamw') param = g.mul(param, g.sub(s(1), g.mul(u.lr, s(wd))));
  if (wd !== 0 && config.kind === 'adam') grad = g.add(grad, g.mul(u.param, s(wd)));
  const m = g.add(g.mul(u.slots.m!, s(beta1)), g.mul(grad, s(1 - beta1)));
  const v = g.add(g.mul(u.slots.v!, s(beta2)), g.mul(g.mul(grad, grad), s(1 - beta2)));
  // PyTorch's order: step = lr / (1 − β1^t); denom = √v / √(1 − β2^t) + eps; p −= step · m / denom.
  const bc1 = g.sub(s(1), g.pow(s(beta1), u.t));
  const bc2 = g.sub(s(1), g.pow(s(beta2), u.t));
  const stepSize = g.div(u.lr, bc1);
  const denom = g.add(g.div(g.sqrt(v), g.sqrt(bc2)), s(eps));
  return { param: g.sub(param, g.mul(stepSize, g.div(m, denom))), slots: { m, v } };
}

/**
 * torch.nn.utils.clip_grad_norm_: total = ‖all gradients‖₂; every gradient is scaled by
 * min(1, maxNorm / (total + 1e-6)). Returns the scaled gradients and the total norm before clipping.
 */
export function clipGradNorm(g: Graph, grads: readonly Value[], maxNorm: number): { grads: Value[]; totalNorm: Value } {
  if (grads.length === 0) throw new Error('clipGradNorm: no gradients');
  const dtype = grads[0]!.dtype;
  const squares = grads.map((gr) => g.reduceSum(g.mul(gr, gr), undefined, false));
  const total = g.sqrt(squares.reduce((a, b) => g.add(a, b)));
  const coef = g.min(g.div(g.scalar(maxNorm, dtype), g.add(total, g.scalar(1e-6, dtype))), g.scalar(1, dtype));
  return { grads: grads.map((gr) => g.mul(gr, coef)), totalNorm: total };
}
