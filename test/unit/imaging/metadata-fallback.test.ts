// Without Perl, ExifTool cannot run: exports still keep the basic EXIF and the colour profile that
// sharp writes, and the log says so once (not once per photo).
import { afterAll, describe, it, vi } from 'vitest';
import { endMetadataTool } from '../../../main/imaging/metadata.js';
import { expectBasicExifFallback } from '../../helpers/metadata-fallback.js';

vi.mock('exiftool-vendored', () => ({
  ExifTool: class {
    version = () => Promise.reject(new Error('spawn perl ENOENT'));
    end = () => Promise.resolve();
    write = () => Promise.reject(new Error('must not be called'));
  },
}));

afterAll(() => endMetadataTool());

describe('metadata without ExifTool', () => {
  it('falls back to the basic EXIF subset with one warning', () => expectBasicExifFallback());
});
