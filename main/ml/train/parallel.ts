// How training spreads over CPU threads. ONNX Runtime's threads share out each op of a step, and
// the small convolutions of a training batch do not share out well: ref-dae's step (batch 16 of
// 48×48) took 62 ms on two threads, while two half batches, each in its own thread with one ORT
// thread, took 48–51 ms side by side. So from two threads up the batch is split in two slices,
// each slice on half the threads (the trainer's `parallel` option), and the optimizer's update of
// the averaged gradients runs on the caller's executor. Measured on a 2-core machine only: with
// more threads each slice gets more of them, not more slices.

import { existsSync } from 'node:fs';
import { graphThreadScript } from '../../files/app-paths.js';
import type { TrainOptions } from './trainer.js';

/**
 * The `parallel` option for training on `threads` threads with the ORT-node executor, or undefined
 * below two. `script` is the built worker of OrtNodeThreadExecutor; without a build (sources run
 * directly, before `npm run build`) there is none, and training runs as one graph.
 */
export async function dataParallel(
  threads: number,
  script: string = graphThreadScript,
): Promise<TrainOptions['parallel']> {
  if (!(threads >= 2) || !existsSync(script)) return undefined;
  const { OrtNodeThreadExecutor } = await import('../../engine/exec/ort-node-thread.js');
  return { shards: 2, executor: new OrtNodeThreadExecutor({ script, threads: Math.floor(threads / 2) }) };
}
