// Public surface of the model builders.
export * from './architecture.js';
export {
  type Layer,
  type DenseLayer,
  type ConvLayer,
  type ParamSpec,
  countParams,
  initParams,
  layerParams,
} from './layers.js';
export { type Plan, planOf, planLayers, paramSpecs, parameterCount } from './plan.js';
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
export { PRESET_NAMES, preset } from './presets.js';
export { parseDenseSpec, resolveArchSpec } from './spec.js';
export { type TrainingModel, TARGET, buildTrainingModel } from './objective.js';
