// The denoise job's optional `region` (the live preview): its shape is checked by the contract;
// whether it lies inside the photo is checked by the job (test/integration/service/denoise-region.test.ts).
import { describe, expect, it } from 'vitest';
import { MAX_REGION_PIXELS, parseJobSpec } from '../../../common/contract/index.js';

const spec = (region: unknown) => ({ kind: 'denoise', params: { imageId: 'img', modelId: 'm', region } });

describe('the denoise region in the contract', () => {
  it('passes a region through unchanged, and leaves it out when absent', () => {
    const region = { x: 0, y: 10, width: 64, height: 32 };
    expect(parseJobSpec(spec(region)).params).toMatchObject({ region, strength: 1, detail: 0 });
    expect(parseJobSpec({ kind: 'denoise', params: { imageId: 'img', modelId: 'm' } }).params).not.toHaveProperty(
      'region',
    );
  });

  it('refuses empty, negative, fractional, incomplete and padded regions, naming the field in the details', () => {
    for (const bad of [
      { x: 0, y: 0, width: 0, height: 10 },
      { x: 0, y: 0, width: 10, height: -1 },
      { x: -1, y: 0, width: 10, height: 10 },
      { x: 0.5, y: 0, width: 10, height: 10 },
      { x: 0, y: 0, width: 10 },
      { x: 0, y: 0, width: Number.NaN, height: 10 },
      { x: 0, y: 0, width: 10, height: 10, scale: 2 },
    ])
      expect(() => parseJobSpec(spec(bad)), JSON.stringify(bad)).toThrow(
        expect.objectContaining({ details: expect.stringMatching(/: params\.region\b/) }),
      );
  });

  it('refuses a region above the preview size limit and accepts one at it', () => {
    expect(MAX_REGION_PIXELS).toBe(4_000_000);
    expect(() => parseJobSpec(spec({ x: 0, y: 0, width: 2000, height: 2000 }))).not.toThrow();
    expect(() => parseJobSpec(spec({ x: 0, y: 0, width: 2001, height: 2000 }))).toThrow(/at most 4 megapixels/);
  });
});
