// Checkpoints: everything needed to continue a training run exactly where it stopped, in ONE file
// written atomically (temporary file + rename), so a crash mid-write never leaves a torn
// checkpoint and the previous good one stays in place.
//
// Layout (little-endian):
//   8 bytes   magic "DLCKPT\0\1"
//   4 bytes   uint32 length L of the JSON header
//   L bytes   UTF-8 JSON: { format, version, state: <TrainState JSON>, tensors: [{name, dtype, shape, offset}] }
//   padding to a multiple of 8, then each tensor's raw bytes at its offset (relative to the data start)
// Tensors are stored bit for bit (float32 stays float32), which is what makes resume exact.

import { open, readFile, stat } from 'node:fs/promises';
import type { RngState } from '../../../common/rng.js';
import { writeFileAtomic } from '../../files/atomic-write.js';
import { Tensor } from '../../engine/ir/tensor.js';

const MAGIC = Buffer.from([0x44, 0x4c, 0x43, 0x4b, 0x50, 0x54, 0x00, 0x01]); // "DLCKPT\0\1"
export const CHECKPOINT_FORMAT = 'denoise-lab.checkpoint';
export const CHECKPOINT_VERSION = 1;
/** Header JSON larger than this is not ours (the header holds no tensor data). */
const MAX_HEADER = 64 << 20;

export class CheckpointError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CheckpointError';
  }
}

/** The JSON part of a checkpoint: where the run is and how it was configured. */
export interface CheckpointState {
  /** Canonical architecture JSON (see nn/architecture.ts). */
  architecture: unknown;
  /** Optimizer steps completed. */
  step: number;
  /** Epochs completed, and the position inside the current epoch's order. */
  epoch: number;
  cursor: number;
  rng: { words: RngState; spare: number | null };
  /** Trainer configuration the run must keep (optimizer, batch, noise…), for checking on resume. */
  config: Record<string, unknown>;
  /** Best validation score so far and steps since it improved (early stopping). */
  best?: { score: number; step: number } | null;
  /** The last step losses (oldest first), so a resumed run can tell a blow-up from step one. */
  recentLosses?: number[];
}

export interface Checkpoint {
  state: CheckpointState;
  /** Parameters by name, optimizer slots as `<slot>/<param>` (e.g. `m/conv0.weight`). */
  tensors: Map<string, Tensor>;
  /** The current epoch's sample order. */
  order: Int32Array;
}

type StoredDType = 'float32' | 'float64' | 'int32';

interface TensorEntry {
  name: string;
  dtype: StoredDType;
  shape: number[];
  offset: number;
}

function bytesOf(data: Float32Array | Float64Array | Int32Array): Buffer {
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

export function encodeCheckpoint(ck: Checkpoint): Buffer {
  const entries: TensorEntry[] = [];
  const blobs: Buffer[] = [];
  let offset = 0;
  const add = (name: string, dtype: StoredDType, shape: number[], data: Float32Array | Float64Array | Int32Array) => {
    entries.push({ name, dtype, shape, offset });
    const b = bytesOf(data);
    const padded = Math.ceil(b.length / 8) * 8;
    blobs.push(b, Buffer.alloc(padded - b.length));
    offset += padded;
  };
  for (const [name, t] of ck.tensors) {
    if (t.dtype !== 'float32' && t.dtype !== 'float64')
      throw new CheckpointError(`checkpoint: tensor '${name}' has dtype ${t.dtype}`);
    add(name, t.dtype, [...t.shape], t.data as Float32Array | Float64Array);
  }
  add('__order', 'int32', [ck.order.length], ck.order);
  const header = Buffer.from(
    JSON.stringify({ format: CHECKPOINT_FORMAT, version: CHECKPOINT_VERSION, state: ck.state, tensors: entries }),
    'utf8',
  );
  const lead = 12 + header.length;
  const pad = Buffer.alloc(Math.ceil(lead / 8) * 8 - lead);
  const len = Buffer.alloc(4);
  len.writeUInt32LE(header.length, 0);
  return Buffer.concat([MAGIC, len, header, pad, ...blobs]);
}

export function decodeCheckpoint(bytes: Uint8Array, source = 'checkpoint'): Checkpoint {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length < 12 || !buf.subarray(0, 8).equals(MAGIC))
    throw new CheckpointError(`${source}: not a Denoise Lab checkpoint`);
  const hlen = buf.readUInt32LE(8);
  if (hlen > MAX_HEADER || 12 + hlen > buf.length) throw new CheckpointError(`${source}: truncated checkpoint header`);
  let header: { format?: unknown; version?: unknown; state?: CheckpointState; tensors?: TensorEntry[] };
  try {
    header = JSON.parse(buf.subarray(12, 12 + hlen).toString('utf8')) as typeof header;
  } catch {
    throw new CheckpointError(`${source}: corrupt checkpoint header`);
  }
  if (header.format !== CHECKPOINT_FORMAT) throw new CheckpointError(`${source}: not a Denoise Lab checkpoint`);
  if (header.version !== CHECKPOINT_VERSION)
    throw new CheckpointError(`${source}: checkpoint version ${String(header.version)} is not supported`);
  if (!header.state || !Array.isArray(header.tensors))
    throw new CheckpointError(`${source}: checkpoint header lacks state or tensors`);
  const start = Math.ceil((12 + hlen) / 8) * 8;
  const tensors = new Map<string, Tensor>();
  let order: Int32Array | undefined;
  for (const e of header.tensors) {
    const width = e.dtype === 'float64' ? 8 : 4;
    if (
      !Array.isArray(e.shape) ||
      e.shape.some((d) => !Number.isInteger(d) || d < 0) ||
      !Number.isInteger(e.offset) ||
      e.offset < 0
    )
      throw new CheckpointError(`${source}: bad entry for tensor '${e.name}'`);
    const count = e.shape.reduce((a, b) => a * b, 1);
    const from = start + e.offset;
    if (from + count * width > buf.length)
      throw new CheckpointError(`${source}: truncated (tensor '${e.name}' runs past the end)`);
    // Copy into fresh, aligned storage (the file buffer's offsets need not be aligned).
    const raw = new Uint8Array(buf.subarray(from, from + count * width));
    if (e.dtype === 'int32') {
      if (e.name === '__order') order = new Int32Array(raw.buffer);
      continue;
    }
    if (e.dtype !== 'float32' && e.dtype !== 'float64')
      throw new CheckpointError(`${source}: tensor '${e.name}' has unsupported dtype ${String(e.dtype)}`);
    tensors.set(
      e.name,
      new Tensor(e.dtype, e.shape, e.dtype === 'float32' ? new Float32Array(raw.buffer) : new Float64Array(raw.buffer)),
    );
  }
  if (!order) throw new CheckpointError(`${source}: checkpoint lacks the sample order`);
  return { state: header.state, tensors, order };
}

/** Writes the checkpoint atomically, replacing an older one. */
export async function writeCheckpoint(file: string, ck: Checkpoint): Promise<void> {
  await writeFileAtomic(file, encodeCheckpoint(ck), { overwrite: true });
}

export async function readCheckpoint(file: string): Promise<Checkpoint> {
  const st = await stat(file).catch(() => undefined);
  if (!st) throw new CheckpointError(`${file}: no such checkpoint`);
  if (!st.isFile()) throw new CheckpointError(`${file}: not a file`);
  if (st.size === 0) throw new CheckpointError(`${file}: empty file, not a checkpoint`);
  return decodeCheckpoint(await readFile(file), file);
}

/**
 * Only the JSON state of a checkpoint file (step, architecture, configuration), read without
 * loading its tensors: for listing checkpoints.
 */
export async function readCheckpointState(file: string): Promise<CheckpointState> {
  const fh = await open(file, 'r').catch(() => {
    throw new CheckpointError(`${file}: no such checkpoint`);
  });
  try {
    const lead = Buffer.alloc(12);
    const { bytesRead } = await fh.read(lead, 0, 12, 0);
    if (bytesRead < 12 || !lead.subarray(0, 8).equals(MAGIC))
      throw new CheckpointError(`${file}: not a Denoise Lab checkpoint`);
    const hlen = lead.readUInt32LE(8);
    if (hlen > MAX_HEADER) throw new CheckpointError(`${file}: truncated checkpoint header`);
    const header = Buffer.alloc(hlen);
    if ((await fh.read(header, 0, hlen, 12)).bytesRead < hlen)
      throw new CheckpointError(`${file}: truncated checkpoint header`);
    let parsed: { format?: unknown; state?: CheckpointState };
    try {
      parsed = JSON.parse(header.toString('utf8')) as typeof parsed;
    } catch {
      throw new CheckpointError(`${file}: corrupt checkpoint header`);
    }
    if (parsed.format !== CHECKPOINT_FORMAT || !parsed.state)
      throw new CheckpointError(`${file}: not a Denoise Lab checkpoint`);
    return parsed.state;
  } finally {
    await fh.close();
  }
}
