// Training metrics as chart series. A training job reports chart points (contract: HistoryPoint):
// the loss terms of a step, a validation pass, a speed reading, each once at the step it belongs
// to. This module sorts the metric names into the three Lab charts and keeps one row per step,
// with null where a metric was not measured at that step: nothing is carried forward, so a
// validation value appears only at the step it was measured. Memory stays bounded on long runs by
// thinning evenly over the run, always keeping the newest row.
import type { HistoryPoint } from '../api/index.js';
import { halveKeepingLast } from '../../../common/run-history.js';

export type ChartGroup = 'loss' | 'quality' | 'throughput';

/**
 * Which chart a metric belongs to, from its name: PSNR/SSIM of the validation set, speed, or a
 * loss term (everything loss-like: loss, loss/<term>, kl, sparsity, contractive, recon…).
 * Bookkeeping values (step, epoch, lr, eta, elapsed) are not charted.
 */
export function groupOf(name: string): ChartGroup | null {
  const n = name.toLowerCase();
  if (/(^|[/_.])(step|steps|epoch|epochs|lr|eta|elapsed|elapsedms|etams|paused|total)$/.test(n)) return null;
  if (/psnr|ssim/.test(n)) return 'quality';
  if (/per_?s(ec(ond)?)?$|persecond|throughput|samples_s|steps_s/.test(n)) return 'throughput';
  return 'loss';
}

export interface SeriesTable {
  /** x values: the training step of each row. */
  steps: number[];
  /** name → values aligned with steps (null where the metric was not reported). */
  columns: Map<string, (number | null)[]>;
}

export function emptyTable(): SeriesTable {
  return { steps: [], columns: new Map() };
}

/** Rows kept before the table is thinned. */
export const MAX_ROWS = 4000;

/**
 * Adds one report at its step. Rows stay in step order; a step already in the table gets the new
 * values merged in (the same point received twice, from the history and from an event, is drawn
 * once).
 */
export function addRow(table: SeriesTable, step: number, metrics: Record<string, number>, maxRows = MAX_ROWS): void {
  const row = rowAt(table, step);
  for (const [name, value] of Object.entries(metrics)) {
    if (!Number.isFinite(value)) continue;
    let col = table.columns.get(name);
    if (!col) {
      col = new Array<number | null>(table.steps.length).fill(null);
      table.columns.set(name, col);
    }
    col[row] = value;
  }
  if (table.steps.length > maxRows) thin(table);
}

/** Adds a job's chart points (from `jobs:history` or its events), each at its own step. */
export function addPoints(table: SeriesTable, points: readonly HistoryPoint[], maxRows = MAX_ROWS): void {
  for (const p of points) addRow(table, p.step, p.values, maxRows);
}

/** The row of `step`, inserted in order if new (almost always at the end). */
function rowAt(table: SeriesTable, step: number): number {
  let i = table.steps.length;
  while (i > 0 && table.steps[i - 1]! > step) i--;
  if (i > 0 && table.steps[i - 1] === step) return i - 1;
  table.steps.splice(i, 0, step);
  for (const col of table.columns.values()) col.splice(i, 0, null);
  return i;
}

/** Drops every other row counted back from the newest, so the run stays evenly covered. */
function thin(table: SeriesTable): void {
  table.steps = halveKeepingLast(table.steps);
  for (const [name, col] of table.columns) table.columns.set(name, halveKeepingLast(col));
}

/** How many points a chart of these columns draws: the rows where any of them has a value. */
export function pointCount(table: SeriesTable, names: readonly string[]): number {
  const cols = names.map((n) => table.columns.get(n)).filter((c) => c !== undefined);
  let count = 0;
  for (let i = 0; i < table.steps.length; i++) if (cols.some((c) => c[i] !== null)) count++;
  return count;
}

/** The columns of one chart, in a stable order (by name, 'loss' first). */
export function columnsOf(table: SeriesTable, group: ChartGroup): string[] {
  return [...table.columns.keys()]
    .filter((n) => groupOf(n) === group)
    .sort((a, b) => (a === 'loss' ? -1 : b === 'loss' ? 1 : a < b ? -1 : a > b ? 1 : 0));
}

const compact = new Intl.NumberFormat('en', { notation: 'compact', maximumFractionDigits: 1 });
const plain = new Intl.NumberFormat('en', { maximumSignificantDigits: 4 });

/** A chart's tick label: short enough to fit its axis (120K, not a clipped "00,000"). */
export function tickLabel(v: number): string {
  const a = Math.abs(v);
  if (a >= 10_000) return compact.format(v);
  if (a !== 0 && a < 0.001) return v.toExponential(1);
  return plain.format(v);
}
