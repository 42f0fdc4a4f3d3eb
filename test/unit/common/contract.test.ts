import { describe, expect, it } from 'vitest';
import { channels, ContractError, isChannel, parseJobSpec, parseRequest, parseResponse } from '../../../common/contract/index.js';

describe('the typed contract', () => {
  it('fills in defaults of a valid job request', () => {
    const spec = parseJobSpec({ kind: 'add-noise', params: { imageId: 'img1', type: 'gaussian', level: 25 } });
    expect(spec).toEqual({
      kind: 'add-noise',
      params: { imageId: 'img1', type: 'gaussian', level: 25, seed: 0, clip: true },
    });
  });

  it('rejects a bad job request with a message naming the field', () => {
    expect(() => parseJobSpec({ kind: 'add-noise', params: { imageId: 'img1', type: 'gaussian', level: -1 } })).toThrow(
      /params\.level/,
    );
    expect(() => parseJobSpec({ kind: 'add-noise', params: { imageId: 'img1', type: 'blur', level: 1 } })).toThrow(
      ContractError,
    );
    expect(() => parseJobSpec({ kind: 'format-disk', params: {} })).toThrow(/invalid job request/);
    // Unknown fields are refused, not silently dropped.
    expect(() => parseJobSpec({ kind: 'estimate-noise', params: { imageId: 'a', extra: true } })).toThrow(/extra/);
    expect(() => parseJobSpec({ kind: 'add-noise', params: { imageId: 'i', type: 'gaussian', level: NaN } })).toThrow(
      /params\.level/,
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
    expect(() => parseJobSpec({ kind: 'train', params: base })).toThrow(/params\.steps: give exactly one/);
    expect(() => parseJobSpec({ kind: 'train', params: { ...base, steps: 1, epochs: 1 } })).toThrow(/exactly one/);
    expect(() => parseJobSpec({ kind: 'train', params: { ...base, steps: 1, lr: 1e11 } })).toThrow(/params\.lr/);
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
    expect(() => parseRequest('images:open', { path: '' })).toThrow(/path/);
    expect(() => parseResponse('models:delete', { deleted: 'yes' })).toThrow(/deleted/);
    expect(Object.keys(channels)).toContain('dialogs:openFolder');
  });
});
