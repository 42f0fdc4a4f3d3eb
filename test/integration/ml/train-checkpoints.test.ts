// Checkpoints that can be trusted: a blown-up loss (finite or not) is never written over a good
// checkpoint, the last K and the best are kept and listed with step and loss, and the kept one
// resumes exactly.
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createExecutor } from '../../../main/engine/exec/index.js';
import { parseDenseSpec } from '../../../main/ml/architecture-file.js';
import { readCheckpoint } from '../../../main/ml/train/checkpoint.js';
import {
  CheckpointKeeper,
  type KeptCheckpoint,
  listKeptCheckpoints,
  stepFileOf,
} from '../../../main/ml/train/checkpoint-keeper.js';
import { RunControl } from '../../../main/ml/train/control.js';
import { loadDigits } from '../../../main/ml/train/datasets.js';
import { TrainDivergedError, lossExploded, train } from '../../../main/ml/train/trainer.js';
import { cli } from '../../helpers/cli.js';
import { tempDir } from '../../helpers/temp-dir.js';

const digits = (await loadDigits()).subset(Array.from({ length: 40 }, (_, i) => i));
const arch = parseDenseSpec('dense:64-16-64'); // linear output: nothing bounds the loss
const exec = await createExecutor('ort-node', { threads: 1 });
const base = { arch, data: digits, batch: 8, optimizer: { kind: 'adam' as const }, seed: 3, executor: exec };

describe('checkpoints you can trust', () => {
  it('a run pushed to explode (resume at lr 100) leaves the good checkpoint byte for byte, and it resumes exactly', async () => {
    const dir = tempDir('dl-ckpt-');
    const file = path.join(dir, 'run.ckpt');
    const straight: number[] = [];
    await train({ ...base, lr: 1e-2, steps: 40, onStep: (s) => straight.push(s.loss) });
    await train({ ...base, lr: 1e-2, steps: 30, checkpoint: { file, everySteps: 10 } });
    const good = readFileSync(file);
    expect((await readCheckpoint(file)).state.step).toBe(30);

    const losses: number[] = [];
    const err = await train({
      ...base,
      lr: 100,
      steps: 200,
      resume: await readCheckpoint(file),
      checkpoint: { file, everySteps: 1 },
      onStep: (s) => losses.push(s.loss),
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TrainDivergedError);
    const e = err as TrainDivergedError;
    // Step 31 (the resumed state) was fine; its update at lr 100 blew the next loss up by ~10⁹.
    expect(losses).toHaveLength(1);
    expect(e.step).toBe(32);
    expect(e.message).toMatch(
      /^training diverged: the loss is \S+ at step 32, over 100× its recent median 0\.0\d+ \(learning rate 100 too high/,
    );
    expect(e.message).toContain('The checkpoint it resumed from (step 30) is untouched.');
    expect(e.checkpoint).toEqual({ step: 30, file: null });
    // The state after step 31's update was due (every step) but never vouched for: nothing written.
    expect(readFileSync(file).equals(good)).toBe(true);
    expect(existsSync(stepFileOf(file, 31))).toBe(false);

    // The kept checkpoint continues exactly where the straight run went.
    const rest: number[] = [];
    await train({ ...base, lr: 1e-2, steps: 40, resume: await readCheckpoint(file), onStep: (s) => rest.push(s.loss) });
    expect(rest).toEqual(straight.slice(30));
  });

  it('calls a loss exploded over 100× the median of the recent ones, not below 0.01 or before 10 are known', () => {
    const ten = [0.02, 0.03, 0.025, 0.02, 0.03, 0.02, 0.021, 0.024, 0.026, 0.022]; // median 0.023
    expect(lossExploded(2.31, ten)).toBe(true);
    expect(lossExploded(2.29, ten)).toBe(false);
    expect(lossExploded(1e33, ten.slice(1))).toBe(false); // 9 known: too few to judge
    expect(lossExploded(0.009, new Array<number>(10).fill(0))).toBe(false); // tiny losses never
    expect(lossExploded(0.011, new Array<number>(10).fill(0))).toBe(true);
  });

  it('keeps the last 3 and the best, listed with step and loss; a fresh run replaces the history', async () => {
    const dir = tempDir('dl-ckpt-');
    const file = path.join(dir, 'run.ckpt');
    const ck = (await readCheckpointOf(dir)).ck;
    const keeper = await CheckpointKeeper.open(file, { fresh: true });
    const losses = [0.5, 0.2, 0.3, 0.4, 0.6];
    const written: KeptCheckpoint[] = [];
    for (const [i, loss] of losses.entries())
      written.push(await keeper.save({ ...ck, state: { ...ck.state, step: (i + 1) * 10 } }, loss));
    expect(written.map((k) => path.basename(k.file))).toEqual([10, 20, 30, 40, 50].map((n) => `run.step-${n}.ckpt`));
    const listed = await listKeptCheckpoints(file);
    expect(listed.best).toBe(20);
    expect(listed.kept.map((k) => [k.step, k.loss])).toEqual([
      [20, 0.2],
      [30, 0.3],
      [40, 0.4],
      [50, 0.6],
    ]);
    expect(readdirSync(dir).sort()).toEqual(
      ['run.ckpt', 'run.ckpt.index.json', ...[20, 30, 40, 50].map((n) => `run.step-${n}.ckpt`), 'seed.ckpt'].sort(),
    );
    // The run's file is the latest; each step file holds its own step.
    expect((await readCheckpoint(file)).state.step).toBe(50);
    expect((await readCheckpoint(stepFileOf(file, 20))).state.step).toBe(20);
    // A new run into the same file replaces the history at its first checkpoint.
    const again = await CheckpointKeeper.open(file, { fresh: true });
    await again.save({ ...ck, state: { ...ck.state, step: 5 } }, 0.9);
    expect(readdirSync(dir).sort()).toEqual(['run.ckpt', 'run.ckpt.index.json', 'run.step-5.ckpt', 'seed.ckpt']);
  });

  it('a pause writes a checkpoint of the paused state before it waits, and it resumes exactly', async () => {
    const dir = tempDir('dl-ckpt-');
    const file = path.join(dir, 'run.ckpt');
    const straight: number[] = [];
    await train({ ...base, lr: 1e-2, steps: 20, onStep: (s) => straight.push(s.loss) });
    const control = new RunControl();
    let atPause: number[] | null = null;
    const r = await train({
      ...base,
      lr: 1e-2,
      steps: 20,
      control,
      checkpoint: { file }, // no periodic checkpoints: only the pause and the end write one
      onStep: (s) => s.step === 7 && control.pause(),
      onPause: () => {
        // What is on disk while the run waits: the pause's checkpoint, listed with its loss.
        void listKeptCheckpoints(file).then(({ kept }) => {
          atPause = kept.map((k) => k.step);
          control.resume();
        });
      },
    });
    expect(r.status).toBe('completed');
    expect(atPause).toEqual([7]);
    const { kept } = await listKeptCheckpoints(file);
    expect(kept.map((k) => k.step)).toEqual([7, 20]);
    // The median of steps 1–7's losses, as every kept checkpoint carries.
    const first7 = straight.slice(0, 7).sort((a, b) => a - b);
    expect(kept[0]!.loss).toBeCloseTo(first7[3]!, 6);
    // Resumed from the paused state, steps 8–20 are the straight run's.
    const rest: number[] = [];
    await train({
      ...base,
      lr: 1e-2,
      steps: 20,
      resume: await readCheckpoint(stepFileOf(file, 7)),
      onStep: (s) => rest.push(s.loss),
    });
    expect(rest).toEqual(straight.slice(7));
  });

  it('the CLI says no checkpoint exists when the run diverges before the first one', async () => {
    const dir = tempDir('dl-ckpt-');
    const ck = path.join(dir, 'ck.bin');
    const args = [
      '--arch',
      'dense:64-16-64',
      '--data',
      'digits',
      '--optimizer',
      'sgd',
      '--out',
      path.join(dir, 'm.onnx'),
    ];
    const r = await cli('train', ...args, '--steps', '50', '--lr', '1000', '--checkpoint', ck, '--json');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^denoise-lab train: training diverged: the loss is \S+ at step \d+/);
    expect(r.err).toContain('No checkpoint was written yet (the first is due at step 100).');
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(existsSync(ck)).toBe(false);
  });

  it('the CLI lists the kept checkpoints with step and loss in --json', async () => {
    const dir = tempDir('dl-ckpt-');
    const ck = path.join(dir, 'ck.bin');
    const r = await cli(
      'train',
      '--arch',
      'dense:64-16-64',
      '--data',
      'digits',
      '--batch',
      '64',
      '--steps',
      '500',
      '--lr',
      '3e-3',
      '--out',
      path.join(dir, 'm.onnx'),
      '--checkpoint',
      ck,
      '--json',
    );
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.out.trim().split('\n').at(-1)!) as {
      checkpoints: { step: number; loss: number; file: string; best: boolean }[];
    };
    const steps = summary.checkpoints.map((c) => c.step);
    expect(steps.slice(-3)).toEqual([300, 400, 500]);
    expect(summary.checkpoints.filter((c) => c.best)).toHaveLength(1);
    const best = summary.checkpoints.find((c) => c.best)!;
    for (const c of summary.checkpoints) expect(best.loss).toBeLessThanOrEqual(c.loss);
    expect(summary.checkpoints.every((c) => existsSync(c.file))).toBe(true);
  });
});

/** A real checkpoint of a short run, to write under other step numbers. */
async function readCheckpointOf(dir: string) {
  const file = path.join(dir, 'seed.ckpt');
  await train({ ...base, lr: 1e-2, steps: 2, checkpoint: { file } });
  // The seed run's own history is not part of these tests.
  const { kept } = await listKeptCheckpoints(file);
  for (const k of kept) rmSync(k.file);
  rmSync(`${file}.index.json`);
  return { ck: await readCheckpoint(file) };
}
