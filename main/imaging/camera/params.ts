// The parameters of one simulated camera, as a plain serialisable object, and how missing ones
// are drawn. A caller states what it cares about ({ level: 'high' }, or explicit shot/read) and
// `resolveCameraParams` draws the rest from a seeded Rng, always making the same draws in the same
// order, so that fixing one field never changes the others for a given seed.
//
// Noise (Brooks et al. 2019, unprocess.random_noise_levels): raw variance = shot·x + read on the
// linear [0, 1] raw scale (shot and read are the paper's shot_noise and read_noise, both
// variances). The paper draws log(shot) ~ U[log 1e-4, log 1.2e-2] and
// log(read) = 2.18·log(shot) + 1.20 + N(0, 0.26²). The levels split that log range in thirds;
// the σ they give on a mid-grey photo (RMS over channels, 5th–95th percentile over 300 random
// cameras without sharpening or chroma NR, measured):
//   low     shot ∈ [1e-4, 5e-4]      σ ≈ 3–7 grey levels (median 4.9)
//   medium  shot ∈ [5e-4, 2.4e-3]    σ ≈ 7–16 (median 10.8)
//   high    shot ∈ [2.4e-3, 1.2e-2]  σ ≈ 16–39 (median 23.9)
// Everything else is drawn as in the paper where it has a draw (camera mix, gains) and from ranges
// typical of camera firmware otherwise (sharpening, chroma denoising, JPEG quality 60–98).

import type { Rng } from '../../../common/rng.js';
import { ImagingError } from '../../../common/errors.js';
import { CFA_PATTERNS, DEMOSAIC_METHODS, type CfaPattern, type DemosaicMethod } from './bayer.js';
import { CAMERA_XYZ_TO_CAM, sampleCameraMix } from './color.js';
import type { ChromaDenoise, Sharpening } from './filters.js';

export const CAMERA_NOISE_LEVELS = ['low', 'medium', 'high'] as const;
export type CameraNoiseLevel = (typeof CAMERA_NOISE_LEVELS)[number];

/** Shot-noise band of each level, [min, max], drawn log-uniformly. */
export const SHOT_BANDS: Record<CameraNoiseLevel | 'any', [number, number]> = {
  low: [1e-4, 5e-4],
  medium: [5e-4, 2.4e-3],
  high: [2.4e-3, 1.2e-2],
  any: [1e-4, 1.2e-2],
};

/** What a caller may state; every field left out is drawn. */
export interface CameraNoiseParams {
  /** ISO-like band for the shot noise (default: the paper's whole range). Ignored when `shot` is given. */
  level?: CameraNoiseLevel;
  /** Raw variance per unit of signal (the paper's shot_noise). */
  shot?: number;
  /** Raw variance at zero signal (the paper's read_noise, a variance, not a σ). */
  read?: number;
  cfa?: CfaPattern;
  demosaic?: DemosaicMethod;
  /** Convex weights over the four cameras' colour matrices (CAMERA_XYZ_TO_CAM). */
  cameraMix?: number[];
  /** White balance the camera applies: red and blue gains and an overall brightness gain. */
  redGain?: number;
  blueGain?: number;
  brightness?: number;
  /** In-camera sharpening; amount 0 for none. */
  sharpen?: Sharpening;
  /** In-camera chroma noise reduction; strength 0 for none. */
  chromaDenoise?: ChromaDenoise;
  /** JPEG quality 1–100 of the camera's file, or null for none (see `compressJpeg`). */
  jpegQuality?: number | null;
}

/** Every parameter decided: one concrete camera. */
export type CameraPipeline = Required<Omit<CameraNoiseParams, 'level'>>;

const uniform = (rng: Rng, lo: number, hi: number) => lo + (hi - lo) * rng.uniform();
const logUniform = (rng: Rng, [lo, hi]: [number, number]) => Math.exp(uniform(rng, Math.log(lo), Math.log(hi)));

/** Fills in every missing parameter from `rng` (always the same draws, in the same order). */
export function resolveCameraParams(params: CameraNoiseParams, rng: Rng): CameraPipeline {
  validateCameraParams(params);
  const shot = logUniform(rng, SHOT_BANDS[params.level ?? 'any']);
  const chosenShot = params.shot ?? shot;
  const read = Math.exp(2.18 * Math.log(Math.max(chosenShot, 1e-12)) + 1.2 + 0.26 * rng.normal());
  const cfa = CFA_PATTERNS[rng.int(CFA_PATTERNS.length)]!;
  const demosaic = DEMOSAIC_METHODS[rng.int(DEMOSAIC_METHODS.length)]!;
  const cameraMix = sampleCameraMix(rng);
  const redGain = uniform(rng, 1.9, 2.4);
  const blueGain = uniform(rng, 1.5, 1.9);
  // 1/N(0.8, 0.1) as in the paper, the normal kept ≥ 0.4 (4σ) so the gain stays finite.
  const brightness = 1 / Math.max(0.4, 0.8 + 0.1 * rng.normal());
  const sharpenOn = rng.uniform() < 0.5;
  const sharpen = { amount: uniform(rng, 0.2, 1), sigma: uniform(rng, 0.6, 1.5) };
  const denoiseOn = rng.uniform() < 0.5;
  const chromaDenoise = { strength: uniform(rng, 0.3, 0.9), sigma: uniform(rng, 0.8, 2) };
  const jpegOn = rng.uniform() < 0.5;
  const jpegQuality = 60 + rng.int(39);
  return {
    shot: chosenShot,
    read: params.read ?? (chosenShot === 0 ? 0 : read),
    cfa: params.cfa ?? cfa,
    demosaic: params.demosaic ?? demosaic,
    cameraMix: params.cameraMix ?? cameraMix,
    redGain: params.redGain ?? redGain,
    blueGain: params.blueGain ?? blueGain,
    brightness: params.brightness ?? brightness,
    sharpen: params.sharpen ?? (sharpenOn ? sharpen : { amount: 0, sigma: 1 }),
    chromaDenoise: params.chromaDenoise ?? (denoiseOn ? chromaDenoise : { strength: 0, sigma: 1 }),
    jpegQuality: params.jpegQuality !== undefined ? params.jpegQuality : jpegOn ? jpegQuality : null,
  };
}

/** A random camera for training: every parameter drawn (the paper's noise range, all phases…). */
export function sampleCameraParams(rng: Rng): CameraPipeline {
  return resolveCameraParams({}, rng);
}

/** Throws a one-line ImagingError('bad-option') for any out-of-range parameter. */
export function validateCameraParams(p: CameraNoiseParams): void {
  const bad = (what: string) => new ImagingError('bad-option', `camera noise: ${what}`);
  const inRange = (v: number | undefined, lo: number, hi: number) => v === undefined || (v >= lo && v <= hi);
  if (p.level !== undefined && !CAMERA_NOISE_LEVELS.includes(p.level))
    throw bad(`level must be one of ${CAMERA_NOISE_LEVELS.join(', ')}, got '${String(p.level)}'`);
  if (!inRange(p.shot, 0, 1)) throw bad(`shot noise must be a variance in [0, 1], got ${p.shot}`);
  if (!inRange(p.read, 0, 1)) throw bad(`read noise must be a variance in [0, 1], got ${p.read}`);
  if (p.cfa !== undefined && !CFA_PATTERNS.includes(p.cfa))
    throw bad(`Bayer pattern must be one of ${CFA_PATTERNS.join(', ')}, got '${String(p.cfa)}'`);
  if (p.demosaic !== undefined && !DEMOSAIC_METHODS.includes(p.demosaic))
    throw bad(`demosaicking must be one of ${DEMOSAIC_METHODS.join(', ')}, got '${String(p.demosaic)}'`);
  if (
    p.cameraMix !== undefined &&
    (p.cameraMix.length !== CAMERA_XYZ_TO_CAM.length ||
      !p.cameraMix.every((w) => w >= 0 && Number.isFinite(w)) ||
      !(p.cameraMix.reduce((s, w) => s + w, 0) > 0))
  )
    throw bad(`camera mix must be ${CAMERA_XYZ_TO_CAM.length} non-negative weights, not all 0`);
  for (const [name, v] of [
    ['red gain', p.redGain],
    ['blue gain', p.blueGain],
    ['brightness', p.brightness],
  ] as const)
    if (!inRange(v, 0.1, 10)) throw bad(`${name} must be in [0.1, 10], got ${v}`);
  if (p.sharpen && !(inRange(p.sharpen.amount, 0, 5) && inRange(p.sharpen.sigma, 0.3, 5)))
    throw bad('sharpening needs amount in [0, 5] and σ in [0.3, 5] pixels');
  if (p.chromaDenoise && !(inRange(p.chromaDenoise.strength, 0, 1) && inRange(p.chromaDenoise.sigma, 0.3, 5)))
    throw bad('chroma denoising needs strength in [0, 1] and σ in [0.3, 5] pixels');
  if (p.jpegQuality != null && !(Number.isInteger(p.jpegQuality) && p.jpegQuality >= 1 && p.jpegQuality <= 100))
    throw bad(`JPEG quality must be an integer in 1–100, got ${p.jpegQuality}`);
}
