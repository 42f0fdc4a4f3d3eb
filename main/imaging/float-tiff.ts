// Writes 32-bit float TIFFs (sharp always casts to integers when saving from raw data). Baseline
// TIFF, little-endian, uncompressed, one strip, interleaved samples, SampleFormat = IEEE float.
// Values are written as given (e.g. unclipped noise on the 0–255 scale).

const SHORT = 3;
const LONG = 4;

/** Encodes planar C×H×W float data (C = 1 or 3) as a float32 TIFF. */
export function encodeFloatTiff(planar: Float32Array, width: number, height: number, channels: 1 | 3): Buffer {
  const n = width * height;
  if (planar.length !== channels * n)
    throw new RangeError(`encodeFloatTiff: expected ${channels * n} values, got ${planar.length}`);
  const entries: Array<[tag: number, type: number, values: number[]]> = [
    [256, LONG, [width]],
    [257, LONG, [height]],
    [258, SHORT, Array(channels).fill(32)],
    [259, SHORT, [1]], // no compression
    [262, SHORT, [channels === 1 ? 1 : 2]], // BlackIsZero or RGB
    [273, LONG, [0]], // strip offset, filled in below
    [277, SHORT, [channels]],
    [278, LONG, [height]],
    [279, LONG, [4 * channels * n]],
    [284, SHORT, [1]], // chunky (interleaved)
    [339, SHORT, Array(channels).fill(3)], // IEEE float
  ];
  const ifdOffset = 8;
  const ifdSize = 2 + 12 * entries.length + 4;
  // Arrays longer than 4 bytes live after the IFD.
  let extra = ifdOffset + ifdSize;
  const extraOffsets = entries.map(([, type, values]) => {
    const bytes = values.length * (type === SHORT ? 2 : 4);
    if (bytes <= 4) return -1;
    const at = extra;
    extra += bytes;
    return at;
  });
  const dataOffset = Math.ceil(extra / 4) * 4;
  entries[5]![2] = [dataOffset];
  const out = Buffer.alloc(dataOffset + 4 * channels * n);
  out.write('II', 0, 'latin1');
  out.writeUInt16LE(42, 2);
  out.writeUInt32LE(ifdOffset, 4);
  out.writeUInt16LE(entries.length, ifdOffset);
  entries.forEach(([tag, type, values], k) => {
    const e = ifdOffset + 2 + 12 * k;
    out.writeUInt16LE(tag, e);
    out.writeUInt16LE(type, e + 2);
    out.writeUInt32LE(values.length, e + 4);
    const at = extraOffsets[k]! >= 0 ? extraOffsets[k]! : e + 8;
    if (extraOffsets[k]! >= 0) out.writeUInt32LE(at, e + 8);
    values.forEach((v, i) => (type === SHORT ? out.writeUInt16LE(v, at + 2 * i) : out.writeUInt32LE(v, at + 4 * i)));
  });
  out.writeUInt32LE(0, ifdOffset + 2 + 12 * entries.length); // no next IFD
  for (let i = 0; i < n; i++)
    for (let c = 0; c < channels; c++) out.writeFloatLE(planar[c * n + i]!, dataOffset + 4 * (i * channels + c));
  return out;
}
