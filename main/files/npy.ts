// NumPy .npy files (format 1.0–3.0): read float32 / float64 / uint8 arrays of any shape, write
// float32. Used for float image output (noise without clipping) and for training datasets.
// Only C-order (row-major) arrays are accepted; both byte orders are read.

import { readFile } from 'node:fs/promises';

export type NpyDtype = 'float32' | 'float64' | 'uint8';

export interface NpyArray {
  shape: number[];
  dtype: NpyDtype;
  data: Float32Array | Float64Array | Uint8Array;
}

const MAGIC = '\x93NUMPY';

export class NpyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NpyError';
  }
}

/** Parses the bytes of a .npy file. `source` names the file in error messages. */
export function parseNpy(bytes: Uint8Array, source = '.npy data'): NpyArray {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length < 10 || buf.subarray(0, 6).toString('latin1') !== MAGIC)
    throw new NpyError(`${source}: not a .npy file (missing the \\x93NUMPY magic)`);
  const major = buf[6]!;
  if (major < 1 || major > 3) throw new NpyError(`${source}: unsupported .npy format version ${major}.${buf[7]}`);
  const headerLen = major === 1 ? buf.readUInt16LE(8) : buf.length >= 12 ? buf.readUInt32LE(8) : -1;
  const start = major === 1 ? 10 : 12;
  if (headerLen < 0 || start + headerLen > buf.length) throw new NpyError(`${source}: truncated .npy header`);
  const header = buf.subarray(start, start + headerLen).toString(major === 3 ? 'utf8' : 'latin1');

  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined)
    throw new NpyError(`${source}: malformed .npy header: ${header.trim()}`);
  if (fortran === 'True') throw new NpyError(`${source}: Fortran-order arrays are not supported (save with C order)`);
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => Number(s));
  if (shape.some((d) => !Number.isInteger(d) || d < 0)) throw new NpyError(`${source}: bad shape (${shapeText})`);

  const kinds: Record<string, { dtype: NpyDtype; size: number }> = {
    f4: { dtype: 'float32', size: 4 },
    f8: { dtype: 'float64', size: 8 },
    u1: { dtype: 'uint8', size: 1 },
  };
  const order = descr[0];
  const kind = kinds[descr.slice(1)];
  if (!kind || (order !== '<' && order !== '>' && order !== '|' && order !== '='))
    throw new NpyError(`${source}: unsupported dtype '${descr}' (supported: float32, float64, uint8)`);
  const count = shape.reduce((a, b) => a * b, 1);
  const offset = start + headerLen;
  const needed = count * kind.size;
  if (buf.length - offset < needed)
    throw new NpyError(
      `${source}: truncated data (${buf.length - offset} bytes for ${count} × ${descr}, need ${needed})`,
    );

  const view = new DataView(buf.buffer, buf.byteOffset + offset, needed);
  const little = order !== '>';
  let data: NpyArray['data'];
  if (kind.dtype === 'uint8') data = Uint8Array.from(buf.subarray(offset, offset + needed));
  else if (kind.dtype === 'float32') {
    data = new Float32Array(count);
    for (let i = 0; i < count; i++) data[i] = view.getFloat32(4 * i, little);
  } else {
    data = new Float64Array(count);
    for (let i = 0; i < count; i++) data[i] = view.getFloat64(8 * i, little);
  }
  return { shape, dtype: kind.dtype, data };
}

/** Reads a .npy file. */
export async function readNpy(file: string): Promise<NpyArray> {
  return parseNpy(await readFile(file), file);
}

/** Encodes float32 data of the given C-order shape as a .npy (format 1.0, little-endian). */
export function encodeNpy(data: Float32Array, shape: readonly number[]): Buffer {
  const count = shape.reduce((a, b) => a * b, 1);
  if (shape.some((d) => !Number.isInteger(d) || d < 0) || count !== data.length)
    throw new NpyError(`encodeNpy: shape (${shape.join(', ')}) does not hold ${data.length} values`);
  const dims = shape.length === 1 ? `${shape[0]},` : shape.join(', ');
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${dims}), }`;
  // Pad with spaces so that magic + length + header + '\n' is a multiple of 64 (numpy's alignment).
  const total = Math.ceil((10 + header.length + 1) / 64) * 64;
  header = header.padEnd(total - 10 - 1, ' ') + '\n';
  if (header.length > 65535) throw new NpyError('encodeNpy: header too long');
  const out = Buffer.alloc(total + 4 * count);
  out.write(MAGIC, 0, 'latin1');
  out[6] = 1;
  out[7] = 0;
  out.writeUInt16LE(header.length, 8);
  out.write(header, 10, 'latin1');
  for (let i = 0; i < count; i++) out.writeFloatLE(data[i]!, total + 4 * i);
  return out;
}
