// Whether a photo file carries metadata that an export copies with ExifTool (metadata.ts): EXIF,
// XMP, IPTC, comments, maker blocks. A photo that carries none (one saved by a program that writes
// no metadata, or exported with it stripped) needs no ExifTool at all, and starting Perl with its
// writing modules to copy nothing cost 0.3–0.4 s of a 12-MP denoise on two cores (`denoise-lab
// denoise photo.jpg … --metadata keep` against `strip`, three interleaved rounds): its CPU comes out
// of the denoiser's.
//
// Only JPEG is read, segment by segment up to the first scan; every other format, and anything in
// a JPEG not understood here, counts as carrying metadata, so ExifTool runs as before.

/** True unless `bytes` is a JPEG whose header holds nothing but pixel coding and a colour profile. */
export function carriesMetadata(bytes: Uint8Array): boolean {
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) return true;
  let at = 2;
  while (at + 4 <= bytes.length) {
    if (bytes[at] !== 0xff) return true; // not a marker where one must be: damaged, let ExifTool judge
    const marker = bytes[at + 1]!;
    if (marker === 0xff) {
      at++; // fill byte before a marker
      continue;
    }
    if (marker === 0xda) return false; // the first scan: the header is over and held nothing to copy
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      at += 2; // markers without a length
      continue;
    }
    const length = (bytes[at + 2]! << 8) | bytes[at + 3]!;
    if (length < 2 || at + 2 + length > bytes.length) return true;
    const body = bytes.subarray(at + 4, at + 2 + length);
    if (marker === 0xfe) return true; // COM: a comment
    if (marker >= 0xe0 && marker <= 0xef && !pixelCodingOnly(marker, body)) return true;
    at += 2 + length;
  }
  return true; // no scan found: truncated, let ExifTool judge
}

/**
 * The two application segments that say nothing about the photo: a JFIF header with no physical
 * size (units 0, square pixels, no thumbnail), and the ICC profile, which the encoder writes
 * itself (and the copy leaves out). Any other APPn (EXIF and XMP in APP1, MPF and FlashPix in APP2,
 * IPTC in APP13, Adobe in APP14…) is metadata.
 */
function pixelCodingOnly(marker: number, body: Uint8Array): boolean {
  if (marker === 0xe0)
    return (
      startsWith(body, 'JFIF\0') &&
      body.length >= 14 &&
      body[7] === 0 && // density units: none (an aspect ratio only)
      body[8] === body[10] &&
      body[9] === body[11] && // square pixels
      body[12] === 0 &&
      body[13] === 0 // no thumbnail
    );
  if (marker === 0xe2) return startsWith(body, 'ICC_PROFILE\0');
  return false;
}

function startsWith(bytes: Uint8Array, text: string): boolean {
  if (bytes.length < text.length) return false;
  for (let i = 0; i < text.length; i++) if (bytes[i] !== text.charCodeAt(i)) return false;
  return true;
}
