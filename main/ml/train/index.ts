// Public surface of training: what the worker (Lab workspace), the CLI and the renderer's latent views call.
export {
  train,
  initialParams,
  stepsPerEpoch,
  TrainDivergedError,
  ResumeMismatchError,
  type TrainOptions,
  type TrainResult,
  type StepReport,
  type Progress,
} from './trainer.js';
export { RunControl, RunCancelled, type RunControlOptions } from './control.js';
export {
  runTrainingSession,
  type SessionOptions,
  type SessionState,
  type SessionProgress,
  type SessionResult,
  type ChartPoint,
} from './session.js';
export {
  type Dataset,
  type PlanarImage,
  type SkippedFile,
  SampleDataset,
  PatchDataset,
  DatasetError,
  DIGITS_FILE,
  loadDigits,
  loadNpyDataset,
  loadImageFolder,
  splitEveryKth,
  withSampleShape,
} from './datasets.js';
export { openDataset, type SourceOptions } from './source.js';
export {
  readCheckpoint,
  readCheckpointState,
  writeCheckpoint,
  encodeCheckpoint,
  decodeCheckpoint,
  CheckpointError,
  type Checkpoint,
  type CheckpointState,
} from './checkpoint.js';
export { evaluateModel, NEAR_ZERO, type Evaluation, type EvaluateOptions } from './evaluate.js';
export {
  type ModelWeights,
  runOnce,
  encode,
  decode,
  encodeDataset,
  latentTraversal,
  featureMaps,
  type TraversalOptions,
} from '../analysis/latent.js';
export { encoderClassification, type ClassificationReport, type HeadResult } from '../analysis/classify.js';
export {
  exportOnnx,
  importEngineModel,
  modelCard,
  META_ARCHITECTURE,
  META_MODEL_CARD,
  type EmbeddedCard,
} from '../model-file.js';
export { type Pca, fitPca, pcaProject, pcaUnproject } from '../analysis/pca.js';
export { dataParallel } from './parallel.js';
