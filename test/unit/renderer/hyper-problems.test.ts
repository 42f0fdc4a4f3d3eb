// The Lab's training settings are checked against the contract's train schema, in the words the
// service uses, so the form refuses what the service would refuse.
import { describe, expect, it } from 'vitest';
import { hyperProblems, type HyperSettings } from '../../../renderer/src/lab/hyper-problems.js';

const ok: HyperSettings = { lr: 0.001, batch: 64, unit: 'steps', steps: 500, epochs: 5, seed: 0, checkpointEvery: 100 };

describe('hyperProblems', () => {
  it('accepts the defaults and the generous learning-rate bound', () => {
    expect(hyperProblems(ok)).toEqual([]);
    expect(hyperProblems({ ...ok, lr: 1e10 })).toEqual([]);
  });

  it('refuses a negative or zero learning rate in words', () => {
    expect(hyperProblems({ ...ok, lr: -0.01 })).toEqual(['The learning rate must be a positive number.']);
    expect(hyperProblems({ ...ok, lr: 0 })).toEqual(['The learning rate must be a positive number.']);
    expect(hyperProblems({ ...ok, lr: 1e11 })).toEqual(['The learning rate must be at most 10000000000.']);
  });

  it('names each other bad or emptied setting, and checks only the length unit in use', () => {
    expect(hyperProblems({ ...ok, batch: 0, steps: null, seed: 1.5 })).toEqual([
      'The batch size must be at least 1.',
      'The number of steps is missing.',
      'The seed must be a whole number.',
    ]);
    expect(hyperProblems({ ...ok, unit: 'epochs', steps: null, epochs: 0 })).toEqual([
      'The number of epochs must be at least 1.',
    ]);
  });
});
