import { describe, expect, it } from 'vitest';
import {
  channels,
  ContractError,
  isChannel,
  parseJobSpec,
  parseRequest,
  parseResponse,
} from '../../../common/contract/index.js';

describe('the typed contract', () => {
  it('fills in defaults of a valid job request', () => {
    const spec = parseJobSpec({ kind: 'add-noise', params: { imageId: 'img1', type: 'gaussian', level: 25 } });
    expect(spec).toEqual({
      kind: 'add-noise',
      params: { imageId: 'img1', type: 'gaussian', level: 25, seed: 0, clip: true },
    });
  });

  it('rejects a bad job request in words, naming the field technically in its issues', () => {
    const refusal = (value: unknown): ContractError => {
      try {
        parseJobSpec(value);
      } catch (e) {
        if (e instanceof ContractError) return e;
        throw e;
      }
      throw new Error('accepted');
    };
    const level = refusal({ kind: 'add-noise', params: { imageId: 'img1', type: 'gaussian', level: -1 } });
    expect(level.message).toBe('The noise level must be at least 0.');
    expect(level.issues).toEqual(['params.level: Too small: expected number to be >=0']);
    expect(level.details).toBe('invalid job request: params.level: Too small: expected number to be >=0');
    expect(() => parseJobSpec({ kind: 'add-noise', params: { imageId: 'img1', type: 'blur', level: 1 } })).toThrow(
      ContractError,
    );
    expect(refusal({ kind: 'format-disk', params: {} }).message).toBe(
      'The kind is not one this version of Denoise Lab knows.',
    );
    // Unknown fields are refused, not silently dropped.
    expect(refusal({ kind: 'estimate-noise', params: { imageId: 'a', extra: true } }).message).toBe(
      '“extra” is not a setting this version of Denoise Lab knows.',
    );
    const nan = refusal({ kind: 'add-noise', params: { imageId: 'i', type: 'gaussian', level: NaN } });
    expect(nan.message).toBe('The noise level must be a number.');
    expect(nan.details).toMatch(/params\.level/);
    expect(refusal({ kind: 'add-noise', params: { type: 'gaussian', level: 1 } }).message).toBe(
      '“imageId” is missing.',
    );
  });

  it('fills in the debug job’s defaults', () => {
    expect(parseJobSpec({ kind: 'debug', params: { action: 'count' } }).params).toMatchObject({
      steps: 10,
      stepMs: 50,
    });
  });

  it('train: exactly one of steps and epochs; noise extras; generous lr bound', () => {
    const base = {
      architecture: 'dense:8-3-8',
      data: { kind: 'digits' },
      noise: { type: 'poisson-gaussian', level: 30, gaussianSigma: 5 },
      lr: 1e10,
      batch: 8,
    };
    expect(parseJobSpec({ kind: 'train', params: { ...base, epochs: 2 } }).params).toMatchObject({
      epochs: 2,
      optimizer: 'adam',
      seed: 0,
      checkpointEvery: 0,
    });
    expect(() => parseJobSpec({ kind: 'train', params: base })).toThrow('Give exactly one of steps and epochs.');
    expect(() => parseJobSpec({ kind: 'train', params: { ...base, steps: 1, epochs: 1 } })).toThrow(/exactly one/);
    expect(() => parseJobSpec({ kind: 'train', params: { ...base, steps: 1, lr: 1e11 } })).toThrow(
      'The learning rate must be at most 10000000000.',
    );
    // The Lab's everyday mistake, said as a person would.
    expect(() => parseJobSpec({ kind: 'train', params: { ...base, steps: 1, lr: -0.01 } })).toThrow(
      'The learning rate must be a positive number.',
    );
  });

  it('latent-probe and save-model fill in their defaults', () => {
    expect(parseJobSpec({ kind: 'latent-probe', params: { modelId: 'user/m' } }).params).toEqual({
      modelId: 'user/m',
      steps: 300,
      seed: 0,
    });
    expect(parseJobSpec({ kind: 'save-model', params: { checkpointId: 'c', name: 'n' } }).params).toEqual({
      checkpointId: 'c',
      name: 'n',
      onClash: 'cancel',
    });
  });

  it('validates channel requests and responses', () => {
    expect(isChannel('jobs:start')).toBe(true);
    expect(isChannel('constructor')).toBe(false);
    expect(isChannel('fs:readFile')).toBe(false);
    expect(parseRequest('app:info', undefined)).toEqual({});
    expect(() => parseRequest('images:open', { path: '' })).toThrow(/^The path /);
    // A response that does not match is the app's fault: said so, the field in the details.
    let bad: unknown;
    try {
      parseResponse('models:delete', { deleted: 'yes' });
    } catch (e) {
      bad = e;
    }
    expect(bad).toBeInstanceOf(ContractError);
    expect((bad as ContractError).message).toMatch(
      /^Denoise Lab’s service gave an answer this window does not understand/,
    );
    expect((bad as ContractError).details).toMatch(/^invalid response of models:delete: deleted: /);
    expect(Object.keys(channels)).toContain('dialogs:openFolder');
  });
});
