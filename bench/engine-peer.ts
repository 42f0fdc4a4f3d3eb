// Our engine as a served benchmark side (served-peer.ts), the twin of peers/torch_ref_dae.py:
//
//   node out/bench/engine-peer.js --executor ort-node --threads 2 [--infer-size 1024] [--batch 16]
//
// prints {"ready": true, "params": …} and answers on stdin
//   train K  →  {"train_ms": [K step times], "loss": [loss at the first step, at the last]}
//   infer K  →  {"infer_ms": [K run times]}
//   quit
// One training step = one run of the ref-dae step graph (forward, backward, Adam), its outputs fed
// back as the next step's parameters and optimizer state (on ORT-node from two threads up, the
// step split over two threads as the trainer runs it, ml/train/parallel.ts); inference = the ref-dae graph on one
// 1×1×S×S image. Running in its own process, its ONNX Runtime threads never share the cores with
// PyTorch's while either is being timed.

import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { Rng } from '../common/rng.js';
import { type ExecutorName, createExecutor } from '../main/engine/exec/index.js';
import { Tensor } from '../main/engine/ir/tensor.js';
import { buildInference } from '../main/engine/nn/index.js';
import { dataParallel } from '../main/ml/train/parallel.js';
import { runnableStep } from '../main/ml/train/step-graph.js';
import { roundsOf } from './rounds.js';
import { WORKLOAD, workloadState } from './workload.js';

/** The number of parameters of the workload's model. */
const workloadParams = () => [...workloadState(1).params.values()].reduce((a, t) => a + t.size, 0);

async function trainingRounds(executor: ExecutorName, threads: number, batch: number) {
  const { arch, params, clean, noisy } = workloadState(batch);
  // The step as the trainer runs it: from two threads up, ORT-node splits the batch over threads.
  const parallel = executor === 'ort-node' ? await dataParallel(threads) : undefined;
  const sampleShape = [1, WORKLOAD.patch, WORKLOAD.patch];
  const { step, compile } = runnableStep(arch, { batch, sampleShape, optimizer: { kind: 'adam' } }, parallel);
  const compiled = await compile(await createExecutor(executor, { threads }));
  // The trainer's feeds: the model's input x and its clean target y.
  const feeds: Record<string, Tensor> = { ...Object.fromEntries(params), ...step.initialSlots(), x: noisy, y: clean };
  feeds[step.lr] = Tensor.scalar(WORKLOAD.lr);
  let t = 0;
  const loss = { first: NaN, last: NaN };
  const rounds = roundsOf(async () => {
    feeds[step.t] = Tensor.scalar(++t);
    const out = await compiled.run(feeds);
    loss.last = Number(out[step.outputs.loss]!.data[0]);
    if (Number.isNaN(loss.first)) loss.first = loss.last;
    for (const f of step.feedback) feeds[f.input] = out[f.output]!;
  });
  return { rounds, loss };
}

async function inferenceRounds(executor: ExecutorName, threads: number, size: number) {
  const { arch, params } = workloadState(1);
  const fg = buildInference(arch, { batch: 1, sampleShape: [1, size, size] });
  const compiled = await (await createExecutor(executor, { threads })).compile(fg.graph);
  const rng = new Rng(7);
  const pixels = new Float32Array(size * size);
  for (let i = 0; i < pixels.length; i++) pixels[i] = rng.uniform();
  const feeds = { ...Object.fromEntries(params), [fg.x.name]: new Tensor('float32', [1, 1, size, size], pixels) };
  return roundsOf(() => compiled.run(feeds));
}

async function serve(): Promise<void> {
  const { values } = parseArgs({
    options: {
      executor: { type: 'string', default: 'ort-node' },
      threads: { type: 'string', default: '1' },
      'infer-size': { type: 'string', default: '1024' },
      batch: { type: 'string', default: String(WORKLOAD.batch) },
    },
  });
  const executor = values.executor as ExecutorName;
  const threads = Number(values.threads);
  const batch = Number(values.batch);
  // Compiled on first use: a peer asked only for inference never builds the training step.
  let train: Awaited<ReturnType<typeof trainingRounds>> | null = null;
  let infer: Awaited<ReturnType<typeof inferenceRounds>> | null = null;
  const say = (o: unknown) => process.stdout.write(JSON.stringify(o) + '\n');
  say({ ready: true, executor, threads, batch, params: workloadParams() });
  for await (const line of createInterface({ input: process.stdin })) {
    const [command, count] = line.trim().split(/\s+/);
    const k = Number(count ?? 1);
    if (!command || command === 'quit') break;
    if (command === 'train') {
      train ??= await trainingRounds(executor, threads, batch);
      const times = await train.rounds(k);
      say({ train_ms: times, loss: [train.loss.first, train.loss.last] });
    } else if (command === 'infer') {
      infer ??= await inferenceRounds(executor, threads, Number(values['infer-size']));
      say({ infer_ms: await infer(k) });
    } else say({ error: `unknown command '${command}'` });
  }
  process.exit(0);
}

await serve();
