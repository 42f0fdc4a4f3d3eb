// Encoder reuse for classification (seed 001): a softmax head on top of a trained encoder, trained
// on the digits' labels with the encoder frozen, and the same head trained on the raw pixels for
// comparison. Both heads are trained identically (full-batch Adam on the training split, same
// seed, same steps), so the accuracy difference is the encoder's doing.

import { Rng } from '../../../common/rng.js';
import type { Executor } from '../../engine/exec/executor.js';
import { Graph, type Value } from '../../engine/ir/graph.js';
import { Tensor } from '../../engine/ir/tensor.js';
import { type Layer, layerParams } from '../../../common/model/layers.js';
import { applyLayer, declareParams, initParams } from '../../engine/nn/layers.js';
import { planOf } from '../../../common/model/plan.js';
import { crossEntropyWithLogits } from '../../engine/losses/index.js';
import { buildTrainStep } from '../../engine/optim/index.js';
import { type SampleDataset, splitEveryKth } from '../train/datasets.js';
import type { ModelWeights } from './latent.js';

export interface HeadResult {
  /** Accuracy on the held-out split. */
  testAccuracy: number;
  trainAccuracy: number;
  finalLoss: number;
}

export interface ClassificationReport {
  classes: number;
  trainSamples: number;
  testSamples: number;
  /** Softmax head on the frozen encoder's code (a VAE's mean). */
  encoder: HeadResult & { features: number };
  /** The same head on the raw pixels. */
  rawPixels: HeadResult & { features: number };
}

export interface ClassifyOptions {
  executor: Executor;
  /** Labelled samples (default split: every 5th held out). */
  data: SampleDataset;
  steps?: number;
  lr?: number;
  seed?: number;
}

function oneHot(labels: Int32Array, classes: number): Tensor {
  const t = new Tensor('float32', [labels.length, classes]);
  labels.forEach((l, i) => ((t.data as Float32Array)[i * classes + l] = 1));
  return t;
}

function accuracy(logits: Float32Array, labels: Int32Array, classes: number): number {
  let right = 0;
  for (let i = 0; i < labels.length; i++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (logits[i * classes + c]! > logits[i * classes + best]!) best = c;
    if (best === labels[i]) right++;
  }
  return right / labels.length;
}

/** Graph: x → (frozen encoder layers) → dense head → logits. */
function headGraph(encoder: readonly Layer[], features: number, inputSize: number, classes: number, batch: number) {
  const g = new Graph('float32');
  const head: Layer = {
    kind: 'dense',
    name: 'head',
    inFeatures: features,
    outFeatures: classes,
    bias: true,
    activation: 'linear',
  };
  const encParams = declareParams(g, encoder.flatMap(layerParams));
  const params = new Map([...encParams, ...declareParams(g, layerParams(head))]);
  const x = g.input('x', [batch, inputSize]);
  let h: Value = x;
  for (const l of encoder) h = applyLayer(g, params, h, l).out;
  const logits = applyLayer(g, params, h, head).out;
  return { g, logits, frozen: [...encParams.values()], head };
}

async function trainHead(
  o: ClassifyOptions,
  encoder: readonly Layer[],
  features: number,
  encoderParams: ReadonlyMap<string, Tensor>,
  train: SampleDataset,
  test: SampleDataset,
  classes: number,
): Promise<HeadResult> {
  const inputSize = train.sampleShape.reduce((a, b) => a * b, 1);
  const { g, logits, frozen, head } = headGraph(encoder, features, inputSize, classes, train.length);
  const target = g.input('target', [train.length, classes]);
  const loss = crossEntropyWithLogits(g, logits, target);
  g.output(logits, 'logits');
  const ts = buildTrainStep({ graph: g, loss, optimizer: { kind: 'adam' }, frozen });
  const state: Record<string, Tensor> = { ...ts.initialSlots() };
  for (const [k, v] of encoderParams) state[k] = v;
  for (const [k, v] of initParams(layerParams(head), new Rng(o.seed ?? 0))) state[k] = v;
  const compiled = await o.executor.compile(ts.graph);
  const x = new Tensor('float32', [train.length, inputSize], train.all);
  const y = oneHot(train.labels!, classes);
  let finalLoss = NaN;
  let trainLogits: Float32Array = new Float32Array(0);
  try {
    for (let step = 1; step <= (o.steps ?? 300); step++) {
      const out = await compiled.run({
        ...state,
        x,
        target: y,
        lr: Tensor.scalar(o.lr ?? 0.01),
        t: Tensor.scalar(step),
      });
      finalLoss = (out.loss!.data as Float32Array)[0]!;
      trainLogits = out.logits!.data as Float32Array;
      for (const f of ts.feedback) state[f.input] = out[f.output]!;
    }
  } finally {
    await compiled.dispose();
  }
  // Evaluate the trained head on the held-out split.
  const ev = headGraph(encoder, features, inputSize, classes, test.length);
  ev.g.output(ev.logits, 'logits');
  const run = await o.executor.compile(ev.g);
  try {
    const feeds: Record<string, Tensor> = { x: new Tensor('float32', [test.length, inputSize], test.all) };
    for (const p of ev.g.parameters) feeds[p.name] = state[p.name]!;
    const out = await run.run(feeds);
    return {
      testAccuracy: accuracy(out.logits!.data as Float32Array, test.labels!, classes),
      trainAccuracy: accuracy(trainLogits, train.labels!, classes),
      finalLoss,
    };
  } finally {
    await run.dispose();
  }
}

/** Trains the two heads and reports their test accuracy side by side. */
export async function encoderClassification(model: ModelWeights, o: ClassifyOptions): Promise<ClassificationReport> {
  const plan = planOf(model.arch);
  if (plan.kind !== 'autoencoder' || model.arch.network.type !== 'dense')
    throw new RangeError('encoder reuse needs a dense autoencoder (its code is a vector)');
  if (!o.data.labels) throw new RangeError('encoder reuse needs labelled data');
  const encoder = plan.heads ? [...plan.encoder, plan.heads.mu] : plan.encoder;
  const features =
    encoder[encoder.length - 1]!.kind === 'dense'
      ? (encoder[encoder.length - 1] as { outFeatures: number }).outFeatures
      : 0;
  const { train, test } = splitEveryKth(o.data);
  const classes = Math.max(...o.data.labels) + 1;
  const inputSize = o.data.sampleShape.reduce((a, b) => a * b, 1);
  return {
    classes,
    trainSamples: train.length,
    testSamples: test.length,
    encoder: { features, ...(await trainHead(o, encoder, features, model.params, train, test, classes)) },
    rawPixels: { features: inputSize, ...(await trainHead(o, [], inputSize, new Map(), train, test, classes)) },
  };
}
