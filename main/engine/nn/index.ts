// Public surface of the model builders: an architecture (common/model/) made into graphs.
export { initParams } from './layers.js';
export {
  IO,
  type SampleShape,
  type GraphOptions,
  type ForwardGraph,
  type ModelSummary,
  buildForward,
  buildInference,
  buildEncoder,
  buildDecoder,
  defaultSampleShape,
  checkSampleShape,
  latentShape,
  sizeMultiple,
  summarize,
} from './build.js';
export { type TrainingModel, TARGET, buildTrainingModel } from './objective.js';
