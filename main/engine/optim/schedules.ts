// Learning-rate schedules as plain functions of the step: lr(k) is the rate used by optimizer step
// k + 1, i.e. after k updates (PyTorch: after k calls to scheduler.step()). The trainer evaluates
// it in JS and feeds the value as the training graph's `lr` input.

export type LrSchedule = (updatesDone: number) => number;

export type ScheduleConfig =
  | { kind: 'constant'; lr: number }
  | { kind: 'step'; lr: number; stepSize: number; gamma: number }
  | { kind: 'cosine'; lr: number; totalSteps: number; minLr?: number };

export function constantLr(lr: number): LrSchedule {
  return () => lr;
}

/** StepLR: lr·γ^⌊k / stepSize⌋. */
export function stepLr(lr: number, stepSize: number, gamma: number): LrSchedule {
  if (!(stepSize >= 1)) throw new RangeError(`stepLr: stepSize must be ≥ 1, got ${stepSize}`);
  return (k) => lr * Math.pow(gamma, Math.floor(k / stepSize));
}

/** CosineAnnealingLR (closed form): minLr + (lr − minLr)·(1 + cos(π·k / totalSteps)) / 2, held at minLr after. */
export function cosineLr(lr: number, totalSteps: number, minLr = 0): LrSchedule {
  if (!(totalSteps >= 1)) throw new RangeError(`cosineLr: totalSteps must be ≥ 1, got ${totalSteps}`);
  return (k) => minLr + ((lr - minLr) * (1 + Math.cos((Math.PI * Math.min(k, totalSteps)) / totalSteps))) / 2;
}

export function makeSchedule(config: ScheduleConfig): LrSchedule {
  switch (config.kind) {
    case 'constant':
      return constantLr(config.lr);
    case 'step':
      return stepLr(config.lr, config.stepSize, config.gamma);
    case 'cosine':
      return cosineLr(config.lr, config.totalSteps, config.minLr);
  }
}
