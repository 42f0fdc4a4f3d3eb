// THE training-step builder: extends a forward graph in place so that one run = one training step.
//
//   buildTrainStep({ graph, loss, terms?, probes?, optimizer, clipGradNorm?, frozen?, exposeGrads? })
//
// Inputs of the resulting graph (all fed every step):
//   <data inputs>   whatever the forward graph declared with g.input (x, y, eps, noise-level map…)
//   <param>         every parameter, by its own name (frozen ones too: they are read, not updated)
//   lr              learning rate, float scalar [] (schedules.ts computes it in JS)
//   t               1-based step number as a float scalar [] (Adam's bias correction)
//   <slot>/<param>  optimizer state per trainable parameter: m/<p> and v/<p> (Adam, AdamW),
//                   buf/<p> (SGD with momentum), none for plain SGD; zeros before step 1
// Outputs:
//   loss                 the loss BEFORE this step's update
//   loss/<term>          each named term (e.g. loss/recon, loss/kl)
//   probe/<name>         requested intermediate activations (latent z, feature maps)
//   grad_norm            total gradient norm before clipping (only with clipGradNorm)
//   grad/<param>         the gradients (only with exposeGrads; after clipping)
//   param_next/<param>   updated parameters
//   <slot>_next/<param>  updated optimizer state
// The returned descriptor lists these names, the slot shapes, and the output → input pairs to feed
// back, so a trainer runs step after step without any JS arithmetic on weights.

import { backward } from '../grad/backward.js';
import type { GradRules } from '../grad/rules.js';
import type { Graph, Value } from '../ir/graph.js';
import { type Shape, Tensor, isFloat, sizeOf } from '../ir/tensor.js';
import { type OptimizerConfig, applyUpdate, clipGradNorm, optimizerSlots } from './optimizers.js';

export interface TrainStepOptions {
  graph: Graph;
  /** Scalar loss (a single element). */
  loss: Value;
  /** Gradient rules (default: the engine's one table; see grad/backward.ts). */
  rules?: GradRules;
  /** Named loss terms to report (each a single element), e.g. { recon, kl }. */
  terms?: Readonly<Record<string, Value>>;
  /** Named activations to output for visualisation. */
  probes?: Readonly<Record<string, Value>>;
  optimizer: OptimizerConfig;
  /** Clip the global gradient norm to this value (torch.nn.utils.clip_grad_norm_). */
  clipGradNorm?: number;
  /** Parameters to keep fixed (e.g. a pretrained encoder under a new classification head). */
  frozen?: readonly Value[];
  /** Also output grad/<param> (tests, diagnostics). */
  exposeGrads?: boolean;
}

export interface SlotDescriptor {
  /** Graph input name, e.g. 'm/enc.W'. */
  input: string;
  /** Graph output name, e.g. 'm_next/enc.W'. */
  output: string;
  slot: string;
  param: string;
  shape: Shape;
}

export interface TrainStep {
  graph: Graph;
  /** Data inputs of the forward graph, fed by the trainer each step. */
  dataInputs: string[];
  /** Every parameter (graph input by its name), trainable or frozen. */
  params: { name: string; shape: Shape; trainable: boolean }[];
  lr: 'lr';
  t: 't';
  slots: SlotDescriptor[];
  outputs: {
    loss: 'loss';
    terms: Record<string, string>;
    probes: Record<string, string>;
    gradNorm: string | null;
    grads: Record<string, string>;
  };
  /** After each run, feed output `output` as input `input` of the next step (parameters and slots). */
  feedback: { output: string; input: string }[];
  /** Zero-filled optimizer state for step 1. */
  initialSlots(): Record<string, Tensor>;
}

export function buildTrainStep(o: TrainStepOptions): TrainStep {
  const g = o.graph;
  if (sizeOf(o.loss.shape) !== 1 || !isFloat(o.loss.dtype)) {
    throw new Error(`buildTrainStep: the loss must be one float element, got ${o.loss.dtype} [${o.loss.shape}]`);
  }
  for (const name of ['lr', 't']) {
    if (g.values.has(name)) throw new Error(`buildTrainStep: the forward graph already has a value named '${name}'`);
  }
  const frozen = new Set((o.frozen ?? []).map((v) => v.name));
  const trainable = g.parameters.filter((p) => !frozen.has(p.name) && isFloat(p.dtype));
  const dataInputs = g.inputs.map((v) => v.name);

  g.output(o.loss, 'loss');
  const terms: Record<string, string> = {};
  for (const [k, v] of Object.entries(o.terms ?? {})) terms[k] = g.output(v, `loss/${k}`).name;
  const probes: Record<string, string> = {};
  for (const [k, v] of Object.entries(o.probes ?? {})) probes[k] = g.output(v, `probe/${k}`).name;

  const gradMap = backward(g, o.loss, trainable, o.rules ? { rules: o.rules } : {});
  let grads = trainable.map((p) => gradMap.get(p.name)!);
  let gradNorm: string | null = null;
  if (o.clipGradNorm !== undefined) {
    if (!(o.clipGradNorm > 0)) throw new RangeError(`buildTrainStep: clipGradNorm must be > 0, got ${o.clipGradNorm}`);
    const clipped = g.scope('clip', () => clipGradNorm(g, grads, o.clipGradNorm!));
    grads = clipped.grads;
    gradNorm = g.output(clipped.totalNorm, 'grad_norm').name;
  }
  const gradOutputs: Record<string, string> = {};
  if (o.exposeGrads) trainable.forEach((p, i) => (gradOutputs[p.name] = g.output(grads[i]!, `grad/${p.name}`).name));

  const lr = g.input('lr', []);
  const t = g.input('t', []);
  const slotNames = optimizerSlots(o.optimizer);
  const slots: SlotDescriptor[] = [];
  const feedback: { output: string; input: string }[] = [];
  trainable.forEach((p, i) => {
    const slotInputs: Record<string, Value> = {};
    for (const s of slotNames) slotInputs[s] = g.input(`${s}/${p.name}`, p.shape, p.dtype);
    const next = g.scope(`optim/${p.name}`, () =>
      applyUpdate(g, o.optimizer, { param: p, grad: grads[i]!, slots: slotInputs, lr, t }),
    );
    const paramOut = g.output(next.param, `param_next/${p.name}`).name;
    feedback.push({ output: paramOut, input: p.name });
    for (const s of slotNames) {
      const out = g.output(next.slots[s]!, `${s}_next/${p.name}`).name;
      slots.push({ input: `${s}/${p.name}`, output: out, slot: s, param: p.name, shape: p.shape });
      feedback.push({ output: out, input: `${s}/${p.name}` });
    }
  });

  return {
    graph: g,
    dataInputs,
    params: g.parameters.map((p) => ({
      name: p.name,
      shape: p.shape,
      trainable: !frozen.has(p.name) && isFloat(p.dtype),
    })),
    lr: 'lr',
    t: 't',
    slots,
    outputs: { loss: 'loss', terms, probes, gradNorm, grads: gradOutputs },
    feedback,
    initialSlots: () => Object.fromEntries(slots.map((s) => [s.input, Tensor.zeros(g.value(s.input).dtype, s.shape)])),
  };
}
