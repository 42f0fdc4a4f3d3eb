// The camera-pipeline noise simulator in one place (see pipeline.ts for the model).
export {
  simulateCameraNoise,
  compressJpeg,
  unprocess,
  addSensorNoise,
  processRaw,
  noiseMap,
  levelMap,
  type CameraNoiseResult,
  type CameraNoiseOptions,
  type Unprocessed,
} from './pipeline.js';
export {
  resolveCameraParams,
  sampleCameraParams,
  validateCameraParams,
  CAMERA_NOISE_LEVELS,
  SHOT_BANDS,
  type CameraNoiseParams,
  type CameraNoiseLevel,
  type CameraPipeline,
} from './params.js';
export { CFA_PATTERNS, DEMOSAIC_METHODS, type CfaPattern, type DemosaicMethod } from './bayer.js';
export type { Sharpening, ChromaDenoise } from './filters.js';
