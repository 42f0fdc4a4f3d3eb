// Public surface of optimizers, schedules and the training-step builder.
export {
  applyUpdate,
  clipGradNorm,
  optimizerSlots,
  type OptimizerConfig,
  type SgdConfig,
  type AdamConfig,
  type UpdateInputs,
  type UpdateOutputs,
} from './optimizers.js';
export { constantLr, stepLr, cosineLr, makeSchedule, type LrSchedule, type ScheduleConfig } from './schedules.js';
export { buildTrainStep, type TrainStep, type TrainStepOptions, type SlotDescriptor } from './train-step.js';
