// Running a ShardedTrainStep (train-step.ts) as one step: the batch's slices side by side, each on
// a compiled copy of the shard graph (an executor whose graphs run in threads of their own), then
// the update graph on their averaged outputs. run() takes and returns what the single-graph step
// does, so the trainer drives either alike.

import type { CompiledGraph, Executor } from '../exec/executor.js';
import { Tensor } from '../ir/tensor.js';
import type { ShardedTrainStep } from './train-step.js';

export async function compileShardedStep(
  s: ShardedTrainStep,
  executors: { shards: Executor; update: Executor },
): Promise<CompiledGraph> {
  // Compiled side by side: each shard's thread starts its own runtime and session.
  const settled = await Promise.allSettled([
    ...Array.from({ length: s.shards }, () => executors.shards.compile(s.shard)),
    executors.update.compile(s.update),
  ]);
  const failed = settled.find((r) => r.status === 'rejected');
  const compiled = settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  if (failed) {
    await Promise.all(compiled.map((c) => c.dispose()));
    throw failed.reason;
  }
  const update = compiled.pop()!;
  const shardOutputs = s.shard.outputs.map((v) => v.name);
  return {
    async run(feeds) {
      const results = await Promise.all(
        compiled.map((c, i) => {
          const slice: Record<string, Tensor> = { ...feeds };
          for (const name of s.step.dataInputs) slice[name] = sliceOf(feeds[name], i, s.shards, name);
          return c.run(slice, shardOutputs);
        }),
      );
      const merged: Record<string, Tensor> = { ...feeds };
      results.forEach((r, i) => {
        for (const name of shardOutputs) merged[`shard${i}/${name}`] = r[name]!;
      });
      return update.run(merged);
    },
    async dispose() {
      await Promise.all([...compiled, update].map((c) => c.dispose()));
    },
  };
}

/** Slice i of `count` equal slices of a batch tensor along its first axis (a view, no copy). */
function sliceOf(t: Tensor | undefined, i: number, count: number, name: string): Tensor {
  if (!t) throw new Error(`sharded step: no feed for input '${name}'`);
  const n = t.shape[0]!;
  if (n % count !== 0) throw new Error(`sharded step: input '${name}' has ${n} samples, not a multiple of ${count}`);
  const per = t.size / count;
  return new Tensor(t.dtype, [n / count, ...t.shape.slice(1)], t.data.subarray(i * per, (i + 1) * per));
}
