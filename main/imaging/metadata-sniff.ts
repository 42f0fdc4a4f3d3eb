// Whether a photo file carries metadata that an export copies with ExifTool (metadata.ts): EXIF,
// XMP, IPTC, comments, maker blocks. A photo that carries none (one saved by a program that writes
// no metadata, or exported with it stripped) needs no ExifTool at all, and starting Perl with its
// writing modules to copy nothing cost 0.3–0.4 s of a 12-MP denoise on two cores (`denoise-lab
// denoise photo.jpg … --metadata keep` against `strip`, three interleaved rounds): its CPU comes out
// of the denoiser's.
//
// Only JPEG is read, segment by segment up to the first scan; every other format, and anything in
// a JPEG not understood here, counts as carrying metadata, so ExifTool runs as before.

import { jpegHeader } from './jpeg-segments.js';

/** A comment segment. */
const COM = 0xfe;

/** True unless `bytes` is a JPEG whose header holds nothing but pixel coding and a colour profile. */
export function carriesMetadata(bytes: Uint8Array): boolean {
  const header = jpegHeader(bytes);
  // Not a JPEG, or a header damaged or cut short before the first scan: let ExifTool judge.
  if (!header?.complete) return true;
  return header.segments.some(
    ({ marker, body }) => marker === COM || (marker >= 0xe0 && marker <= 0xef && !pixelCodingOnly(marker, body)),
  );
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
