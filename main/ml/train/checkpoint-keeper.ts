// The checkpoints of one run: the latest good one under the name the user gave (what --resume and
// the service read), and beside it the last K (default 3) and the best one, each under its step
// (`run.ckpt` → `run.step-200.ckpt`), listed with step and loss in `run.ckpt.index.json`. A step
// file is a hard link to the checkpoint it was written as (no extra bytes on disk), or a copy
// where the filesystem has no hard links.
//
// Why more than one file: a run can go bad in ways one file cannot survive. The trainer writes a
// checkpoint only after the next step's loss vouched for it (see trainer.ts), but a slow drift is
// not a blow-up, and "the best so far" is what a user wants back after a long run got worse.
//
// The loss kept with each checkpoint is the median of the run's recent step losses when it was
// written: per-batch losses are too noisy to rank checkpoints by.

import { link, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../../files/atomic-write.js';
import { type Checkpoint, encodeCheckpoint, readCheckpointState } from './checkpoint.js';

export interface KeptCheckpoint {
  step: number;
  /** Median of the recent step losses when it was written; null when no step had run. */
  loss: number | null;
  /** Where it is: the step file (the latest is also under the run's checkpoint name). */
  file: string;
}

interface IndexEntry {
  step: number;
  loss: number | null;
  /** Base name of the step file, in the checkpoint's folder. */
  file: string;
}

interface CheckpointIndex {
  format: typeof INDEX_FORMAT;
  version: 1;
  /** Base name of the run's checkpoint file (always the latest entry). */
  latest: string;
  best: number | null;
  checkpoints: IndexEntry[];
}

const INDEX_FORMAT = 'denoise-lab.checkpoint-index';

export const DEFAULT_KEEP = 3;

export function indexFileOf(file: string): string {
  return `${file}.index.json`;
}

/** `run.ckpt`, step 200 → `run.step-200.ckpt` (the extension stays last, so file types still work). */
export function stepFileOf(file: string, step: number): string {
  const ext = path.extname(file);
  return `${file.slice(0, file.length - ext.length)}.step-${step}${ext}`;
}

async function readIndex(file: string): Promise<CheckpointIndex | null> {
  try {
    const raw = JSON.parse(await readFile(indexFileOf(file), 'utf8')) as Partial<CheckpointIndex>;
    if (raw.format !== INDEX_FORMAT || !Array.isArray(raw.checkpoints)) return null;
    return raw as CheckpointIndex;
  } catch {
    return null; // none yet, or not ours: start a new one
  }
}

/** The run's checkpoints from its index, oldest first, with the best one's step. */
export async function listKeptCheckpoints(file: string): Promise<{ kept: KeptCheckpoint[]; best: number | null }> {
  const index = await readIndex(file);
  const dir = path.dirname(file);
  return {
    kept: (index?.checkpoints ?? []).map((e) => ({ step: e.step, loss: e.loss, file: path.join(dir, e.file) })),
    best: index?.best ?? null,
  };
}

function bestOf(entries: readonly IndexEntry[]): IndexEntry | null {
  let best: IndexEntry | null = null;
  for (const e of entries) if (e.loss !== null && (best === null || e.loss < best.loss!)) best = e;
  return best;
}

async function writeIndex(file: string, entries: IndexEntry[]): Promise<void> {
  const index: CheckpointIndex = {
    format: INDEX_FORMAT,
    version: 1,
    latest: path.basename(file),
    best: bestOf(entries)?.step ?? null,
    checkpoints: entries,
  };
  await writeFileAtomic(indexFileOf(file), Buffer.from(JSON.stringify(index, null, 2) + '\n'), { overwrite: true });
}

/**
 * Deletes one kept checkpoint of a run (the user's choice): its step file and its index entry.
 * The run's own file stays the latest kept one: when the deleted one was the latest, the file
 * becomes the newest that remains; when none remains, it goes with the index. Answers whether
 * there was such a checkpoint. Not for a run still training: its keeper would write the entry back.
 */
export async function forgetKeptCheckpoint(file: string, step: number): Promise<boolean> {
  const entries = (await readIndex(file))?.checkpoints ?? [];
  const stepFile = stepFileOf(file, step);
  const listed = entries.some((e) => e.step === step);
  const onDisk = await stat(stepFile).then(
    () => true,
    () => false,
  );
  if (!listed && !onDisk) return false;
  const rest = entries.filter((e) => e.step !== step);
  const latestStep = await readCheckpointState(file).then(
    (s) => s.step,
    () => null,
  );
  await rm(stepFile, { force: true });
  const newest = rest.at(-1);
  if (latestStep === step || !newest) await rm(file, { force: true });
  if (!newest) {
    await rm(indexFileOf(file), { force: true });
    return true;
  }
  if (latestStep === step) {
    const newestFile = path.join(path.dirname(file), newest.file);
    await link(newestFile, file).catch(async () =>
      writeFileAtomic(file, await readFile(newestFile), { overwrite: true }),
    );
  }
  await writeIndex(file, rest);
  return true;
}

export class CheckpointKeeper {
  private entries: IndexEntry[];
  private fresh: boolean;

  private constructor(
    readonly file: string,
    private readonly keep: number,
    private readonly previous: IndexEntry[],
    fresh: boolean,
  ) {
    this.fresh = fresh;
    this.entries = fresh ? [] : [...previous];
  }

  /**
   * `fresh`: a new run into this file replaces its history, as it replaces the file: the old step
   * files go when it writes its first checkpoint (not before: a run that fails early loses nothing).
   * A resumed run continues the history.
   */
  static async open(file: string, { keep = DEFAULT_KEEP, fresh }: { keep?: number; fresh: boolean }) {
    if (!Number.isInteger(keep) || keep < 1) throw new RangeError(`keep must be a positive integer, got ${keep}`);
    const index = await readIndex(file);
    return new CheckpointKeeper(file, keep, index?.checkpoints ?? [], fresh);
  }

  async save(ck: Checkpoint, loss: number | null): Promise<KeptCheckpoint> {
    const bytes = encodeCheckpoint(ck);
    await writeFileAtomic(this.file, bytes, { overwrite: true });
    const step = ck.state.step;
    const stepFile = stepFileOf(this.file, step);
    await rm(stepFile, { force: true });
    await link(this.file, stepFile).catch(() => writeFileAtomic(stepFile, bytes, { overwrite: true }));

    if (this.fresh) {
      this.fresh = false;
      await this.remove(this.previous.filter((e) => e.file !== path.basename(stepFile)));
    }
    const entry: IndexEntry = { step, loss, file: path.basename(stepFile) };
    this.entries = [...this.entries.filter((e) => e.step !== step), entry].sort((a, b) => a.step - b.step);

    const best = this.bestEntry();
    const kept = new Set([...this.entries.slice(-this.keep), ...(best ? [best] : [])]);
    await this.remove(this.entries.filter((e) => !kept.has(e)));
    this.entries = this.entries.filter((e) => kept.has(e));
    await writeIndex(this.file, this.entries);
    return this.toKept(entry);
  }

  private bestEntry(): IndexEntry | null {
    return bestOf(this.entries);
  }

  /** Removes step files; only names this keeper makes, in the checkpoint's folder. */
  private async remove(entries: IndexEntry[]): Promise<void> {
    const dir = path.dirname(this.file);
    for (const e of entries) {
      if (path.basename(e.file) !== e.file || e.file !== path.basename(stepFileOf(this.file, e.step))) continue;
      await rm(path.join(dir, e.file), { force: true });
    }
  }

  private toKept(e: IndexEntry): KeptCheckpoint {
    return { step: e.step, loss: e.loss, file: path.join(path.dirname(this.file), e.file) };
  }
}
