// Data-parallel training: a step split into slices of the batch (buildShardedTrainStep, run by
// compileShardedStep) gives the whole batch's step, and OrtNodeThreadExecutor runs a graph in a
// thread of its own with the results the in-process executor gives.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from 'esbuild';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { Rng } from '../../../common/rng.js';
import { preset } from '../../../common/model/index.js';
import { type CompiledGraph, createExecutor } from '../../../main/engine/exec/index.js';
import { OrtNodeThreadExecutor } from '../../../main/engine/exec/ort-node-thread.js';
import { Graph } from '../../../main/engine/ir/graph.js';
import { Tensor } from '../../../main/engine/ir/tensor.js';
import { buildTrainingModel } from '../../../main/engine/nn/index.js';
import {
  type OptimizerConfig,
  type TrainStep,
  buildShardedTrainStep,
  buildTrainStep,
  compileShardedStep,
} from '../../../main/engine/optim/index.js';
import { MIN_SPLIT_MULTIPLY_ADDS, shardedTrainingStep } from '../../../main/ml/train/step-graph.js';
import { nodeBundle } from '../../helpers/node-bundle.js';
import { seededFeeds, smallDenoiser, uniform } from '../../helpers/small-denoiser.js';

const arch = smallDenoiser;
const [N, H, W] = [4, 7, 9];

/** Three steps of SGD with momentum and clipping (the gradient's scale shows, unlike under Adam). */
async function threeSteps(shards: number) {
  const optimizer: OptimizerConfig = { kind: 'sgd', momentum: 0.9 };
  const model = buildTrainingModel(arch, { batch: N / shards, sampleShape: [1, H, W] });
  const options = { graph: model.forward.graph, loss: model.loss, optimizer, clipGradNorm: 0.05, exposeGrads: true };
  const executor = await createExecutor('reference');
  let step: TrainStep;
  let compiled: CompiledGraph;
  if (shards === 1) {
    step = buildTrainStep(options);
    compiled = await executor.compile(step.graph);
  } else {
    const sharded = buildShardedTrainStep({ ...options, shards });
    step = sharded.step;
    compiled = await compileShardedStep(sharded, { shards: executor, update: executor });
  }
  const feeds = seededFeeds(step, model.target.name, [N, H, W], 0.05);
  const seen: { loss: number; norm: number; grads: Record<string, Tensor> }[] = [];
  for (let t = 1; t <= 3; t++) {
    feeds[step.t] = Tensor.scalar(t);
    const out = await compiled.run(feeds);
    seen.push({
      loss: Number(out[step.outputs.loss]!.data[0]),
      norm: Number(out[step.outputs.gradNorm!]!.data[0]),
      grads: Object.fromEntries(Object.entries(step.outputs.grads).map(([p, name]) => [p, out[name]!])),
    });
    for (const f of step.feedback) feeds[f.input] = out[f.output]!;
  }
  await compiled.dispose();
  return { seen, state: Object.fromEntries(step.feedback.map((f) => [f.input, feeds[f.input]!])) };
}

function maxRelDiff(a: Tensor, b: Tensor): number {
  let worst = 0;
  for (let i = 0; i < a.size; i++) {
    const x = Number(a.data[i]);
    const y = Number(b.data[i]);
    worst = Math.max(worst, Math.abs(x - y) / (1e-3 + Math.abs(y)));
  }
  return worst;
}

describe('a training step split into slices of the batch', () => {
  it('gives the whole batch step: loss, gradient norm, gradients, parameters and momentum', async () => {
    const whole = await threeSteps(1);
    expect(whole.seen[2]!.loss).toBeLessThan(whole.seen[0]!.loss); // it trains
    expect(whole.seen[0]!.norm).toBeGreaterThan(0.05); // the clipping acts
    for (const shards of [2, 4]) {
      const split = await threeSteps(shards);
      split.seen.forEach((s, i) => {
        expect(Math.abs(s.loss - whole.seen[i]!.loss), `loss ${i}, ${shards} slices`).toBeLessThan(1e-6);
        expect(Math.abs(s.norm - whole.seen[i]!.norm) / whole.seen[i]!.norm).toBeLessThan(1e-5);
        for (const [p, g] of Object.entries(s.grads))
          expect(maxRelDiff(g, whole.seen[i]!.grads[p]!), p).toBeLessThan(1e-4);
      });
      for (const [name, t] of Object.entries(split.state))
        expect(maxRelDiff(t, whole.state[name]!), `${name}, ${shards} slices`).toBeLessThan(1e-4);
    }
  });

  it('splits only where the loss is a mean over samples, the batch divides and the step is big enough', () => {
    const o = { batch: 16, sampleShape: [64], optimizer: { kind: 'adam' } as const, shards: 2, minMultiplyAdds: 0 };
    // The KL sparsity penalty's target is the mean activation over the whole batch: not split.
    const kl = preset('digits-sparse')!;
    expect(kl.variant).toMatchObject({ type: 'sparse', penalty: 'kl' });
    expect(shardedTrainingStep(kl, o)).toBeNull();
    const l1 = { ...kl, variant: { type: 'sparse' as const, penalty: 'l1' as const, weight: 0.1 } };
    expect(shardedTrainingStep(l1, o)?.sharded.shards).toBe(2);
    expect(shardedTrainingStep(l1, { ...o, batch: 15 })).toBeNull();
    expect(shardedTrainingStep(l1, { ...o, shards: 1 })).toBeNull();
    expect(shardedTrainingStep(l1, { ...o, probes: ['z'] })).toBeNull();
    // By default only a step whose forward pass reaches MIN_SPLIT_MULTIPLY_ADDS: ref-dae's batch of
    // 16 48×48 crops (7 convs 3×3: 16 · 2304 · (9·32 + 5·9·32·32 + 9·32) = 1.72 G), not l1's 64-100-64 net.
    const refDae = preset('ref-dae')!;
    const big = { ...o, sampleShape: [1, 48, 48], minMultiplyAdds: undefined };
    expect(16 * 2304 * (9 * 32 + 5 * 9 * 32 * 32 + 9 * 32)).toBeGreaterThan(MIN_SPLIT_MULTIPLY_ADDS);
    expect(shardedTrainingStep(refDae, big)?.sharded.shards).toBe(2);
    expect(shardedTrainingStep(refDae, { ...big, batch: 4, sampleShape: [1, 24, 24] })).toBeNull(); // 0.11 G: too small
    expect(shardedTrainingStep(l1, { ...o, minMultiplyAdds: undefined })).toBeNull();
  });
});

describe('OrtNodeThreadExecutor', () => {
  let dir = '';
  let script = '';
  beforeAll(async () => {
    const root = path.resolve(import.meta.dirname, '../../..');
    const cache = path.join(root, 'node_modules', '.cache', 'denoise-lab-tests');
    mkdirSync(cache, { recursive: true });
    dir = mkdtempSync(path.join(cache, 'graph-thread-'));
    await build({
      absWorkingDir: root,
      entryPoints: { 'ort-node-thread': 'main/engine/exec/ort-node-thread-worker.ts' },
      outdir: dir,
      ...nodeBundle,
    });
    script = path.join(dir, 'ort-node-thread.js');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function convGraph(): Graph {
    const g = new Graph();
    const x = g.input('x', [2, 3, 6, 5]);
    const w = g.parameter('w', [4, 3, 3, 3]);
    g.output(g.relu(g.conv(x, w, null, { pads: [1, 1, 1, 1] })), 'y');
    return g;
  }

  it('runs a graph in its own thread with the in-process results, requests side by side', async () => {
    const rng = new Rng(5);
    const feeds = { x: uniform(rng, [2, 3, 6, 5], -1, 1), w: uniform(rng, [4, 3, 3, 3], -1, 1) };
    const other = { ...feeds, x: uniform(rng, [2, 3, 6, 5], -1, 1) };
    const local = await (await createExecutor('ort-node', { threads: 1 })).compile(convGraph());
    const threaded = await new OrtNodeThreadExecutor({ script, threads: 1 }).compile(convGraph());
    const [a, b] = await Promise.all([threaded.run(feeds), threaded.run(other)]);
    const [ea, eb] = [(await local.run(feeds)).y!, (await local.run(other)).y!];
    expect(a.y!.shape).toEqual([2, 4, 6, 5]);
    expect(maxRelDiff(a.y!, ea)).toBe(0);
    expect(maxRelDiff(b.y!, eb)).toBe(0);
    expect(maxRelDiff(a.y!, eb)).toBeGreaterThan(0.01); // the two requests were not mixed up
    // The caller's arrays are still its own (the thread gets copies).
    expect(feeds.x.data.length).toBe(2 * 3 * 6 * 5);
    await expect(threaded.run({ ...feeds, x: uniform(rng, [2, 3, 6, 6]) })).rejects.toThrow(
      /feed 'x' is float32 \[2,3,6,6\], the graph expects float32 \[2,3,6,5\]/,
    );
    await expect(threaded.run({ w: feeds.w })).rejects.toThrow(/no feed for input 'x'/);
    // A run in flight when the graph is disposed finishes first: the thread releases its session
    // and ends by itself (stopped inside ONNX Runtime, it could take the process down); runs
    // asked for after that are refused.
    const inFlight = threaded.run(other);
    await threaded.dispose();
    expect(maxRelDiff((await inFlight).y!, eb)).toBe(0);
    await expect(threaded.run(feeds)).rejects.toThrow(/disposed/);
    await local.dispose();
  });

  it('refuses to start without its script, with the reason', async () => {
    await expect(
      new OrtNodeThreadExecutor({ script: path.join(dir, 'missing.js'), threads: 1 }).compile(convGraph()),
    ).rejects.toThrow(/missing\.js|Cannot find module/);
  });
});
