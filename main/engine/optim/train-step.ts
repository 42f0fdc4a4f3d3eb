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
import { Graph, type Value } from '../ir/graph.js';
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
  const part = addGradients(o);
  return finishStep(o.graph, part, part.trainable, part.grads, o);
}

/**
 * The same training step split for data parallelism: `shard` (forward, loss and gradients of one
 * slice of the batch; `o.graph` is built at the slice's size) runs once per slice, each in its own
 * thread, and `update` averages the slices' gradients, losses and terms and applies the optimizer.
 *
 * The mean of the slices' gradients is the whole batch's gradient only when the loss is a mean over
 * samples (every reconstruction loss, L1 sparsity, the contractive and VAE penalties), not for a
 * loss that couples samples (the KL sparsity's mean activation over the batch): the caller decides.
 * `step` describes the pair as one step: the same inputs, outputs and feedback as buildTrainStep's
 * graph with the same options, so a trainer runs either the same way.
 */
export interface ShardedTrainStep {
  shards: number;
  /** One slice: data inputs at the slice's size and every parameter → loss, loss/<term>, grad/<param>. */
  shard: Graph;
  /** Every parameter, lr, t, the slots and each slice's outputs as `shard<i>/<name>` → the step's outputs. */
  update: Graph;
  step: TrainStep;
}

export function buildShardedTrainStep(o: TrainStepOptions & { shards: number }): ShardedTrainStep {
  if (!Number.isInteger(o.shards) || o.shards < 2)
    throw new RangeError(`buildShardedTrainStep: shards must be ≥ 2, got ${o.shards}`);
  if (o.probes && Object.keys(o.probes).length)
    throw new Error('buildShardedTrainStep: probes need the whole batch in one graph');
  const shard = o.graph;
  const part = addGradients(o);
  part.trainable.forEach((p, i) => shard.output(part.grads[i]!, `grad/${p.name}`));

  const u = new Graph(shard.floatType);
  const params = new Map(part.params.map((p) => [p.name, u.parameter(p.name, p.shape, shard.value(p.name).dtype)]));
  /** The mean over the slices of one of their outputs, fed as shard<i>/<name>. */
  const mean = (name: string, shape: readonly number[], dtype = shard.value(name).dtype) => {
    let sum: Value | null = null;
    for (let i = 0; i < o.shards; i++) {
      const x = u.input(`shard${i}/${name}`, [...shape], dtype);
      sum = sum ? u.add(sum, x) : x;
    }
    return u.mul(sum!, u.scalar(1 / o.shards, dtype));
  };
  u.output(mean('loss', shard.value('loss').shape), 'loss');
  for (const name of Object.values(part.terms)) u.output(mean(name, shard.value(name).shape), name);
  const trainable = part.trainable.map((p) => params.get(p.name)!);
  const grads = part.trainable.map((p) => u.scope(`mean/${p.name}`, () => mean(`grad/${p.name}`, p.shape)));
  return { shards: o.shards, shard, update: u, step: finishStep(u, part, trainable, grads, o) };
}

/**
 * The end of a step on `g`, where `trainable` (values of `g`) have the gradients `grads`: clipping
 * and the gradients as outputs where asked for, then the optimizer's update. Returns the step's
 * description; `part` is what addGradients said about the forward graph.
 */
function finishStep(
  g: Graph,
  part: ReturnType<typeof addGradients>,
  trainable: readonly Value[],
  gradients: readonly Value[],
  o: TrainStepOptions,
): TrainStep {
  let grads = gradients;
  let gradNorm: string | null = null;
  if (o.clipGradNorm !== undefined) {
    const clipped = g.scope('clip', () => clipGradNorm(g, grads, checkedClip(o.clipGradNorm!)));
    grads = clipped.grads;
    gradNorm = g.output(clipped.totalNorm, 'grad_norm').name;
  }
  const gradOutputs: Record<string, string> = {};
  if (o.exposeGrads) trainable.forEach((p, i) => (gradOutputs[p.name] = g.output(grads[i]!, `grad/${p.name}`).name));
  const { slots, feedback } = addUpdate(g, trainable, grads, o.optimizer);
  return {
    graph: g,
    dataInputs: part.dataInputs,
    params: part.params,
    lr: 'lr',
    t: 't',
    slots,
    outputs: { loss: 'loss', terms: part.terms, probes: part.probes, gradNorm, grads: gradOutputs },
    feedback,
    initialSlots: () => Object.fromEntries(slots.map((s) => [s.input, Tensor.zeros(g.value(s.input).dtype, s.shape)])),
  };
}

function checkedClip(maxNorm: number): number {
  if (!(maxNorm > 0)) throw new RangeError(`buildTrainStep: clipGradNorm must be > 0, got ${maxNorm}`);
  return maxNorm;
}

/** Outputs the loss and its terms, and adds the backward pass: the gradients of the trainable parameters. */
function addGradients(o: TrainStepOptions) {
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
  return {
    trainable,
    grads: trainable.map((p) => gradMap.get(p.name)!),
    dataInputs,
    terms,
    probes,
    params: g.parameters.map((p) => ({
      name: p.name,
      shape: p.shape,
      trainable: !frozen.has(p.name) && isFloat(p.dtype),
    })),
  };
}

/** Adds lr, t, the optimizer's slots and the update of each trainable parameter by its gradient. */
function addUpdate(g: Graph, trainable: readonly Value[], grads: readonly Value[], optimizer: OptimizerConfig) {
  const lr = g.input('lr', []);
  const t = g.input('t', []);
  const slotNames = optimizerSlots(optimizer);
  const slots: SlotDescriptor[] = [];
  const feedback: { output: string; input: string }[] = [];
  trainable.forEach((p, i) => {
    const slotInputs: Record<string, Value> = {};
    for (const s of slotNames) slotInputs[s] = g.input(`${s}/${p.name}`, p.shape, p.dtype);
    const next = g.scope(`optim/${p.name}`, () =>
      applyUpdate(g, optimizer, { param: p, grad: grads[i]!, slots: slotInputs, lr, t }),
    );
    const paramOut = g.output(next.param, `param_next/${p.name}`).name;
    feedback.push({ output: paramOut, input: p.name });
    for (const s of slotNames) {
      const out = g.output(next.slots[s]!, `${s}_next/${p.name}`).name;
      slots.push({ input: `${s}/${p.name}`, output: out, slot: s, param: p.name, shape: p.shape });
      feedback.push({ output: out, input: `${s}/${p.name}` });
    }
  });
  return { slots, feedback };
}
