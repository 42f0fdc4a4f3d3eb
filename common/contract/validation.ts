// Checking what crosses a door against the contract: one error type that says in words what is
// wrong (for the person, e.g. "The learning rate must be a positive number.") and keeps the
// validator's own account of each field (for the details and the log).
import type { z } from 'zod';
import { AppError } from '../errors.js';

/** A message that does not match the contract. `issues` says which field and why, technically. */
export class ContractError extends AppError {
  constructor(
    message: string,
    readonly issues: string[] = [],
    /** What was being checked ("job request", "request for images:open"), for the details. */
    readonly what = 'message',
  ) {
    super('bad-request', message);
  }

  override get details(): string | undefined {
    return this.issues.length ? `invalid ${this.what}: ${this.issues.join('; ')}` : undefined;
  }
}

/** One line per problem: `params.level: Too small: expected number to be >=0`. */
export function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(message)'}: ${i.message}`);
}

/**
 * What the fields of the contract are called in words. A field not named here is quoted by its
 * key, which is still better than the validator's own text.
 */
const FIELD_WORDS: Record<string, string> = {
  lr: 'the learning rate',
  batch: 'the batch size',
  steps: 'the number of steps',
  epochs: 'the number of epochs',
  seed: 'the seed',
  lambda: 'λ (the penalty weight)',
  beta: 'β (the KL weight)',
  checkpointEvery: '“Checkpoint every”',
  patch: 'the patch size',
  architecture: 'the network design',
  optimizer: 'the optimizer',
  level: 'the noise level',
  gaussianSigma: 'the Gaussian part of the noise',
  strength: 'the strength',
  luminance: 'the luminance control',
  chroma: 'the colour control',
  detail: 'the detail control',
  sigma: 'the noise level',
  quality: 'the quality',
  bitDepth: 'the bit depth',
  format: 'the file format',
  tile: 'the tile size',
  name: 'the name',
  path: 'the path',
  outDir: 'the output folder',
  inputs: 'the list of inputs',
  count: 'the count',
  range: 'the range',
  kind: 'the kind',
};

const capitalised = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** The field an issue is about, in words (array indices are skipped: "every width"). */
function subjectOf(path: readonly PropertyKey[]): string {
  const key = [...path].reverse().find((k) => typeof k === 'string');
  if (key === undefined) return 'the request';
  return FIELD_WORDS[key] ?? `“${key}”`;
}

/** The value at `path` in `root`, or undefined where the path leads nowhere. */
function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v = root;
  for (const k of path) v = v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k] : undefined;
  return v;
}

/**
 * One issue as a sentence for people: which field, and what it must be. `input` is what was
 * checked (the validator does not keep it), to tell a missing field from one of the wrong kind.
 */
export function issueInWords(issue: z.core.$ZodIssue, input?: unknown): string {
  const subject = subjectOf(issue.path);
  const sentence = (predicate: string) => `${capitalised(subject)} ${predicate}.`;
  switch (issue.code) {
    case 'custom':
      // Written by this app's own checks, already in words ("give exactly one of steps and epochs").
      return `${capitalised(issue.message)}.`;
    case 'too_small': {
      const min = Number(issue.minimum);
      if (issue.origin === 'string')
        return sentence(min <= 1 ? 'must not be empty' : `needs at least ${min} characters`);
      if (issue.origin === 'array') return sentence(`needs at least ${min} item${min === 1 ? '' : 's'}`);
      if (min === 0 && !issue.inclusive) return sentence('must be a positive number');
      return sentence(issue.inclusive ? `must be at least ${min}` : `must be more than ${min}`);
    }
    case 'too_big': {
      const max = Number(issue.maximum);
      if (issue.origin === 'string') return sentence(`may have at most ${max} characters`);
      if (issue.origin === 'array') return sentence(`may have at most ${max} items`);
      return sentence(issue.inclusive ? `must be at most ${max}` : `must be less than ${max}`);
    }
    case 'invalid_type':
      if (valueAt(input, issue.path) === undefined)
        return issue.path.length ? sentence('is missing') : 'The request is empty.';
      if (issue.expected === 'int') return sentence('must be a whole number');
      if (issue.expected === 'number') return sentence('must be a number');
      return sentence('is of the wrong kind');
    case 'invalid_value':
      return sentence(`must be one of ${issue.values.map(String).join(', ')}`);
    case 'unrecognized_keys':
      return `${issue.keys.map((k) => `“${k}”`).join(', ')} ${issue.keys.length === 1 ? 'is not a setting' : 'are not settings'} this version of Denoise Lab knows.`;
    case 'invalid_union':
      return sentence('is not one this version of Denoise Lab knows');
    default:
      return sentence('is not valid');
  }
}

/**
 * Validate `value`. A request that does not match says in words what to change; a response that
 * does not match is the app's own fault, and says so.
 */
export function parseWith<S extends z.ZodType>(
  schema: S,
  value: unknown,
  what: string,
  side: 'request' | 'response' = 'request',
): z.output<S> {
  const r = schema.safeParse(value);
  if (!r.success) {
    const words =
      side === 'response'
        ? 'Denoise Lab’s service gave an answer this window does not understand. Reload the page; if it happens again, the details say what was wrong.'
        : [...new Set(r.error.issues.map((i) => issueInWords(i, value)))].join(' ');
    throw new ContractError(words, describeIssues(r.error), what);
  }
  return r.data;
}
