// ExifTool's module is loaded when metadata is first copied, not at start-up. Should it fail to
// load (a broken install), exports go on as they do without Perl: the basic EXIF subset sharp
// writes, and one line in the log, never a failed export.
import { afterAll, describe, it, vi } from 'vitest';
import { endMetadataTool } from '../../../main/imaging/metadata.js';
import { expectBasicExifFallback } from '../../helpers/metadata-fallback.js';

vi.mock('exiftool-vendored', () => {
  throw new Error('Cannot find module exiftool-vendored.pl');
});

afterAll(() => endMetadataTool());

describe('metadata when ExifTool cannot be loaded', () => {
  it('exports with the basic EXIF subset and one warning', () => expectBasicExifFallback());
});
