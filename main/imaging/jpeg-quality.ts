// How hard a JPEG was compressed, read from its quantisation tables. JPEG's quantisation removes
// the fine-grained part of a photo's noise and leaves the coarse, blotchy part, so a noise
// estimator that reads fine texture reads a JPEG's noise too low; the camera model's noise level
// is corrected by the file's quality (main/ml/inference/noise-map.ts). The tables are in the file
// itself (DQT segments), so this costs nothing and needs no guessing from the pixels.
//
// Quality is expressed on the IJG scale (libjpeg's `-quality`, 1–100) that most encoders and
// cameras are compared on: the luminance table's size relative to the standard table of Annex K of
// the JPEG standard (ITU-T T.81), inverted through libjpeg's scaling rule
// (scale = 5000 / q below 50, 200 − 2q above).

import { jpegHeader } from './jpeg-segments.js';

/** Annex K.1 luminance table, in zigzag order (as stored in DQT segments). */
const STANDARD_LUMINANCE = [
  16, 11, 12, 14, 12, 10, 16, 14, 13, 14, 18, 17, 16, 19, 24, 40, 26, 24, 22, 22, 24, 49, 35, 37, 29, 40, 58, 51, 61,
  60, 57, 51, 56, 55, 64, 72, 92, 78, 64, 68, 87, 69, 55, 56, 80, 109, 81, 87, 95, 98, 103, 104, 103, 62, 77, 113, 121,
  112, 100, 120, 92, 101, 103, 99,
];
const STANDARD_SUM = STANDARD_LUMINANCE.reduce((a, b) => a + b, 0);

const DQT = 0xdb;

/**
 * The IJG-equivalent quality (1–100, one decimal) of a JPEG's luminance quantisation table, or
 * null when the bytes are not a JPEG or hold no readable table (a damaged header is the decoder's
 * business, not this function's: it never throws).
 */
export function jpegQuality(bytes: Uint8Array): number | null {
  const table = luminanceTable(bytes);
  if (!table) return null;
  const sum = table.reduce((a, b) => a + b, 0);
  // The scale in per cent that turns the standard table into this one (libjpeg rounds each entry
  // and clamps it to 1; summing over all 64 entries averages the rounding out).
  const scale = (100 * sum) / STANDARD_SUM;
  const quality = scale <= 100 ? (200 - scale) / 2 : 5000 / scale;
  return Math.round(Math.min(100, Math.max(1, quality)) * 10) / 10;
}

/** The 64 entries of table 0 (luminance) from the first DQT segment that defines it. */
function luminanceTable(bytes: Uint8Array): number[] | null {
  for (const { marker, body: b } of jpegHeader(bytes)?.segments ?? []) {
    if (marker !== DQT) continue;
    // One segment may hold several tables: Pq (precision: 0 = 8-bit, 1 = 16-bit) | Tq (id).
    for (let t = 0; t < b.length;) {
      const precision = b[t]! >> 4;
      const id = b[t]! & 0x0f;
      const size = precision ? 128 : 64;
      if (t + 1 + size > b.length) return null;
      if (id === 0) {
        const table: number[] = [];
        for (let i = 0; i < 64; i++)
          table.push(precision ? (b[t + 1 + 2 * i]! << 8) | b[t + 2 + 2 * i]! : b[t + 1 + i]!);
        return table.some((v) => v === 0) ? null : table;
      }
      t += 1 + size;
    }
  }
  return null;
}
