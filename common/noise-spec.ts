// The one description of synthetic noise, shared by every process: its zod schema (architecture
// files, job requests), the form people and the CLI state it in (a type and a level), the one
// translator from that form, the range check with messages for people, and the one describer.
// The noise itself is drawn in common/noise.ts.
//
// Levels are on the familiar 0–255 scale (σ 25 = 25 grey levels) or dimensionless fractions:
//   gaussian σ · poisson photons at full scale · poisson-gaussian photons + read σ ·
//   salt-pepper amount (+ salt ratio) · speckle relative σ · mask dropped fraction.

import { z } from 'zod';
import { ImagingError } from './errors.js';

export const noiseSpecSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('gaussian'), sigma: z.number().min(0).finite() }).strict(),
  z.object({ type: z.literal('poisson'), photons: z.number().gt(0).finite() }).strict(),
  z
    .object({
      type: z.literal('poisson-gaussian'),
      photons: z.number().gt(0).finite(),
      sigma: z.number().min(0).finite(),
    })
    .strict(),
  z
    .object({
      type: z.literal('salt-pepper'),
      amount: z.number().min(0).max(1),
      saltRatio: z.number().min(0).max(1).optional(),
    })
    .strict(),
  z.object({ type: z.literal('speckle'), sigma: z.number().min(0).finite() }).strict(),
  z.object({ type: z.literal('mask'), fraction: z.number().min(0).max(1) }).strict(),
]);

export type NoiseSpec = z.output<typeof noiseSpecSchema>;
export type NoiseType = NoiseSpec['type'];
export const NOISE_TYPES: readonly NoiseType[] = noiseSpecSchema.options.map((o) => o.shape.type.value);
export const noiseTypeSchema = z.enum(NOISE_TYPES as [NoiseType, ...NoiseType[]]);

/**
 * Noise as a person picks it (the app's noise menus, job requests): a type and its main level,
 * plus the read noise σ of poisson-gaussian and the salt ratio of salt-pepper.
 */
export const noiseLevelsSchema = z.strictObject({
  type: noiseTypeSchema,
  level: z.number().finite().nonnegative(),
  gaussianSigma: z.number().finite().nonnegative().optional(),
  saltRatio: z.number().finite().min(0).max(1).optional(),
});
export type NoiseLevels = z.infer<typeof noiseLevelsSchema>;

/** A type and its levels → the noise spec (range-checked). */
export function noiseFromLevels(p: NoiseLevels): NoiseSpec {
  let spec: NoiseSpec;
  switch (p.type) {
    case 'gaussian':
      spec = { type: 'gaussian', sigma: p.level };
      break;
    case 'poisson':
      spec = { type: 'poisson', photons: p.level };
      break;
    case 'poisson-gaussian':
      spec = { type: 'poisson-gaussian', photons: p.level, sigma: p.gaussianSigma ?? 0 };
      break;
    case 'salt-pepper':
      spec =
        p.saltRatio === undefined
          ? { type: 'salt-pepper', amount: p.level }
          : { type: 'salt-pepper', amount: p.level, saltRatio: p.saltRatio };
      break;
    case 'speckle':
      spec = { type: 'speckle', sigma: p.level };
      break;
    case 'mask':
      spec = { type: 'mask', fraction: p.level };
      break;
  }
  checkNoiseSpec(spec);
  return spec;
}

/** "gaussian σ 25", "salt-pepper 0.05", "none": for model cards and messages. */
export function describeNoise(noise: TrainingNoise | null): string {
  if (!noise) return 'none (clean inputs)';
  switch (noise.type) {
    case 'camera-mix':
      return `camera mix (camera-pipeline simulator, with Gaussian / Poisson–Gaussian σ ≤ ${noise.sigma} and clean samples)`;
    case 'gaussian':
      return `gaussian σ ${noise.sigma}`;
    case 'poisson':
      return `poisson, ${noise.photons} photons at full scale`;
    case 'poisson-gaussian':
      return `poisson-gaussian, ${noise.photons} photons + σ ${noise.sigma}`;
    case 'salt-pepper':
      return `salt-pepper ${noise.amount}`;
    case 'speckle':
      return `speckle σ ${noise.sigma}`;
    case 'mask':
      return `mask ${noise.fraction}`;
  }
}

/** Range check, in words a person can act on (the schema checks only the shape). */
export function checkNoiseSpec(spec: NoiseSpec): void {
  const bad = (what: string) => new ImagingError('bad-option', `${spec.type} noise: ${what}`);
  switch (spec.type) {
    // Upper bounds: past them the image is pure noise (σ 255, speckle 10) or the noise vanishes
    // (a million photons), so a larger value is a typo, not an experiment.
    case 'gaussian':
      if (!(spec.sigma >= 0 && spec.sigma <= 255)) throw bad(`σ must be from 0 to 255, got ${spec.sigma}`);
      break;
    case 'speckle':
      if (!(spec.sigma >= 0 && spec.sigma <= 10)) throw bad(`σ must be from 0 to 10 (relative), got ${spec.sigma}`);
      break;
    case 'poisson':
      if (!(spec.photons >= 0.01 && spec.photons <= 1e6))
        throw bad(`photons must be from 0.01 to 1000000, got ${spec.photons}`);
      break;
    case 'poisson-gaussian':
      if (!(spec.photons >= 0.01 && spec.photons <= 1e6))
        throw bad(`photons must be from 0.01 to 1000000, got ${spec.photons}`);
      if (!(spec.sigma >= 0 && spec.sigma <= 255)) throw bad(`σ must be from 0 to 255, got ${spec.sigma}`);
      break;
    case 'salt-pepper':
      if (!(spec.amount >= 0 && spec.amount <= 1)) throw bad(`amount must be in [0, 1], got ${spec.amount}`);
      if (spec.saltRatio !== undefined && !(spec.saltRatio >= 0 && spec.saltRatio <= 1))
        throw bad(`salt ratio must be in [0, 1], got ${spec.saltRatio}`);
      break;
    case 'mask':
      if (!(spec.fraction >= 0 && spec.fraction <= 1)) throw bad(`fraction must be in [0, 1], got ${spec.fraction}`);
      break;
  }
}

/**
 * Parses the CLI's `--level` for a noise type. One number for most types; poisson-gaussian takes
 * "photons,σ" and salt-pepper optionally "amount,saltRatio".
 */
export function parseNoiseLevel(type: string, level: string): NoiseSpec {
  if (!NOISE_TYPES.includes(type as NoiseType))
    throw new ImagingError('bad-option', `unknown noise type '${type}' (one of ${NOISE_TYPES.join(', ')})`);
  const parts = level.split(',').map((s) => Number(s.trim()));
  if (parts.some((v) => !Number.isFinite(v)) || parts.length < 1)
    throw new ImagingError('bad-option', `--level must be a number, got '${level}'`);
  const counts = type === 'poisson-gaussian' ? [2] : type === 'salt-pepper' ? [1, 2] : [1];
  if (!counts.includes(parts.length))
    throw new ImagingError(
      'bad-option',
      type === 'poisson-gaussian'
        ? `poisson-gaussian needs --level photons,sigma (e.g. 30,5), got '${level}'`
        : `${type} takes ${counts.join(' or ')} value(s) in --level, got '${level}'`,
    );
  const [a, b] = parts as [number, number | undefined];
  return noiseFromLevels({
    type: type as NoiseType,
    level: a,
    ...(type === 'poisson-gaussian' ? { gaussianSigma: b } : {}),
    ...(type === 'salt-pepper' && b !== undefined ? { saltRatio: b } : {}),
  });
}

/**
 * The training mix for real photos (main/ml/train/camera-mix.ts): per sample camera-pipeline
 * noise, or the Gaussian / Poisson–Gaussian draw of `photons` and `sigma` as for
 * 'poisson-gaussian', or none. Only for models trained with a noise-level map (a denoiser told it,
 * or an estimator); not a noise one adds to a photo, so not among NOISE_TYPES.
 */
export const cameraMixSchema = z
  .object({
    type: z.literal('camera-mix'),
    photons: z.number().gt(0).finite(),
    sigma: z.number().min(0).finite(),
  })
  .strict();
export type CameraMixSpec = z.output<typeof cameraMixSchema>;

/** What an architecture may say its inputs were corrupted with while training. */
export const trainingNoiseSchema = z.union([noiseSpecSchema, cameraMixSchema]);
export type TrainingNoise = z.output<typeof trainingNoiseSchema>;

/**
 * The noise a model trained on `noise` is measured with: the camera mix's Gaussian /
 * Poisson–Gaussian part (its camera part needs the simulator's clean twin as the reference, which
 * a validation batch does not have); every other noise as it is.
 */
export function measuredWith(noise: TrainingNoise | null): NoiseSpec | null {
  if (noise?.type !== 'camera-mix') return noise;
  return { type: 'poisson-gaussian', photons: noise.photons, sigma: noise.sigma };
}
