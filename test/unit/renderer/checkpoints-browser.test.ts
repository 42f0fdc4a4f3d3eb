// The Lab's checkpoints browser groups `checkpoints:list` by run: the run being shown first, then
// the newest; each run's newest step first; resume is offered until the run's planned end.
import { describe, expect, it } from 'vitest';
import type { CheckpointInfo } from '../../../common/contract/index.js';
import { groupByRun, lossText, whenText, whyNoResume } from '../../../renderer/src/lab/checkpoints.js';

const request = {
  architecture: 'dense:64-16-64',
  data: { kind: 'digits' as const },
  noise: { type: 'none' as const, level: 0 },
  optimizer: 'adam' as const,
  lr: 0.01,
  batch: 32,
  seed: 0,
  checkpointEvery: 10,
  steps: 60,
};

function ck(jobId: string, step: number, startedAt: string, loss?: number): CheckpointInfo {
  return {
    checkpointId: `${jobId}.step-${step}`,
    jobId,
    step,
    createdAt: startedAt,
    metrics: loss === undefined ? {} : { loss },
    path: `/data/checkpoints/${jobId}.step-${step}.ckpt`,
    best: false,
    run: { model: 'dense 64-16-64', data: 'digits', startedAt, request },
  };
}

describe('checkpoints browser', () => {
  const list = [
    ck('old', 40, '2024-05-01T10:00:00.000Z'),
    ck('new', 20, '2024-05-03T10:00:00.000Z'),
    ck('old', 60, '2024-05-01T10:00:00.000Z'),
    ck('mid', 10, '2024-05-02T10:00:00.000Z'),
    ck('new', 30, '2024-05-03T10:00:00.000Z'),
  ];

  it('groups by run, newest run first, newest step first', () => {
    const groups = groupByRun(list, null);
    expect(groups.map((g) => g.jobId)).toEqual(['new', 'mid', 'old']);
    expect(groups.map((g) => g.checkpoints.map((c) => c.step))).toEqual([[30, 20], [10], [60, 40]]);
    expect(groups[0]).toMatchObject({ title: 'dense 64-16-64 · digits', current: false });
  });

  it('puts the run the Lab shows first', () => {
    const groups = groupByRun(list, 'old');
    expect(groups.map((g) => [g.jobId, g.current])).toEqual([
      ['old', true],
      ['new', false],
      ['mid', false],
    ]);
  });

  it('offers resume until the run’s planned end', () => {
    expect(whyNoResume(ck('a', 40, '2024-05-01T10:00:00.000Z'))).toBeNull();
    expect(whyNoResume(ck('a', 60, '2024-05-01T10:00:00.000Z'))).toBe('the run ended at this step (60 steps)');
  });

  it('writes the loss and the time short', () => {
    expect(lossText(ck('a', 1, '2024-05-01T10:00:00.000Z', 0.021345))).toBe('loss 0.0213');
    expect(lossText(ck('a', 1, '2024-05-01T10:00:00.000Z', 0.00012345))).toBe('loss 1.23e-4');
    expect(lossText(ck('a', 1, '2024-05-01T10:00:00.000Z'))).toBe('');
    const at = new Date(2024, 4, 3, 14, 2);
    expect(whenText(at.toISOString(), new Date(2024, 4, 3, 20, 0))).toBe('14:02');
    expect(whenText(at.toISOString(), new Date(2024, 4, 5, 9, 0))).toBe('3 May 14:02');
  });
});
