// Reading command-line option values that every command shares: numbers checked against a rule,
// the decoding pixel limit, and imaging's bad-option errors turned into usage errors. parseArgs
// hands every `{ type: 'string' }` option over as text; these helpers turn it into a checked value
// or a UsageError whose message names the option and echoes what was typed.
import { UsageError } from './command.js';
import { DEFAULT_PIXEL_LIMIT } from '../imaging/codec.js';
import { ImagingError } from '../imaging/errors.js';

/**
 * A numeric option: undefined when absent, the number when it is finite and `accept`s it, else a
 * UsageError "--<name> must be <what>, got '<text>'". Blank text is refused although
 * Number('') is 0.
 */
export function checkedNumberOption(
  values: Record<string, unknown>,
  name: string,
  accept: (n: number) => boolean,
  what: string,
): number | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const v = Number(raw);
  if (typeof raw !== 'string' || raw.trim() === '' || !Number.isFinite(v) || !accept(v))
    throw new UsageError(`--${name} must be ${what}, got '${String(raw)}'`);
  return v;
}

/** A numeric option with a lower bound, optionally whole: "--tile must be a whole number ≥ 8". */
export function numberOption(
  values: Record<string, unknown>,
  name: string,
  { min = -Infinity, integer = false }: { min?: number; integer?: boolean } = {},
): number | undefined {
  return checkedNumberOption(
    values,
    name,
    (v) => v >= min && (!integer || Number.isInteger(v)),
    `${integer ? 'a whole number' : 'a number'}${min > -Infinity ? ` ≥ ${min}` : ''}`,
  );
}

/** `--max-megapixels N` → decoding pixel limit (default 200 MP). */
export function pixelLimitOption(values: Record<string, unknown>): number {
  const mp = numberOption(values, 'max-megapixels', { min: 0.000001 });
  return mp === undefined ? DEFAULT_PIXEL_LIMIT : Math.round(mp * 1e6);
}

/** Bad options found deep in imaging are user mistakes (exit 2), not failures. */
export function asUsageError(e: unknown): unknown {
  return e instanceof ImagingError && e.code === 'bad-option' ? new UsageError(e.message) : e;
}
