// What a file's first bytes say it is, for the formats whose names the decoder cannot give us.
// HEIC (HEVC in an ISO-BMFF container) shares its container with AVIF; libvips as shipped with
// sharp decodes AVIF but not HEVC, and then reports a perfectly good iPhone photo as broken.

/** ISO-BMFF brands of HEVC-coded HEIF: still images, sequences, and the generic image brands. */
const HEVC_BRANDS = new Set(['heic', 'heix', 'heim', 'heis', 'hevc', 'hevx', 'hevm', 'hevs']);
/** Brands that say AVIF (AV1-coded HEIF), which the decoder does read. */
const AV1_BRANDS = new Set(['avif', 'avis']);
const GENERIC_BRANDS = new Set(['mif1', 'msf1']);

/**
 * Whether the bytes start with an ISO-BMFF `ftyp` box naming an HEVC brand (major, or compatible
 * under a generic mif1/msf1 major brand without an AVIF brand).
 */
export function isHeic(bytes: Uint8Array): boolean {
  if (bytes.length < 16) return false;
  const text = (from: number, to: number) => String.fromCharCode(...bytes.subarray(from, to));
  if (text(4, 8) !== 'ftyp') return false;
  const size = ((bytes[0]! << 24) | (bytes[1]! << 16) | (bytes[2]! << 8) | bytes[3]!) >>> 0;
  const end = Math.min(bytes.length, size >= 16 ? size : 16);
  const major = text(8, 12);
  const compatible: string[] = [];
  for (let at = 16; at + 4 <= end; at += 4) compatible.push(text(at, at + 4));
  if (HEVC_BRANDS.has(major)) return true;
  if (!GENERIC_BRANDS.has(major) && !compatible.some((b) => GENERIC_BRANDS.has(b))) return false;
  return compatible.some((b) => HEVC_BRANDS.has(b)) && !compatible.some((b) => AV1_BRANDS.has(b));
}
