// Public surface of autodiff.
export { backward, type BackwardOptions } from './backward.js';
export { gradRules, NO_GRADIENT, type GradRule, type GradRules, type GradContext } from './rules.js';
export { unbroadcast, sliceAdjoint } from './adjoints.js';
