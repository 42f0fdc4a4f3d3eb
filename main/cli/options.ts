// Reading command-line option values that every command shares: numbers checked against a range,
// the decoding pixel limit, and imaging's bad-option errors turned into usage errors. parseArgs
// hands every `{ type: 'string' }` option over as text; `numberOption` turns it into a number
// inside the option's declared range, or a UsageError (exit 2) that names the option, the range
// and what was typed, before any work starts.
import { UsageError } from './command.js';
import { DEFAULT_PIXEL_LIMIT } from '../imaging/codec.js';
import { ImagingError } from '../../common/errors.js';
import { sameFile } from '../files/same-file.js';

/** The values a numeric option accepts: [min, max], or (min, max] with `aboveMin`. */
export interface NumberRange {
  min: number;
  max: number;
  integer?: boolean;
  /** The minimum itself is refused (a learning rate must be above 0, not 0). */
  aboveMin?: boolean;
}

/** Ranges shared by several commands. */
export const RANGES = {
  /** More threads than cores only slows things down; 100,000 made onnxruntime hang at 4.6 GB. */
  threads: { min: 1, max: 64, integer: true },
  /** Any 32-bit seed; larger ones would alias. */
  seed: { min: 0, max: 2 ** 32 - 1, integer: true },
  /** 1 kilopixel to 10 gigapixels. */
  megapixels: { min: 0.001, max: 10_000 },
} as const satisfies Record<string, NumberRange>;

/** "an integer from 1 to 64", "a number above 0 and at most 1000". */
function describeRange({ min, max, integer, aboveMin }: NumberRange): string {
  const kind = integer ? 'an integer' : 'a number';
  return aboveMin ? `${kind} above ${min} and at most ${max}` : `${kind} from ${min} to ${max}`;
}

/** Whether `v` lies in `range`. */
export function inRange(v: number, { min, max, integer, aboveMin }: NumberRange): boolean {
  return Number.isFinite(v) && (aboveMin ? v > min : v >= min) && v <= max && (!integer || Number.isInteger(v));
}

/** The message for a value outside its range: "--threads must be an integer from 1 to 64 (got 100000)." */
export function rangeMessage(option: string, range: NumberRange, given: string): string {
  return `${option} must be ${describeRange(range)} (got ${given}).`;
}

/**
 * A numeric option: undefined when absent, else the number when it is in `range`, else a
 * UsageError. Blank text is refused although Number('') is 0; hexadecimal and the like are read
 * as JavaScript reads numbers.
 */
export function numberOption(values: Record<string, unknown>, name: string, range: NumberRange): number | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const text = String(raw);
  const v = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
  if (!inRange(v, range)) throw new UsageError(rangeMessage(`--${name}`, range, text));
  return v;
}

/** `--max-megapixels N` → decoding pixel limit (default 200 MP). */
export function pixelLimitOption(values: Record<string, unknown>): number {
  const mp = numberOption(values, 'max-megapixels', RANGES.megapixels);
  return mp === undefined ? DEFAULT_PIXEL_LIMIT : Math.round(mp * 1e6);
}

/**
 * Lets a negative number follow an option that takes a value: parseArgs reads `--sigma -5` as an
 * ambiguous option ("did you forget the value?") and only `--sigma=-5` as a value. Joining the two
 * ahead of parsing gives both spellings the same meaning, so that -5 reaches the range check.
 */
export function joinNegativeValues(args: readonly string[], takesValue: (option: string) => boolean): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') return [...out, ...args.slice(i)]; // the rest are positionals, as typed
    const next = args[i + 1];
    if (a.startsWith('--') && !a.includes('=') && takesValue(a.slice(2)) && next !== undefined && NEGATIVE.test(next)) {
      out.push(`${a}=${next}`);
      i++;
    } else out.push(a);
  }
  return out;
}

/** -5, -0.5, -.5, -1e9, -Infinity, and comma lists starting with one (--level -3,5). */
const NEGATIVE = /^-(\d|\.\d|Infinity)/;

/** The usage error for a result that would be written over its own input. */
export async function refuseOutputOverInput(input: string, output: string): Promise<void> {
  if (await sameFile(input, output))
    throw new UsageError(`${output}: the output would replace the input; write the result to another file or folder`);
}

/** Bad options found deep in imaging are user mistakes (exit 2), not failures. */
export function asUsageError(e: unknown): unknown {
  return e instanceof ImagingError && e.code === 'bad-option' ? new UsageError(e.message) : e;
}
