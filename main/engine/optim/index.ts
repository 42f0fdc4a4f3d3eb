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
export {
  buildTrainStep,
  buildShardedTrainStep,
  type ShardedTrainStep,
  type TrainStep,
  type TrainStepOptions,
  type SlotDescriptor,
} from './train-step.js';
export { compileShardedStep } from './sharded-step.js';
