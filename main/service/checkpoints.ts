// Training checkpoints in the user's data folder (`checkpoints/`). Each training job has one
// checkpoint file, `<jobId>.ckpt`, that the trainer rewrites atomically every `checkpointEvery`
// steps (once the next step's loss vouched for it), at a pause, on cancel and at the end, so after
// a crash, a NaN or a blown-up loss the last good state is still there. Beside it the trainer
// keeps the last 3 and the best as `<jobId>.step-<N>.ckpt`, listed in `<jobId>.ckpt.index.json`
// (see ml/train/checkpoint-keeper.ts).
// Beside them, `<jobId>.json` (the "run record") says what the run was: its request, the resolved
// architecture, the data it saw and the metrics at the step of the latest checkpoint.
//
// Checkpoint ids name the files: `<jobId>.step-<N>` is one kept checkpoint (what the list shows,
// every one of every run in the folder, this session's or an earlier one's), and `<jobId>` the
// run's latest (what a train job returns). Nothing else is an id, so no id reaches outside the
// folder.
//
// Listing reads only each checkpoint's JSON header (its step), never the tensors.
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { readCheckpointState } from '../ml/train/checkpoint.js';
import {
  forgetKeptCheckpoint,
  type KeptCheckpoint,
  listKeptCheckpoints,
  stepFileOf,
} from '../ml/train/checkpoint-keeper.js';
import { describeArchitecture, validateArchitecture } from '../../common/model/index.js';
import { writeFileAtomic } from '../files/atomic-write.js';
import { ServiceError, trainParamsSchema, type CheckpointInfo } from '../../common/contract/index.js';
import { dataPaths } from './data-dir.js';

export const runRecordSchema = z.object({
  jobId: z.string(),
  createdAt: z.string(),
  /** The train request as validated (defaults filled in). */
  request: trainParamsSchema,
  /** The architecture the run trained (canonical JSON object). */
  architecture: z.unknown(),
  /** The training data, for model cards ("digits (1,797 × 8×8), train split"). */
  dataDescription: z.string(),
  /** Step the metrics below belong to (they are shown only while it matches the checkpoint). */
  step: z.number().int().nonnegative(),
  metrics: z.record(z.string(), z.number()),
});
export type RunRecord = z.infer<typeof runRecordSchema>;

const ID_PATTERN = /^[\w-]+$/;
const CHECKPOINT_ID = /^([\w-]+)(?:\.step-(\d{1,15}))?$/;

/** A checkpoint id's run and step (null: the run's latest); bad-request for anything else. */
export function parseCheckpointId(checkpointId: string): { run: string; step: number | null } {
  const m = CHECKPOINT_ID.exec(checkpointId);
  if (!m) throw new ServiceError('bad-request', `invalid checkpoint id '${checkpointId}'`);
  return { run: m[1]!, step: m[2] === undefined ? null : Number(m[2]) };
}

/** The checkpoint file an id names, and its run's record. */
export function checkpointFiles(dataDir: string, checkpointId: string): { checkpoint: string; record: string } {
  const { run, step } = parseCheckpointId(checkpointId);
  const dir = dataPaths(dataDir).checkpoints;
  const latest = path.join(dir, `${run}.ckpt`);
  return { checkpoint: step === null ? latest : stepFileOf(latest, step), record: path.join(dir, `${run}.json`) };
}

export async function writeRunRecord(dataDir: string, record: RunRecord): Promise<void> {
  const { record: file } = checkpointFiles(dataDir, record.jobId);
  await writeFileAtomic(file, new TextEncoder().encode(JSON.stringify(record, null, 2) + '\n'), { overwrite: true });
}

export async function readRunRecord(dataDir: string, checkpointId: string): Promise<RunRecord> {
  const { record } = checkpointFiles(dataDir, checkpointId);
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(record, 'utf8'));
  } catch {
    throw new ServiceError('not-found', `no checkpoint with id '${checkpointId}'`);
  }
  const parsed = runRecordSchema.safeParse(raw);
  if (!parsed.success) throw new ServiceError('failed', `the record of checkpoint '${checkpointId}' is damaged`);
  return parsed.data;
}

/** What the browser shows of the run a checkpoint belongs to. */
function runOf(record: RunRecord): CheckpointInfo['run'] {
  let model = 'a model of an unknown architecture';
  try {
    model = describeArchitecture(validateArchitecture(record.architecture, 'run record'));
  } catch {
    // an older or damaged record: the checkpoint is still listed, to be deleted at least
  }
  return { model, data: record.dataDescription, startedAt: record.createdAt, request: record.request };
}

/**
 * One checkpoint as the contract shows it, or null when its file does not exist (yet) or is
 * unreadable. `kept`: an entry of the run's index (the id names its step file); without it, the
 * run's latest checkpoint.
 */
export async function describeCheckpoint(
  dataDir: string,
  record: RunRecord,
  kept?: KeptCheckpoint & { best: boolean },
): Promise<CheckpointInfo | null> {
  const checkpointId = kept ? `${record.jobId}.step-${kept.step}` : record.jobId;
  const { checkpoint } = checkpointFiles(dataDir, checkpointId);
  try {
    const [state, st] = await Promise.all([readCheckpointState(checkpoint), stat(checkpoint)]);
    // The record's metrics belong to the latest checkpoint; an earlier one has the loss it was kept with.
    const metrics = record.step === state.step ? record.metrics : kept && kept.loss !== null ? { loss: kept.loss } : {};
    return {
      checkpointId,
      jobId: record.jobId,
      step: state.step,
      createdAt: st.mtime.toISOString(),
      metrics: finiteOnly(metrics),
      path: checkpoint,
      best: kept?.best ?? false,
      run: runOf(record),
    };
  } catch {
    return null;
  }
}

/** The run records in the data folder, by id (all, or the one asked for). */
async function runIds(dataDir: string, jobId?: string): Promise<string[]> {
  let names: string[];
  try {
    names = (await readdir(dataPaths(dataDir).checkpoints)).filter((f) => f.endsWith('.json'));
  } catch {
    return []; // no folder yet: nothing was trained
  }
  const ids = names.map((f) => f.slice(0, -'.json'.length)).filter((id) => ID_PATTERN.test(id));
  return jobId === undefined ? ids : ids.filter((i) => i === jobId);
}

/**
 * Every kept checkpoint in the data folder (or of one job), newest first: each run's kept ones
 * from its index, or its latest where it has no index.
 */
export async function listCheckpoints(dataDir: string, jobId?: string): Promise<CheckpointInfo[]> {
  const out: CheckpointInfo[] = [];
  for (const id of await runIds(dataDir, jobId)) {
    const record = await readRunRecord(dataDir, id).catch(() => null);
    if (!record) continue;
    const { kept, best } = await listKeptCheckpoints(checkpointFiles(dataDir, id).checkpoint);
    const infos = kept.length
      ? await Promise.all(kept.map((k) => describeCheckpoint(dataDir, record, { ...k, best: k.step === best })))
      : [await describeCheckpoint(dataDir, record)];
    for (const info of infos) if (info) out.push(info);
  }
  return out.sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : b.step - a.step));
}

/**
 * Deletes one checkpoint (`<jobId>.step-<N>`), or a whole run (`<jobId>`: what the list shows for
 * a run without an index). When a run has no checkpoint left its record goes too, and it leaves
 * the list. Answers whether there was such a checkpoint. The caller makes sure the run is not
 * training any more (its keeper would write the index back).
 */
export async function deleteCheckpoint(dataDir: string, checkpointId: string): Promise<boolean> {
  const { run, step } = parseCheckpointId(checkpointId);
  const { checkpoint: latest, record } = checkpointFiles(dataDir, run);
  const exists = (file: string) =>
    stat(file).then(
      () => true,
      () => false,
    );
  let deleted: boolean;
  if (step !== null) deleted = await forgetKeptCheckpoint(latest, step);
  else {
    const { kept } = await listKeptCheckpoints(latest);
    deleted = kept.length > 0 || (await exists(latest));
    for (const k of kept) await forgetKeptCheckpoint(latest, k.step);
    await rm(latest, { force: true });
  }
  if (!(await exists(latest))) await rm(record, { force: true });
  return deleted;
}

export function finiteOnly(metrics: Record<string, number | null | undefined>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(metrics)) if (typeof v === 'number' && Number.isFinite(v)) out[k] = v;
  return out;
}
