// The model spec, shared by every process (the renderer's architecture designer included): what an
// architecture file says, its layer plan and parameter count, and the named presets.
export * from './architecture.js';
export {
  type Layer,
  type DenseLayer,
  type ConvLayer,
  type ParamSpec,
  type InitScheme,
  countParams,
  layerParams,
  weightName,
  biasName,
} from './layers.js';
export {
  type Plan,
  type AutoencoderPlan,
  type ResidualPlan,
  planOf,
  planLayers,
  paramSpecs,
  parameterCount,
} from './plan.js';
export { PRESET_NAMES, preset } from './presets.js';
export { describeArchitecture } from './describe.js';
export { INT8_SUFFIX, int8TwinName, isInt8Twin, floatOriginalName } from './int8-twin.js';
