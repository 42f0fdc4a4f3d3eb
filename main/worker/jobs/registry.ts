// The one table of job handlers the worker can run. A kind missing here answers "not available in
// this build yet" with the reason in `pending`.
import type { JobKind } from '../../../common/contract/index.js';
import { addNoise } from './add-noise.js';
import { batchDenoise } from './batch-denoise.js';
import { debug } from './debug.js';
import { denoise } from './denoise.js';
import { estimateNoise } from './estimate-noise.js';
import { evaluate } from './evaluate.js';
import { exportImage } from './export.js';
import { exportOnnx } from './export-onnx.js';
import { featureMaps } from './feature-maps.js';
import { importModel } from './import-model.js';
import { latentDecode } from './latent-decode.js';
import { latentEncode } from './latent-encode.js';
import { latentInterpolate } from './latent-interpolate.js';
import { latentProbe } from './latent-probe.js';
import { latentTraversal } from './latent-traversal.js';
import { openImage } from './open-image.js';
import { saveModel } from './save-model.js';
import { train } from './train.js';
import type { HandlerTable } from './types.js';

export const handlers: HandlerTable = {
  'open-image': openImage,
  'add-noise': addNoise,
  evaluate,
  export: exportImage,
  'import-model': importModel,
  denoise,
  'batch-denoise': batchDenoise,
  'estimate-noise': estimateNoise,
  train,
  'save-model': saveModel,
  'export-onnx': exportOnnx,
  'latent-encode': latentEncode,
  'latent-decode': latentDecode,
  'latent-traversal': latentTraversal,
  'latent-interpolate': latentInterpolate,
  'latent-probe': latentProbe,
  'feature-maps': featureMaps,
  debug,
};

/** Why a kind is not wired yet: the module it needs (empty: every kind of the contract runs). */
export const pending: Partial<Record<JobKind, string>> = {};
