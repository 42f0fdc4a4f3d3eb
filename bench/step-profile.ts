// Where the ref-dae training step's time goes, op by op, in ONNX Runtime's own profile:
//
//   node out/bench/step-profile.js [--threads 1] [--batch 16] [--steps 25] [--json]
//
// The step graph as the trainer compiles it for one thread (forward, backward, Adam; the NCHWc
// rewrite where the CPU has it), run `steps` times with its outputs fed back as the next step's
// parameters and optimizer state, under ORT's profiler (session option enableProfiling). Prints
// the kernel time per op type per step, its share, and the step's median wall time. (From two
// threads up the trainer splits each batch into halves run side by side, ml/train/parallel.ts: the
// profile of one half is this command with --batch 8 --threads 1.)
//
// Dev only. What it is for: telling arithmetic (Conv, the weight gradients' MatMuls) from data
// movement (Slice, Pad, the NCHWc reorders) in the step the README's engine benchmark times.

import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createExecutor } from '../main/engine/exec/index.js';
import { Tensor } from '../main/engine/ir/tensor.js';
import { trainingStep } from '../main/ml/train/step-graph.js';
import { WORKLOAD, workloadState } from './workload.js';

/** One event of ORT's profile (a Chrome trace): node events carry the op type and a duration in µs. */
interface ProfileEvent {
  cat: string;
  name: string;
  dur: number;
  args?: { op_name?: string };
}

export interface OpShare {
  op: string;
  msPerStep: number;
  share: number;
}

/** Kernel time per op type, per step, largest first. */
export function opShares(events: ProfileEvent[], steps: number): OpShare[] {
  const byOp = new Map<string, number>();
  for (const e of events)
    if (e.cat === 'Node' && e.name.endsWith('_kernel_time') && e.args?.op_name)
      byOp.set(e.args.op_name, (byOp.get(e.args.op_name) ?? 0) + e.dur);
  const total = [...byOp.values()].reduce((a, b) => a + b, 0);
  return [...byOp]
    .map(([op, us]) => ({ op, msPerStep: us / 1000 / steps, share: us / total }))
    .sort((a, b) => b.msPerStep - a.msPerStep);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      threads: { type: 'string', default: '1' },
      batch: { type: 'string', default: String(WORKLOAD.batch) },
      steps: { type: 'string', default: '25' },
      json: { type: 'boolean', default: false },
    },
  });
  const [threads, batch, steps] = [Number(values.threads), Number(values.batch), Number(values.steps)];
  for (const [name, v] of Object.entries({ threads, batch, steps }))
    if (!Number.isInteger(v) || v < 1 || v > 1024) throw new RangeError(`--${name} must be a whole number 1–1024`);

  const { arch, params, clean, noisy } = workloadState(batch);
  const { step } = trainingStep(arch, { batch, sampleShape: noisy.shape.slice(1), optimizer: { kind: 'adam' } });

  const dir = await mkdtemp(path.join(os.tmpdir(), 'denoise-lab-profile-'));
  try {
    const executor = await createExecutor('ort-node', {
      threads,
      session: { enableProfiling: true, profileFilePrefix: path.join(dir, 'step') },
    });
    const compiled = await executor.compile(step.graph);
    const feeds: Record<string, Tensor> = {
      ...Object.fromEntries(params),
      ...step.initialSlots(),
      x: noisy,
      y: clean,
      [step.lr]: Tensor.scalar(WORKLOAD.lr),
    };
    const wall: number[] = [];
    for (let t = 1; t <= steps; t++) {
      feeds[step.t] = Tensor.scalar(t);
      const t0 = performance.now();
      const out = await compiled.run(feeds);
      wall.push(performance.now() - t0);
      for (const f of step.feedback) feeds[f.input] = out[f.output]!;
    }
    // ORT writes the profile when the session is released.
    await compiled.dispose();
    const file = (await readdir(dir)).find((f) => f.endsWith('.json'));
    if (!file) throw new Error('ONNX Runtime wrote no profile');
    const shares = opShares(JSON.parse(await readFile(path.join(dir, file), 'utf8')) as ProfileEvent[], steps);
    const median = wall.sort((a, b) => a - b)[Math.floor(steps / 2)]!;
    if (values.json) {
      process.stdout.write(JSON.stringify({ threads, batch, steps, medianStepMs: median, ops: shares }) + '\n');
      return;
    }
    const kernels = shares.reduce((a, s) => a + s.msPerStep, 0);
    console.log(
      `ref-dae training step, batch ${batch}, ${threads} thread(s), ${steps} steps: median ${median.toFixed(1)} ms ` +
        `(kernels ${kernels.toFixed(1)} ms a step; the first steps allocate, so the mean is above the median)`,
    );
    console.log('  op                      ms/step   share');
    for (const s of shares)
      if (s.share >= 0.001)
        console.log(
          `  ${s.op.padEnd(22)} ${s.msPerStep.toFixed(2).padStart(8)} ${(100 * s.share).toFixed(1).padStart(6)} %`,
        );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((e: Error) => {
  process.stderr.write(`step-profile: ${e.message}\n`);
  process.exit(1);
});
