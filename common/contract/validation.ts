// Checking what crosses a door against the contract: one error type naming the bad fields.
import type { z } from 'zod';
import { AppError } from '../errors.js';

/** A message that does not match the contract. `issues` says which field and why. */
export class ContractError extends AppError {
  constructor(
    message: string,
    readonly issues: string[] = [],
  ) {
    super('bad-request', message);
  }
}

/** One line per problem: `params.level: Too small: expected number to be >=0`. */
export function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(message)'}: ${i.message}`);
}

export function parseWith<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const r = schema.safeParse(value);
  if (!r.success) {
    const issues = describeIssues(r.error);
    throw new ContractError(`invalid ${what}: ${issues.join('; ')}`, issues);
  }
  return r.data;
}
