// Checkpoint ids name files of the app's checkpoints folder and nothing else: `<jobId>` (a run's
// latest) and `<jobId>.step-<N>` (one kept checkpoint, the trainer's step file).
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkpointFiles, parseCheckpointId } from '../../../main/service/checkpoints.js';
import { stepFileOf } from '../../../main/ml/train/checkpoint-keeper.js';

const data = path.resolve('/data');
const folder = path.join(data, 'checkpoints');

describe('checkpoint ids', () => {
  it('names a run’s latest and its kept step files', () => {
    const run = '0f8e2c1a-7b3d-4c55-9a1e-2d3f4b5c6d7e';
    expect(parseCheckpointId(run)).toEqual({ run, step: null });
    expect(parseCheckpointId(`${run}.step-1200`)).toEqual({ run, step: 1200 });
    expect(checkpointFiles(data, run)).toEqual({
      checkpoint: path.join(folder, `${run}.ckpt`),
      record: path.join(folder, `${run}.json`),
    });
    // The same file the trainer's keeper writes for that step; the record is the run's.
    expect(checkpointFiles(data, `${run}.step-1200`)).toEqual({
      checkpoint: stepFileOf(path.join(folder, `${run}.ckpt`), 1200),
      record: path.join(folder, `${run}.json`),
    });
    expect(checkpointFiles(data, `${run}.step-1200`).checkpoint).toBe(path.join(folder, `${run}.step-1200.ckpt`));
  });

  it('refuses anything else, so no id reaches outside the folder', () => {
    const bad = [
      '',
      '..',
      '../x',
      'a/b',
      'a\\b',
      'run.step-',
      'run.step-x',
      '.step-3',
      'run.step-1.step-2',
      'run.ckpt',
      'run.json',
      'run.step-1/../../x',
      'run.step--1',
      'run.step-1e3',
      'run\0',
    ];
    for (const id of bad) {
      expect(() => parseCheckpointId(id), JSON.stringify(id)).toThrow(/invalid checkpoint id/);
      expect(() => checkpointFiles(data, id), JSON.stringify(id)).toThrow(/invalid checkpoint id/);
    }
  });
});
