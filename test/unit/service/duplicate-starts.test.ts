// Starting is idempotent: the same training requested twice within a second runs once.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseJobSpec } from '../../../common/contract/index.js';
import { DuplicateStarts, stableJson } from '../../../main/service/duplicate-starts.js';

const train = (extra: Record<string, unknown> = {}) =>
  parseJobSpec({
    kind: 'train',
    params: {
      architecture: 'dense:64-16-64',
      data: { kind: 'digits' },
      noise: { type: 'none', level: 0 },
      lr: 0.01,
      batch: 32,
      steps: 300,
      ...extra,
    },
  });

describe('duplicate starts', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2026-01-01T00:00:00Z'));
  });
  afterEach(() => vi.useRealTimers());

  it('refuses the same training within a second, with a message for people, and allows it after', () => {
    const d = new DuplicateStarts();
    d.check(train());
    d.record(train());
    vi.advanceTimersByTime(999);
    expect(() => d.check(train())).toThrow(
      /this training was started a moment ago with the same settings.*not started twice/,
    );
    vi.advanceTimersByTime(1);
    expect(() => d.check(train())).not.toThrow();
  });

  it('tells requests apart by their parameters, not by the order their keys were written in', () => {
    const d = new DuplicateStarts();
    d.record(train());
    expect(() => d.check(train({ steps: 301 }))).not.toThrow();
    expect(() => d.check(train({ seed: 0 }))).toThrow(); // seed 0 is the default: the same request
    const reordered = parseJobSpec({
      kind: 'train',
      params: {
        steps: 300,
        batch: 32,
        lr: 0.01,
        noise: { level: 0, type: 'none' },
        data: { kind: 'digits' },
        architecture: 'dense:64-16-64',
      },
    });
    expect(() => d.check(reordered)).toThrow();
    expect(stableJson({ b: 1, a: [{ d: 2, c: undefined }] })).toBe('{"a":[{"d":2}],"b":1}');
  });

  it('lets short imaging jobs repeat (decoding the same latent point twice is harmless)', () => {
    const d = new DuplicateStarts();
    const decode = parseJobSpec({ kind: 'latent-decode', params: { modelId: 'm', point: [0, 0] } });
    d.record(decode);
    expect(() => d.check(decode)).not.toThrow();
  });
});
