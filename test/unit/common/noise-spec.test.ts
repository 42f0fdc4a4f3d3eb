// One noise spec: the CLI's strings, the app's (type, level) requests and architecture files all
// land on the same NoiseSpec through one translator, and the schema accepts what it makes.
import { describe, expect, it } from 'vitest';
import {
  NOISE_TYPES,
  describeNoise,
  noiseFromLevels,
  noiseSpecSchema,
  parseNoiseLevel,
} from '../../../common/noise-spec.js';

describe('noise spec', () => {
  it('lists the schema’s six types, in order', () => {
    expect(NOISE_TYPES).toEqual(['gaussian', 'poisson', 'poisson-gaussian', 'salt-pepper', 'speckle', 'mask']);
  });

  it('reads the CLI’s --level and the app’s levels the same way', () => {
    const cases: [string, string, Parameters<typeof noiseFromLevels>[0], string][] = [
      ['gaussian', '25', { type: 'gaussian', level: 25 }, 'gaussian σ 25'],
      ['poisson', '30', { type: 'poisson', level: 30 }, 'poisson, 30 photons at full scale'],
      [
        'poisson-gaussian',
        '30,5',
        { type: 'poisson-gaussian', level: 30, gaussianSigma: 5 },
        'poisson-gaussian, 30 photons + σ 5',
      ],
      ['salt-pepper', '0.05,0.25', { type: 'salt-pepper', level: 0.05, saltRatio: 0.25 }, 'salt-pepper 0.05'],
      ['speckle', '0.2', { type: 'speckle', level: 0.2 }, 'speckle σ 0.2'],
      ['mask', '0.5', { type: 'mask', level: 0.5 }, 'mask 0.5'],
    ];
    for (const [type, text, levels, words] of cases) {
      const spec = parseNoiseLevel(type, text);
      expect(spec).toEqual(noiseFromLevels(levels));
      expect(noiseSpecSchema.parse(spec)).toEqual(spec);
      expect(describeNoise(spec)).toBe(words);
    }
    expect(describeNoise(null)).toBe('none (clean inputs)');
  });

  it('a poisson-gaussian request without read noise means σ 0, in the Lab preview and in training alike', () => {
    expect(noiseFromLevels({ type: 'poisson-gaussian', level: 30 })).toEqual({
      type: 'poisson-gaussian',
      photons: 30,
      sigma: 0,
    });
  });

  it('refuses levels out of range in words a person can act on', () => {
    expect(() => noiseFromLevels({ type: 'gaussian', level: 300 })).toThrow(
      'gaussian noise: σ must be from 0 to 255, got 300',
    );
    expect(() => parseNoiseLevel('mask', '2')).toThrow('mask noise: fraction must be in [0, 1], got 2');
    expect(() => parseNoiseLevel('blur', '2')).toThrow("unknown noise type 'blur'");
    expect(() => parseNoiseLevel('poisson-gaussian', '30')).toThrow('poisson-gaussian needs --level photons,sigma');
  });
});
