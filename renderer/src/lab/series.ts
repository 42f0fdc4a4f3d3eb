// Training metrics as chart series. Job events carry a flat `metrics` record (name → number) at
// each progress report; this module sorts the names into the three Lab charts and accumulates one
// row per reported step, keeping memory bounded on long runs by thinning old points.

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

/** Adds one report (a repeated step replaces the last row: heartbeats repeat the last metrics). */
export function addRow(table: SeriesTable, step: number, metrics: Record<string, number>, maxRows = 2000): void {
  const last = table.steps.length - 1;
  const replace = last >= 0 && table.steps[last] === step;
  if (!replace) {
    table.steps.push(step);
    for (const col of table.columns.values()) col.push(null);
  }
  const row = table.steps.length - 1;
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

/** Halves the older half of the rows (every other one), so recent detail is kept. */
function thin(table: SeriesTable): void {
  const half = Math.floor(table.steps.length / 2);
  const keep = (_: unknown, i: number) => i >= half || i % 2 === 0;
  table.steps = table.steps.filter(keep);
  for (const [name, col] of table.columns) table.columns.set(name, col.filter(keep));
}

/** The columns of one chart, in a stable order (by name, 'loss' first). */
export function columnsOf(table: SeriesTable, group: ChartGroup): string[] {
  return [...table.columns.keys()]
    .filter((n) => groupOf(n) === group)
    .sort((a, b) => (a === 'loss' ? -1 : b === 'loss' ? 1 : a < b ? -1 : a > b ? 1 : 0));
}
