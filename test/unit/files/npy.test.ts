import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeNpy, parseNpy, readNpy } from '../../../main/files/npy.js';

const DIR = path.resolve('test/fixtures/imaging/npy');

describe('.npy read/write against files written by numpy', () => {
  it('float32 N×C×H×W: values and shape', async () => {
    const a = await readNpy(path.join(DIR, 'f32_nchw.npy'));
    expect(a.dtype).toBe('float32');
    expect(a.shape).toEqual([2, 3, 4, 5]);
    expect(a.data[0]).toBeCloseTo(-50.5 / 7, 5);
    expect(a.data[119]).toBeCloseTo((119 - 50.5) / 7, 5);
  });

  it('our writer produces numpy’s bytes exactly (4-D and 1-D)', async () => {
    for (const f of ['f32_nchw.npy', 'f32_vector.npy']) {
      const bytes = readFileSync(path.join(DIR, f));
      const a = parseNpy(bytes);
      expect(Buffer.compare(encodeNpy(a.data as Float32Array, a.shape), bytes)).toBe(0);
    }
  });

  it('float64, uint8 and big-endian float32', async () => {
    const f64 = await readNpy(path.join(DIR, 'f64_matrix.npy'));
    expect([f64.dtype, ...f64.shape]).toEqual(['float64', 3, 4]);
    expect(f64.data[11]).toBe(1);
    expect(f64.data[0]).toBe(-1);
    const u8 = await readNpy(path.join(DIR, 'u8_hwc.npy'));
    expect([u8.dtype, ...u8.shape]).toEqual(['uint8', 4, 5, 3]);
    expect(u8.data[10]).toBe(70);
    const be = await readNpy(path.join(DIR, 'f32_bigendian.npy'));
    expect(Array.from(be.data)).toEqual([1.5, -2.5, 3.25, Math.fround(1e-3)]);
  });

  it('clear errors for unsupported or broken files', async () => {
    await expect(readNpy(path.join(DIR, 'i32_unsupported.npy'))).rejects.toThrow(/unsupported dtype '<i4'/);
    await expect(readNpy(path.join(DIR, 'f32_fortran.npy'))).rejects.toThrow(/Fortran-order arrays are not supported/);
    expect(() => parseNpy(Buffer.from('PK\x03\x04 zip file'), 'x.npy')).toThrow(/x\.npy: not a \.npy file/);
    const good = readFileSync(path.join(DIR, 'f32_nchw.npy'));
    expect(() => parseNpy(good.subarray(0, good.length - 8), 'cut.npy')).toThrow(/cut\.npy: truncated data/);
    expect(() => parseNpy(good.subarray(0, 40), 'head.npy')).toThrow(/truncated \.npy header/);
    expect(() => encodeNpy(new Float32Array(5), [2, 3])).toThrow(/does not hold 5 values/);
  });
});
