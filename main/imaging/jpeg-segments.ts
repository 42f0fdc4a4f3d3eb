// The segments of a JPEG's header: everything between the start of the image and its first scan
// (tables, frame header, application segments with their metadata). What reads a JPEG's header
// without decoding it walks it here: its quality (jpeg-quality.ts) and whether it carries metadata
// (metadata-sniff.ts).

export interface JpegSegment {
  /** The marker's second byte (0xdb DQT, 0xe1 APP1, 0xfe COM…). */
  marker: number;
  /** The segment's contents, after its marker and length. */
  body: Uint8Array;
}

const SOI = 0xd8;
const SOS = 0xda;
const EOI = 0xd9;

/**
 * The header segments of `bytes`, in order, or null when they are not a JPEG. `complete` says
 * whether the walk reached the first scan; without it the header is damaged or cut short, and
 * `segments` holds what came before. Never throws.
 */
export function jpegHeader(bytes: Uint8Array): { segments: JpegSegment[]; complete: boolean } | null {
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== SOI) return null;
  const segments: JpegSegment[] = [];
  let at = 2;
  while (at + 4 <= bytes.length) {
    if (bytes[at] !== 0xff) break; // not a marker where one must be
    const marker = bytes[at + 1]!;
    if (marker === 0xff) {
      at++; // fill byte before a marker
      continue;
    }
    if (marker === SOS) return { segments, complete: true };
    if (marker === EOI) break; // the image ended without a scan
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      at += 2; // markers without a length
      continue;
    }
    const length = (bytes[at + 2]! << 8) | bytes[at + 3]!;
    if (length < 2 || at + 2 + length > bytes.length) break;
    segments.push({ marker, body: bytes.subarray(at + 4, at + 2 + length) });
    at += 2 + length;
  }
  return { segments, complete: false };
}
