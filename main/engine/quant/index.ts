// Post-training int8 quantisation: the scheme (scale, zero point, rounding), the QDQ rewrite of a
// float inference graph, and the activation ranges calibration gathers.
export {
  activationParams,
  intRange,
  quantizeNumber,
  roundHalfEven,
  weightParams,
  WEIGHT_LEVELS,
  type Range,
} from './scheme.js';
export { quantizationPoints, quantizeGraph, type QdqOptions } from './qdq.js';
export { RangeObserver, type RangeMethod } from './ranges.js';
