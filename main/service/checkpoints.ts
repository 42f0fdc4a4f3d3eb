// Training checkpoints in the user's data folder (`checkpoints/`). Each training job has one
// checkpoint file, `<jobId>.ckpt`, that the trainer rewrites atomically every `checkpointEvery`
// steps (once the next step's loss vouched for it), on cancel and at the end, so after a crash, a
// NaN or a blown-up loss the last good state is still there. Beside it the trainer keeps the last
// 3 and the best as `<jobId>.step-<N>.ckpt`, listed in `<jobId>.ckpt.index.json` (see
// engine/train/checkpoint-keeper.ts); this listing shows the latest one per job.
// Beside it, `<jobId>.json` (the "run record") says what the run was: its request, the resolved
// architecture, the data it saw and the metrics at the step of the latest checkpoint. The
// checkpoint id is the job id.
//
// Listing reads only each checkpoint's JSON header (its step), never the tensors.
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { readCheckpointState } from '../ml/train/checkpoint.js';
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

export function checkpointFiles(dataDir: string, checkpointId: string): { checkpoint: string; record: string } {
  if (!ID_PATTERN.test(checkpointId)) throw new ServiceError('bad-request', `invalid checkpoint id '${checkpointId}'`);
  const dir = dataPaths(dataDir).checkpoints;
  return { checkpoint: path.join(dir, `${checkpointId}.ckpt`), record: path.join(dir, `${checkpointId}.json`) };
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

/** One checkpoint as the contract shows it, or null when its file does not exist (yet) or is unreadable. */
export async function describeCheckpoint(dataDir: string, record: RunRecord): Promise<CheckpointInfo | null> {
  const { checkpoint } = checkpointFiles(dataDir, record.jobId);
  try {
    const [state, st] = await Promise.all([readCheckpointState(checkpoint), stat(checkpoint)]);
    return {
      checkpointId: record.jobId,
      jobId: record.jobId,
      step: state.step,
      createdAt: st.mtime.toISOString(),
      metrics: record.step === state.step ? finiteOnly(record.metrics) : {},
      path: checkpoint,
    };
  } catch {
    return null;
  }
}

/** Every checkpoint in the data folder (or one job's), newest first. */
export async function listCheckpoints(dataDir: string, jobId?: string): Promise<CheckpointInfo[]> {
  const dir = dataPaths(dataDir).checkpoints;
  let names: string[];
  try {
    names = (await readdir(dir)).filter((f) => f.endsWith('.json'));
  } catch {
    return []; // no folder yet: nothing was trained
  }
  const ids = names.map((f) => f.slice(0, -'.json'.length)).filter((id) => ID_PATTERN.test(id));
  const out: CheckpointInfo[] = [];
  for (const id of jobId === undefined ? ids : ids.filter((i) => i === jobId)) {
    const record = await readRunRecord(dataDir, id).catch(() => null);
    const info = record && (await describeCheckpoint(dataDir, record));
    if (info) out.push(info);
  }
  return out.sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
}

export function finiteOnly(metrics: Record<string, number | null | undefined>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(metrics)) if (typeof v === 'number' && Number.isFinite(v)) out[k] = v;
  return out;
}
