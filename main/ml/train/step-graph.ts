// The training step of an architecture as one graph: forward, loss, backward and optimizer update,
// or split for data parallelism into a graph per slice of the batch and an update graph
// (shardedTrainingStep, below). The trainer runs either; `denoise-lab train --export-step` writes
// the one-graph step as an ordinary ONNX file plus a JSON descriptor, so any ONNX Runtime (another
// machine's, with more cores) can run the very same step: feed the data inputs, `lr`, `t`, the
// parameters and optimizer slots, then feed each `feedback` output back as its input for the next
// step.

import type { Architecture } from '../../../common/model/architecture.js';
import { architectureToJson } from '../../../common/model/architecture.js';
import { multiplyAdds } from '../../engine/ir/index.js';
import { buildTrainingModel, type TrainingModel } from '../../engine/nn/objective.js';
import { toOnnx } from '../../engine/onnx/index.js';
import type { CompiledGraph, Executor } from '../../engine/exec/executor.js';
import {
  type OptimizerConfig,
  type ShardedTrainStep,
  type TrainStep,
  buildShardedTrainStep,
  buildTrainStep,
  compileShardedStep,
} from '../../engine/optim/index.js';

export interface StepGraphOptions {
  batch: number;
  sampleShape: readonly number[];
  optimizer: OptimizerConfig;
  clipGradNorm?: number;
  /** Names of model probes (latent, feature maps) to add as outputs. */
  probes?: readonly string[];
}

/**
 * Whether the step may split its batch into slices whose gradients are averaged (data parallelism):
 * the loss must be a mean over samples. Every objective is one, except the KL sparsity penalty,
 * whose target is the mean activation over the whole batch.
 */
export function lossIsSampleMean(arch: Architecture): boolean {
  return !(arch.variant.type === 'sparse' && arch.variant.penalty !== 'l1');
}

/**
 * The smallest step worth splitting, in multiply-adds of the whole batch's forward pass. The split
 * costs about 1.8 ms a step in messages between threads and the separate update (digits-vae,
 * batch 64 of 64 values: 1,500 steps took 1.53 s as one graph, 4.18 s split), and saves about a
 * fifth of the step (ref-dae, 1.7 G multiply-adds forward: 62 → 50 ms). 200 M multiply-adds
 * forward is a step of roughly 10 ms on this machine's two cores, where the two about cancel out.
 */
export const MIN_SPLIT_MULTIPLY_ADDS = 2e8;

/**
 * The step split for data parallelism (buildShardedTrainStep): `shards` slices of batch / shards
 * samples, or null where it does not apply (one shard, a batch that does not divide, probes, a
 * loss that couples samples, or a step too small to repay the split), and the trainer runs the
 * whole step as one graph.
 */
export function shardedTrainingStep(
  arch: Architecture,
  o: StepGraphOptions & { shards: number; minMultiplyAdds?: number },
): { model: TrainingModel; sharded: ShardedTrainStep } | null {
  if (o.shards < 2 || o.batch % o.shards !== 0 || o.probes?.length || !lossIsSampleMean(arch)) return null;
  const model = buildTrainingModel(arch, { batch: o.batch / o.shards, sampleShape: o.sampleShape });
  if (multiplyAdds(model.forward.graph) * o.shards < (o.minMultiplyAdds ?? MIN_SPLIT_MULTIPLY_ADDS)) return null;
  const sharded = buildShardedTrainStep({
    graph: model.forward.graph,
    loss: model.loss,
    terms: model.terms,
    optimizer: o.optimizer,
    shards: o.shards,
    ...(o.clipGradNorm !== undefined ? { clipGradNorm: o.clipGradNorm } : {}),
  });
  return { model, sharded };
}

/** A training step ready to open: one graph, or split over threads (see runnableStep). */
export interface RunnableStep {
  step: TrainStep;
  /** Slices each batch is split into over threads (1: one graph). */
  batchSlices: number;
  /** Opens the step on `executor` (when split: the update graph's; the slices use parallel's). */
  compile(executor: Executor): Promise<CompiledGraph>;
}

/**
 * The step as the trainer runs it: split into slices over `parallel`'s threads where
 * shardedTrainingStep allows, else the whole batch in one graph.
 */
export function runnableStep(
  arch: Architecture,
  o: StepGraphOptions,
  parallel?: { shards: number; executor: Executor },
): RunnableStep {
  const split = parallel ? shardedTrainingStep(arch, { ...o, shards: parallel.shards }) : null;
  if (split)
    return {
      step: split.sharded.step,
      batchSlices: split.sharded.shards,
      compile: (update) => compileShardedStep(split.sharded, { shards: parallel!.executor, update }),
    };
  const { step } = trainingStep(arch, o);
  return { step, batchSlices: 1, compile: (executor) => executor.compile(step.graph) };
}

export function trainingStep(arch: Architecture, o: StepGraphOptions): { model: TrainingModel; step: TrainStep } {
  const model = buildTrainingModel(arch, { batch: o.batch, sampleShape: o.sampleShape });
  const probes = Object.fromEntries(
    (o.probes ?? []).map((name) => {
      const v = model.probes[name];
      if (!v) throw new RangeError(`unknown probe '${name}' (available: ${Object.keys(model.probes).join(', ')})`);
      return [name, v];
    }),
  );
  const step = buildTrainStep({
    graph: model.forward.graph,
    loss: model.loss,
    terms: model.terms,
    probes,
    optimizer: o.optimizer,
    ...(o.clipGradNorm !== undefined ? { clipGradNorm: o.clipGradNorm } : {}),
  });
  return { model, step };
}

export interface StepGraphDescriptor {
  format: 'denoise-lab.training-step';
  version: 1;
  architecture: unknown;
  batch: number;
  sampleShape: number[];
  optimizer: OptimizerConfig;
  /** Data inputs with their shapes: `x` (model input), `y` (clean target), `noise_level`, `eps`. */
  dataInputs: { name: string; shape: number[] }[];
  params: { name: string; shape: number[] }[];
  slots: { input: string; output: string; shape: number[] }[];
  lr: string;
  t: string;
  loss: string;
  terms: Record<string, string>;
  feedback: { output: string; input: string }[];
}

/** The step as ONNX bytes and the descriptor a driver needs to run it in a loop. */
export function exportTrainingStep(
  arch: Architecture,
  o: StepGraphOptions,
): { onnx: Uint8Array; descriptor: StepGraphDescriptor } {
  const { step } = trainingStep(arch, o);
  const g = step.graph;
  const descriptor: StepGraphDescriptor = {
    format: 'denoise-lab.training-step',
    version: 1,
    architecture: JSON.parse(architectureToJson(arch)),
    batch: o.batch,
    sampleShape: [...o.sampleShape],
    optimizer: o.optimizer,
    dataInputs: step.dataInputs.map((name) => ({ name, shape: [...g.value(name).shape] })),
    params: step.params.map((p) => ({ name: p.name, shape: [...p.shape] })),
    slots: step.slots.map((s) => ({ input: s.input, output: s.output, shape: [...s.shape] })),
    lr: step.lr,
    t: step.t,
    loss: step.outputs.loss,
    terms: step.outputs.terms,
    feedback: step.feedback,
  };
  return { onnx: toOnnx(g, { docString: `Denoise Lab training step (batch ${o.batch})` }), descriptor };
}
