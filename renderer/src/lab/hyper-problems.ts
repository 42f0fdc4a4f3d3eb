// What is wrong with the Lab's training settings, in the same words the service would use
// (common/contract/validation.ts), checked against the contract's own train schema so the form
// and the service cannot disagree: the form refuses a negative learning rate before Start.
import { issueInWords, trainParamsSchema } from '../../../common/contract/index.js';

export interface HyperSettings {
  lr: number | null;
  batch: number | null;
  unit: 'steps' | 'epochs';
  steps: number | null;
  epochs: number | null;
  seed: number | null;
  checkpointEvery: number | null;
}

/** One sentence per bad setting; empty when the run can start. */
export function hyperProblems(h: HyperSettings): string[] {
  const fields = {
    lr: h.lr,
    batch: h.batch,
    ...(h.unit === 'steps' ? { steps: h.steps } : { epochs: h.epochs }),
    seed: h.seed,
    checkpointEvery: h.checkpointEvery,
  };
  const problems: string[] = [];
  for (const [key, value] of Object.entries(fields)) {
    // An emptied number box binds null: the setting is missing (steps and epochs are optional in
    // the contract only because exactly one of them is given).
    if (value === null || value === undefined) {
      problems.push(issueInWords({ code: 'invalid_type', expected: 'number', path: [key], message: '' }, {}));
      continue;
    }
    const r = trainParamsSchema.shape[key as keyof typeof fields].safeParse(value);
    if (!r.success)
      problems.push(...r.error.issues.map((i) => issueInWords({ ...i, path: [key, ...i.path] }, { [key]: value })));
  }
  return problems;
}
