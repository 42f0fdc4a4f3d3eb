// The bad-input corpus: every kind of broken, odd or absurd input the CLI can be handed, made here
// by the test itself, run through the commands it concerns. One table; each row makes its input,
// says the exit code and the message it expects, and the runner checks what every row must
// satisfy:
//   - a failure prints exactly one line on stderr, written for people: no stack frames, no
//     internal paths (only the user's own files), no tensor shapes; nothing on stdout;
//   - the exit code is 0, 1 (failure) or 2 (usage error) as stated;
//   - nothing is left in the output folder but the expected results: no half-written file, no
//     temporary file anywhere in the case's folder;
//   - the input files are byte for byte what they were (hashed before and after).
// Rows that need root (tmpfs mounts) or a non-root user (permissions) say why they are skipped
// where that is not available. Most rows run the CLI in-process; a few run the real process.
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import sharp, { type Sharp } from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeNpy } from '../../../main/files/npy.js';
import { readImage } from '../../../main/imaging/codec.js';
import { cli, devCli, type CliRun } from '../../helpers/cli.js';
import { benchCommand } from '../../../bench/ref-dae.js';
import { bundleCli, type CliProcess } from '../../helpers/cli-process.js';
import { tempDir } from '../../helpers/temp-dir.js';

const FIX = path.resolve('test/fixtures');
const BLUR = path.join(FIX, 'imaging/models/blur5_rgb.onnx');

// ---- makers -------------------------------------------------------------------------------------

/** A smooth RGB gradient (PNG unless asked), small enough that every run takes milliseconds. */
async function gradient(w = 24, h = 16, format: 'png' | 'jpeg' = 'png'): Promise<Buffer> {
  const raw = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const i = 3 * (y * w + x);
      raw[i] = (x * 255) / Math.max(1, w - 1);
      raw[i + 1] = (y * 255) / Math.max(1, h - 1);
      raw[i + 2] = 128;
    }
  const s = sharp(raw, { raw: { width: w, height: h, channels: 3 } });
  return format === 'png' ? s.png().toBuffer() : s.jpeg({ quality: 95 }).toBuffer();
}

/** Noisy content: compresses badly, so half of the file is surely missing data. */
async function noisy(format: 'png' | 'jpeg'): Promise<Buffer> {
  const s = sharp({
    create: {
      width: 64,
      height: 64,
      channels: 3,
      background: 'black',
      noise: { type: 'gaussian', mean: 128, sigma: 40 },
    },
  });
  return format === 'png' ? s.png().toBuffer() : s.jpeg().toBuffer();
}

/** A PNG chunk with its CRC. */
function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** A valid PNG header claiming width × height, and no pixels: a decompression bomb's first bytes. */
function pngHeader(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  return Buffer.concat([
    Buffer.from('89504e470d0a1a0a', 'hex'),
    chunk('IHDR', ihdr),
    chunk('IDAT', Buffer.alloc(0)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** The PNG with one bit of its IDAT chunk's CRC flipped. */
function badCrc(png: Buffer): Buffer {
  const out = Buffer.from(png);
  const at = out.indexOf('IDAT', 8, 'latin1');
  const len = out.readUInt32BE(at - 4);
  out[at + 4 + len] = out[at + 4 + len]! ^ 1;
  return out;
}

/** What an HEIC photo starts with: an ftyp box with HEVC brands, then a meta box. */
function heicHeader(): Buffer {
  const ftyp = Buffer.alloc(24);
  ftyp.writeUInt32BE(24, 0);
  ftyp.write('ftypheic', 4, 'latin1');
  ftyp.write('mif1heic', 16, 'latin1');
  const meta = Buffer.alloc(40);
  meta.writeUInt32BE(40, 0);
  meta.write('meta', 4, 'latin1');
  return Buffer.concat([ftyp, meta]);
}

/** Upright 16×8 test card: quadrants red, green / blue, white (any of the 8 symmetries moves them). */
const CARD = { w: 16, h: 8, tl: [255, 0, 0], tr: [0, 255, 0], bl: [0, 0, 255], br: [255, 255, 255] };
function card(): Sharp {
  const raw = Buffer.alloc(CARD.w * CARD.h * 3);
  for (let y = 0; y < CARD.h; y++)
    for (let x = 0; x < CARD.w; x++) {
      const q = y < CARD.h / 2 ? (x < CARD.w / 2 ? CARD.tl : CARD.tr) : x < CARD.w / 2 ? CARD.bl : CARD.br;
      raw.set(q, 3 * (y * CARD.w + x));
    }
  return sharp(raw, { raw: { width: CARD.w, height: CARD.h, channels: 3 } });
}

/**
 * The card stored as a camera with EXIF orientation `o` stores it: the pixels that orientation `o`
 * turns upright (2 mirror, 3 rotate 180°, 4 flip, 5 transpose, 6 needs 90° clockwise, 7
 * transverse, 8 needs 90° anticlockwise).
 */
async function orientedJpeg(o: number): Promise<Buffer> {
  const upright = await card().png().toBuffer();
  let s = sharp(upright);
  if (o === 2) s = s.flop();
  if (o === 3) s = s.rotate(180);
  if (o === 4) s = s.flip();
  if (o === 5) s = sharp(await s.rotate(90).toBuffer()).flop();
  if (o === 6) s = s.rotate(270);
  if (o === 7) s = sharp(await s.rotate(270).toBuffer()).flop();
  if (o === 8) s = s.rotate(90);
  return sharp(await s.png().toBuffer())
    .jpeg({ quality: 100, chromaSubsampling: '4:4:4' })
    .withMetadata({ orientation: o })
    .toBuffer();
}

/**
 * The result must be the upright card: same size, and each quadrant's centre nearest to the
 * colour it has upright (colour conversions, as CMYK → sRGB, move colours but keep them apart).
 */
async function expectUprightCard(file: string): Promise<void> {
  const { data, info } = await sharp(file).raw().toBuffer({ resolveWithObject: true });
  expect([info.width, info.height, info.channels]).toEqual([CARD.w, CARD.h, 3]);
  const colours = [CARD.tl, CARD.tr, CARD.bl, CARD.br];
  const nearest = (px: number[]) => {
    const d = colours.map((c) => c.reduce((a, v, k) => a + (v - px[k]!) ** 2, 0));
    return d.indexOf(Math.min(...d));
  };
  const at = (x: number, y: number) => [...data.subarray(3 * (y * info.width + x), 3 * (y * info.width + x) + 3)];
  expect([at(4, 2), at(12, 2), at(4, 6), at(12, 6)].map(nearest)).toEqual([0, 1, 2, 3]);
}

async function animatedGif(): Promise<Buffer> {
  const frame = (background: string) =>
    sharp({ create: { width: 8, height: 8, channels: 3, background } })
      .png()
      .toBuffer();
  return sharp([await frame('red'), await frame('blue')], { join: { animated: true } })
    .gif()
    .toBuffer();
}

// ---- the table ----------------------------------------------------------------------------------

interface Setup {
  args: string[];
  /** Files that must be byte for byte unchanged after the run. */
  inputs?: string[];
  /** Files expected in the case's out/ folder afterwards (relative); none unless said. */
  results?: string[];
  /** Extra checks of a run that succeeded. */
  check?: () => Promise<void>;
  /** Undo what the maker did outside the folder (mounts). */
  cleanup?: () => void;
}

interface Case {
  kind: string;
  /** Makes the input in `dir` (its out/ folder exists and is empty) and returns the command line. */
  make: (dir: string) => Promise<Setup>;
  code: 0 | 1 | 2;
  /** The one line a failure prints (checked against stderr). */
  err?: RegExp;
  /** Run as a real process (exit code and stderr as the shell sees them). */
  process?: boolean;
  /** Run as another user: permissions do not stop root. */
  asUser?: number;
  /** Why the case cannot run here, if it cannot. */
  skip?: () => string | false;
}

const isRoot = process.getuid?.() === 0;
const NOBODY = 65534;

/**
 * Why `uid` cannot run the project's CLI (false when it can): the CLI bundle and node_modules live
 * in the project folder, which a private folder above it (a `mktemp -d` clone) hides from others.
 */
function cannotRunAs(uid: number): string | false {
  const probe = `require('fs').accessSync(${JSON.stringify(path.resolve('package.json'))})`;
  const r = spawnSync(process.execPath, ['-e', probe], { uid, gid: uid });
  return r.status === 0
    ? false
    : `user ${uid} cannot reach the project folder (a folder above it is private), so another user's permissions cannot be tried here`;
}
const nobodyBlocked = isRoot && cannotRunAs(NOBODY);

/** tmpfs mounted at `dir` (root only): `ro` for a read-only folder, a tiny size for a full disk. */
function mountTmpfs(dir: string, options: string): () => void {
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`mount failed: ${r.stderr}`);
  return () => spawnSync('umount', [dir]);
}
let canMount: string | false = 'not root: mounting a tmpfs needs root';
if (isRoot) {
  const probe = tempDir('dl-corpus-mount-');
  try {
    mountTmpfs(probe, 'size=16k')();
    canMount = false;
  } catch (e) {
    canMount = `cannot mount a tmpfs here (${(e as Error).message.trim()})`;
  }
  rmSync(probe, { recursive: true, force: true });
}

const file = async (dir: string, name: string, bytes: Buffer | Promise<Buffer> | string) => {
  const p = path.join(dir, name);
  writeFileSync(p, await bytes);
  return p;
};
const out = (dir: string, name = '') => path.join(dir, 'out', name);
/** A denoise run of one file into out/ with the tiny blur model. */
const denoise = (input: string, dir: string, ...more: string[]) => [
  'denoise',
  input,
  '--out',
  out(dir),
  '--model',
  BLUR,
  ...more,
];
/** A gaussian σ 0 noise run: copies the pixels as decoded, so the output shows what was read. */
const copyThrough = (input: string, dir: string, name = 'copy.png') => [
  'noise',
  input,
  '--out',
  out(dir, name),
  '--type',
  'gaussian',
  '--level',
  '0',
];

/** An option the user typed wrongly: denoise of a good image, failing before any work. */
function absurd(
  command: 'denoise' | 'noise' | 'camera' | 'train' | 'bench' | 'metrics',
  option: string,
  value: string,
  message: RegExp,
): Case {
  return {
    kind: `absurd option: ${command} ${option} ${value}`,
    code: 2,
    err: message,
    make: async (dir) => {
      const input = await file(dir, 'in.png', gradient());
      const base: Record<typeof command, string[]> = {
        denoise: denoise(input, dir),
        noise: ['noise', input, '--out', out(dir, 'n.png'), '--type', 'gaussian', '--level', '5'],
        camera: ['noise', input, '--out', out(dir, 'n.png'), '--type', 'camera', '--level', 'low'],
        train: ['train', '--arch', 'dense:64-8-64', '--data', 'digits', '--out', out(dir, 'm.onnx'), '--steps', '1'],
        bench: ['bench', '--no-web', '--no-torch'],
        metrics: ['metrics', input, input],
      };
      // The value goes as a separate word, as people type it (also when it starts with '-').
      return { args: [...base[command], option, value], inputs: [input] };
    },
  };
}

const range = (option: string, what: string, got: string) =>
  new RegExp(
    `^denoise-lab \\w+: ${option} must be ${what} \\(got ${got.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\)\\.$`,
  );

const CASES: Case[] = [
  // -- files that are not images, or not whole ones
  {
    kind: '0 bytes',
    code: 1,
    err: /empty\.png: empty file \(0 bytes\), not an image/,
    make: async (dir) => ({ args: denoise(await file(dir, 'empty.png', Buffer.alloc(0)), dir) }),
  },
  {
    kind: 'truncated PNG',
    code: 1,
    err: /half\.png: corrupt or truncated image data/,
    make: async (dir) => {
      const png = await noisy('png');
      const input = await file(dir, 'half.png', png.subarray(0, png.length >> 1));
      return { args: denoise(input, dir), inputs: [input] };
    },
  },
  {
    kind: 'truncated JPEG',
    code: 1,
    err: /half\.jpg: corrupt or truncated image data/,
    process: true,
    make: async (dir) => {
      const jpg = await noisy('jpeg');
      const input = await file(dir, 'half.jpg', jpg.subarray(0, jpg.length >> 1));
      return { args: denoise(input, dir), inputs: [input] };
    },
  },
  {
    kind: 'corrupt PNG (scrambled pixel data)',
    code: 1,
    err: /scrambled\.png: corrupt or truncated image data/,
    make: async (dir) => {
      const png = Buffer.from(await noisy('png'));
      for (let i = 100; i < png.length - 20; i += 7) png[i] = png[i]! ^ 0x5a;
      const input = await file(dir, 'scrambled.png', png);
      return { args: denoise(input, dir), inputs: [input] };
    },
  },
  {
    kind: 'PNG with a bad CRC',
    code: 1,
    err: /crc\.png: corrupt or truncated image data/,
    make: async (dir) => {
      const input = await file(dir, 'crc.png', badCrc(await gradient()));
      return { args: denoise(input, dir), inputs: [input] };
    },
  },
  {
    kind: 'text file named .png',
    code: 1,
    err: /notes\.png: not a readable PNG file/,
    make: async (dir) => {
      const input = await file(dir, 'notes.png', 'shopping list: milk, eggs\n');
      return { args: denoise(input, dir), inputs: [input] };
    },
  },
  {
    kind: 'wrong format: a PDF named .jpg',
    code: 1,
    err: /scan\.jpg: (not a readable JPEG file|PDF is not a photo format)/,
    make: async (dir) => {
      const input = await file(dir, 'scan.jpg', '%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n');
      return { args: denoise(input, dir), inputs: [input] };
    },
  },
  {
    kind: 'SVG named .png',
    code: 1,
    err: /logo\.png: SVG is not a photo format this app reads/,
    make: async (dir) => {
      const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16"><rect width="16" height="16"/></svg>';
      const input = await file(dir, 'logo.png', svg);
      return { args: denoise(input, dir), inputs: [input] };
    },
  },
  {
    kind: 'HEIC photo',
    code: 1,
    err: /^denoise-lab noise: \S*IMG_0001\.HEIC: HEIC is not supported by this build; convert to JPEG or PNG$/,
    make: async (dir) => {
      const input = await file(dir, 'IMG_0001.HEIC', heicHeader());
      return { args: copyThrough(input, dir), inputs: [input] };
    },
  },
  {
    kind: 'huge dimensions (100000×100000 header: over the pixel limit)',
    code: 1,
    err: /bomb\.png: this image is 10000 megapixels \(100000×100000\); the limit is 200\. If this is intended, raise it with --max-megapixels\./,
    make: async (dir) => {
      const input = await file(dir, 'bomb.png', pngHeader(100_000, 100_000));
      return { args: denoise(input, dir), inputs: [input] };
    },
  },
  {
    kind: 'over a lowered --max-megapixels',
    code: 1,
    err: /in\.png: this image is 0\.0012 megapixels \(40×30\); the limit is 0\.001\./,
    make: async (dir) => {
      const input = await file(dir, 'in.png', gradient(40, 30));
      return { args: ['metrics', input, input, '--max-megapixels', '0.001'], inputs: [input] };
    },
  },
  {
    kind: 'float TIFF with NaN samples',
    code: 1,
    err: /nan\.tif: the image holds NaN or infinite sample values/,
    make: async (dir) => {
      const { encodeFloatTiff } = await import('../../../main/imaging/float-tiff.js');
      const input = await file(dir, 'nan.tif', encodeFloatTiff(Float32Array.of(1, NaN, 3, 4), 2, 2, 1));
      return { args: denoise(input, dir), inputs: [input] };
    },
  },

  // -- odd but valid images: they must just work, and come out right
  {
    kind: 'PNG named .jpg (content decides)',
    code: 0,
    make: async (dir) => {
      const input = await file(dir, 'really-a-png.jpg', gradient());
      return {
        args: copyThrough(input, dir),
        inputs: [input],
        results: ['copy.png'],
        check: async () => {
          const [a, b] = await Promise.all([
            sharp(input).raw().toBuffer(),
            sharp(out(dir, 'copy.png')).raw().toBuffer(),
          ]);
          expect(b.equals(a)).toBe(true);
        },
      };
    },
  },
  ...[1, 2, 3, 4, 5, 6, 7, 8].map((o): Case => ({
    kind: `EXIF orientation ${o}`,
    code: 0,
    make: async (dir) => {
      const input = await file(dir, `o${o}.jpg`, orientedJpeg(o));
      return {
        args: copyThrough(input, dir),
        inputs: [input],
        results: ['copy.png'],
        check: () => expectUprightCard(out(dir, 'copy.png')),
      };
    },
  })),
  {
    kind: 'CMYK JPEG',
    code: 0,
    make: async (dir) => {
      const input = await file(dir, 'cmyk.jpg', card().toColourspace('cmyk').jpeg({ quality: 100 }).toBuffer());
      return {
        args: copyThrough(input, dir),
        inputs: [input],
        results: ['copy.png'],
        check: () => expectUprightCard(out(dir, 'copy.png')),
      };
    },
  },
  {
    kind: 'palette PNG',
    code: 0,
    make: async (dir) => {
      const input = await file(dir, 'palette.png', card().png({ palette: true }).toBuffer());
      expect((await sharp(input).metadata()).isPalette).toBe(true);
      return {
        args: copyThrough(input, dir),
        inputs: [input],
        results: ['copy.png'],
        check: () => expectUprightCard(out(dir, 'copy.png')),
      };
    },
  },
  {
    kind: '1-bit PNG',
    code: 0,
    make: async (dir) => {
      const raw = Buffer.alloc(16 * 8 * 3);
      for (let i = 0; i < 16 * 8; i++) raw.fill(i % 16 < 8 ? 0 : 255, 3 * i, 3 * i + 3);
      const bits = await sharp(raw, { raw: { width: 16, height: 8, channels: 3 } })
        .png({ palette: true, colours: 2 })
        .toBuffer();
      const input = await file(dir, 'bits.png', bits);
      expect((await sharp(input).metadata()).bitsPerSample).toBe(1);
      return {
        args: copyThrough(input, dir),
        inputs: [input],
        results: ['copy.png'],
        check: async () => {
          const { data, info } = await sharp(out(dir, 'copy.png')).raw().toBuffer({ resolveWithObject: true });
          expect([data[0], data[info.channels * 12]]).toEqual([0, 255]);
        },
      };
    },
  },
  {
    kind: 'grey + alpha PNG',
    code: 0,
    make: async (dir) => {
      const raw = Buffer.alloc(12 * 12 * 2);
      for (let i = 0; i < 144; i++) raw.set([i, 255 - i], 2 * i);
      const ga = sharp(raw, { raw: { width: 12, height: 12, channels: 2 } }).toColourspace('b-w');
      const input = await file(dir, 'ga.png', ga.png().toBuffer());
      expect((await sharp(input).metadata()).channels).toBe(2);
      return {
        args: denoise(input, dir),
        inputs: [input],
        results: ['ga.png'],
        check: async () => {
          const meta = await sharp(out(dir, 'ga.png')).metadata();
          expect([meta.channels, meta.hasAlpha]).toEqual([2, true]);
          // Alpha carried through untouched (only colour is denoised), and not all opaque.
          const [a, b] = await Promise.all([readImage(input), readImage(out(dir, 'ga.png'))]);
          expect(b.channels).toBe(1);
          expect(new Set(a.alpha).size).toBeGreaterThan(50);
          expect(b.alpha).toEqual(a.alpha);
        },
      };
    },
  },
  {
    kind: 'animated GIF (read as its first frame)',
    code: 0,
    make: async (dir) => {
      const input = await file(dir, 'anim.gif', animatedGif());
      expect((await sharp(input).metadata()).pages).toBe(2);
      return {
        args: copyThrough(input, dir),
        inputs: [input],
        results: ['copy.png'],
        check: async () => {
          const { data, info } = await sharp(out(dir, 'copy.png')).raw().toBuffer({ resolveWithObject: true });
          expect([info.width, info.height]).toEqual([8, 8]);
          expect([...data.subarray(0, 3)]).toEqual([255, 0, 0]); // the first frame is red, the second blue
        },
      };
    },
  },
  {
    kind: '1×N strip',
    code: 0,
    make: async (dir) => {
      const input = await file(dir, 'col.png', gradient(1, 40));
      return {
        args: denoise(input, dir),
        inputs: [input],
        results: ['col.png'],
        check: () => sizeIs(out(dir, 'col.png'), 1, 40),
      };
    },
  },
  {
    kind: 'N×1 strip',
    code: 0,
    make: async (dir) => {
      const input = await file(dir, 'row.png', gradient(40, 1));
      return {
        args: denoise(input, dir),
        inputs: [input],
        results: ['row.png'],
        check: () => sizeIs(out(dir, 'row.png'), 40, 1),
      };
    },
  },
  {
    kind: "float TIFF written by the project's own noise --no-clip",
    code: 0,
    make: async (dir) => {
      const src = await file(dir, 'src.png', gradient(32, 32));
      const tif = path.join(dir, 'noisy.tif');
      const made = await cli(
        'noise',
        src,
        '--out',
        tif,
        '--type',
        'gaussian',
        '--level',
        '10',
        '--no-clip',
        '--seed',
        '3',
      );
      expect(made.code).toBe(0);
      return {
        args: ['metrics', src, tif, '--json'],
        inputs: [src, tif],
        check: async () => {
          // σ 10 unclipped: PSNR = 20·log10(255/10) ≈ 28.1 dB; read as integers it was 4.6 dB.
          const m = JSON.parse(lastRun.out) as { psnr: number };
          expect(m.psnr).toBeGreaterThan(27);
          expect(m.psnr).toBeLessThan(29.5);
        },
      };
    },
  },

  // -- paths that are not plain files
  {
    kind: 'a FIFO as input (must not hang)',
    code: 1,
    err: /pipe\.png: is not a regular file/,
    process: true,
    make: async (dir) => {
      const input = path.join(dir, 'pipe.png');
      expect(spawnSync('mkfifo', [input]).status).toBe(0);
      return { args: denoise(input, dir) };
    },
  },
  {
    kind: 'a symlink loop as input',
    code: 1,
    err: /loop\.png: a loop of symbolic links, no file at the end/,
    make: async (dir) => {
      const input = path.join(dir, 'loop.png');
      symlinkSync('loop.png', input);
      return { args: denoise(input, dir) };
    },
  },
  {
    kind: 'a symlink loop inside a folder batch (link to a parent)',
    code: 0,
    make: async (dir) => {
      const photos = path.join(dir, 'photos');
      mkdirSync(path.join(photos, 'sub'), { recursive: true });
      const input = await file(photos, 'a.png', gradient());
      symlinkSync('..', path.join(photos, 'sub', 'up'));
      symlinkSync(input, path.join(photos, 'sub', 'linked.png'));
      return {
        args: ['denoise', photos, '--out', out(dir), '--model', BLUR],
        inputs: [input],
        results: ['a.png', 'sub/linked.png'],
      };
    },
  },
  {
    kind: 'a folder given as an image file',
    code: 1,
    err: /album\.png: is a folder, not an image file/,
    make: async (dir) => {
      const folder = path.join(dir, 'album.png');
      mkdirSync(folder);
      return { args: ['metrics', folder, await file(dir, 'b.png', gradient())] };
    },
  },
  {
    kind: 'missing file',
    code: 1,
    err: /nowhere\.png: no such file$/,
    make: async (dir) => ({ args: copyThrough(path.join(dir, 'nowhere.png'), dir) }),
  },
  {
    kind: 'a missing folder in the path',
    code: 1,
    err: /nowhere\/x\.png: no such file/,
    make: async (dir) => ({ args: copyThrough(path.join(dir, 'nowhere', 'x.png'), dir) }),
  },
  {
    kind: 'unreadable file (chmod 000, run as another user when root)',
    code: 1,
    err: /secret\.png: permission denied; check the file permissions/,
    asUser: isRoot ? NOBODY : undefined,
    skip: () => nobodyBlocked,
    make: async (dir) => {
      const input = await file(dir, 'secret.png', gradient());
      chmodSync(input, 0o000);
      openUp(dir);
      return { args: denoise(input, dir), inputs: [] };
    },
  },
  {
    kind: 'read-only output folder',
    code: 1,
    err: /in\.png: cannot write, permission denied in /,
    // Root writes through chmod 555: a read-only tmpfs then, or another user where none mounts.
    asUser: isRoot && canMount !== false ? NOBODY : undefined,
    skip: () => isRoot && canMount !== false && nobodyBlocked,
    make: async (dir) => {
      const input = await file(dir, 'in.png', gradient());
      if (isRoot && canMount === false) {
        const cleanup = mountTmpfs(out(dir), 'ro,size=64k');
        return { args: denoise(input, dir), inputs: [input], cleanup };
      }
      if (isRoot) openUp(dir);
      chmodSync(out(dir), 0o555);
      return { args: denoise(input, dir), inputs: [input], cleanup: () => chmodSync(out(dir), 0o755) };
    },
  },
  {
    kind: 'full disk (16 KiB tmpfs)',
    code: 1,
    err: /big\.png: cannot write, the disk is full/,
    skip: () => canMount,
    make: async (dir) => {
      const input = await file(dir, 'in.png', gradient(96, 96));
      const cleanup = mountTmpfs(out(dir), 'size=16k');
      return {
        args: ['noise', input, '--out', out(dir, 'big.png'), '--type', 'gaussian', '--level', '60'],
        inputs: [input],
        cleanup,
      };
    },
  },
  {
    kind: 'output = input (denoise --overwrite)',
    code: 2,
    err: /photo\.png: the output would replace the input; write the result to another file or folder/,
    make: async (dir) => {
      const input = await file(dir, 'photo.png', gradient());
      return { args: ['denoise', input, '--out', input, '--model', BLUR, '--overwrite'], inputs: [input] };
    },
  },
  {
    kind: 'output folder = input folder (denoise --overwrite)',
    code: 2,
    err: /photo\.png: the output would replace the input; write the result to another file or folder/,
    make: async (dir) => {
      const input = await file(out(dir), 'photo.png', gradient());
      return {
        args: ['denoise', out(dir), '--out', out(dir), '--model', BLUR, '--overwrite'],
        inputs: [input],
        results: ['photo.png'],
      };
    },
  },
  {
    kind: 'output = input through a symlink (noise --overwrite)',
    code: 2,
    err: /alias\.png: the output would replace the input/,
    make: async (dir) => {
      const input = await file(dir, 'photo.png', gradient());
      symlinkSync(input, path.join(dir, 'alias.png'));
      return {
        args: [
          'noise',
          input,
          '--out',
          path.join(dir, 'alias.png'),
          '--type',
          'gaussian',
          '--level',
          '5',
          '--overwrite',
        ],
        inputs: [input],
      };
    },
  },
  {
    kind: 'output exists (no --overwrite)',
    code: 1,
    err: /taken\.png: already exists/,
    make: async (dir) => {
      const input = await file(dir, 'in.png', gradient());
      const taken = await file(out(dir), 'taken.png', 'keep me');
      return { args: copyThrough(input, dir, 'taken.png'), inputs: [input, taken], results: ['taken.png'] };
    },
  },
  {
    // Refused before the photo is even read: a 12-MP photo used to be denoised for 12 s first.
    kind: 'denoise onto an existing output (no --overwrite): refused before any work',
    code: 1,
    err: /taken\.png: already exists; add --overwrite/,
    make: async (dir) => {
      const input = await file(dir, 'broken.png', (await noisy('png')).subarray(0, 200));
      const taken = await file(out(dir), 'taken.png', 'keep me');
      return { args: denoise(input, dir).map((a) => (a === out(dir) ? taken : a)), inputs: [input, taken] };
    },
  },
  {
    kind: 'output format that is not written (.gif)',
    code: 2,
    err: /x\.gif: unknown output type/,
    make: async (dir) => {
      const input = await file(dir, 'in.png', gradient());
      return { args: copyThrough(input, dir, 'x.gif'), inputs: [input] };
    },
  },

  // -- models
  {
    kind: 'a dense digits model given to denoise (wrong shape)',
    code: 1,
    err: /digits\.onnx: not an image model: it takes vectors of 64 values, not pictures; use a denoising model made for images/,
    make: async (dir) => {
      const input = await file(dir, 'in.png', gradient());
      return { args: ['denoise', input, '--out', out(dir), '--model', digitsModel], inputs: [input, digitsModel] };
    },
  },
  {
    kind: 'a model that returns a smaller image',
    code: 1,
    err: /wrong_halves_size\.onnx: the model returned a \d+×\d+ image with 3 channel\(s\) for a \d+×\d+ tile/,
    make: async (dir) => {
      const input = await file(dir, 'in.png', gradient());
      const model = path.join(FIX, 'imaging/models/wrong_halves_size.onnx');
      return { args: ['denoise', input, '--out', out(dir), '--model', model], inputs: [input, model] };
    },
  },
  {
    kind: 'a non-ONNX file as --model',
    code: 1,
    err: /fake\.onnx: not an ONNX model \(it could not be parsed\); pass a \.onnx file/,
    make: async (dir) => {
      const input = await file(dir, 'in.png', gradient());
      const model = await file(dir, 'fake.onnx', gradient());
      return { args: ['denoise', input, '--out', out(dir), '--model', model], inputs: [input, model] };
    },
  },
  {
    kind: 'info of a non-ONNX file',
    code: 2,
    err: /notes\.onnx: /,
    make: async (dir) => {
      const model = await file(dir, 'notes.onnx', 'not a model at all\n');
      return { args: ['info', model], inputs: [model] };
    },
  },
  {
    kind: 'info of a 0-byte model',
    code: 2,
    err: /empty\.onnx: /,
    make: async (dir) => {
      const model = await file(dir, 'empty.onnx', Buffer.alloc(0));
      return { args: ['info', model], inputs: [model] };
    },
  },

  // -- training data
  {
    kind: 'NaN in a .npy training file',
    code: 2,
    err: /nan\.npy: value NaN at flat index 5; training data must be finite/,
    make: async (dir) => {
      const data = new Float32Array(4 * 64).fill(0.5);
      data[5] = NaN;
      const npy = await file(dir, 'nan.npy', encodeNpy(data, [4, 64]));
      return {
        args: ['train', '--arch', 'dense:64-8-64', '--data', npy, '--out', out(dir, 'm.onnx'), '--steps', '1'],
        inputs: [npy],
      };
    },
  },
  {
    kind: 'truncated .npy training file',
    code: 2,
    err: /cut\.npy: /,
    make: async (dir) => {
      const whole = encodeNpy(new Float32Array(4 * 64).fill(0.5), [4, 64]);
      const npy = await file(dir, 'cut.npy', whole.subarray(0, whole.length - 100));
      return {
        args: ['train', '--arch', 'dense:64-8-64', '--data', npy, '--out', out(dir, 'm.onnx'), '--steps', '1'],
        inputs: [npy],
      };
    },
  },
  {
    kind: 'training folder without images',
    code: 2,
    err: /no image files/,
    make: async (dir) => {
      const folder = path.join(dir, 'photos');
      mkdirSync(folder);
      await file(folder, 'readme.txt', 'nothing here');
      return { args: ['train', '--arch', 'ref-dae', '--data', folder, '--out', out(dir, 'm.onnx'), '--steps', '1'] };
    },
  },

  // -- absurd numbers, one row per numeric option
  absurd('denoise', '--threads', '100000', range('--threads', 'an integer from 1 to 64', '100000')),
  absurd('denoise', '--threads', '0', range('--threads', 'an integer from 1 to 64', '0')),
  absurd('denoise', '--overlap', '100000', range('--overlap', 'an integer from 0 to 256', '100000')),
  absurd('denoise', '--strength', '5', range('--strength', 'a number from 0 to 4', '5')),
  absurd('denoise', '--strength', 'strong', range('--strength', 'a number from 0 to 4', 'strong')),
  absurd('denoise', '--luminance', '-0.5', range('--luminance', 'a number from 0 to 1', '-0.5')),
  absurd('denoise', '--chroma', '2', range('--chroma', 'a number from 0 to 1', '2')),
  absurd('denoise', '--detail', 'NaN', range('--detail', 'a number from 0 to 1', 'NaN')),
  absurd('denoise', '--tile', '1e9', range('--tile', 'an integer from 8 to 8192', '1e9')),
  absurd('denoise', '--tile', '12.5', range('--tile', 'an integer from 8 to 8192', '12.5')),
  absurd('denoise', '--sigma', '1e9', range('--sigma', 'a number from 0 to 255', '1e9')),
  absurd('denoise', '--sigma', '-5', range('--sigma', 'a number from 0 to 255', '-5')),
  absurd('denoise', '--sigma', 'NaN', range('--sigma', 'a number from 0 to 255', 'NaN')),
  absurd('denoise', '--max-megapixels', '0', range('--max-megapixels', 'a number from 0.001 to 10000', '0')),
  absurd(
    'metrics',
    '--max-megapixels',
    '-Infinity',
    range('--max-megapixels', 'a number from 0.001 to 10000', '-Infinity'),
  ),
  absurd('noise', '--seed', '-1', range('--seed', 'an integer from 0 to 4294967295', '-1')),
  absurd('noise', '--seed', '1e20', range('--seed', 'an integer from 0 to 4294967295', '1e20')),
  absurd('noise', '--level', '1e9', /gaussian noise: σ must be from 0 to 255, got 1000000000/),
  absurd('noise', '--level', '-5', /gaussian noise: σ must be from 0 to 255, got -5/),
  absurd('camera', '--level', '30', /--level for camera noise must be low, medium, high \(got 30\)$/),
  absurd('camera', '--shot', '-0.01', range('--shot', 'a number from 0 to 1', '-0.01')),
  absurd('camera', '--shot', '5', range('--shot', 'a number from 0 to 1', '5')),
  absurd('camera', '--read', 'NaN', range('--read', 'a number from 0 to 1', 'NaN')),
  absurd('camera', '--jpeg-quality', '0', range('--jpeg-quality', 'an integer from 1 to 100', '0')),
  absurd('camera', '--jpeg-quality', '75.5', range('--jpeg-quality', 'an integer from 1 to 100', '75.5')),
  absurd('camera', '--cfa', 'RGBG', /--cfa must be one of RGGB, BGGR, GRBG, GBRG \(got RGBG\)$/),
  absurd('camera', '--demosaic', 'nearest', /--demosaic must be bilinear or mhc \(got nearest\)$/),
  absurd('camera', '--noise-map', 'map.png', /--noise-map map\.png: write the map as \.tif \(32-bit float\) or \.npy$/),
  absurd('noise', '--shot', '0.001', /--shot applies to --type camera only$/),
  absurd('train', '--batch', '0', range('--batch', 'an integer from 1 to 4096', '0')),
  absurd('train', '--batch', '1e6', range('--batch', 'an integer from 1 to 4096', '1e6')),
  absurd('train', '--steps', '1e12', range('--steps', 'an integer from 0 to 10000000', '1e12')),
  absurd('train', '--epochs', '0', range('--epochs', 'an integer from 1 to 100000', '0')),
  absurd('train', '--patch', '5000', range('--patch', 'an integer from 1 to 1024', '5000')),
  absurd('train', '--lr', '0', range('--lr', 'a number above 0 and at most 1000', '0')),
  absurd('train', '--lr', '-0.1', range('--lr', 'a number above 0 and at most 1000', '-0.1')),
  absurd('train', '--momentum', '1', range('--momentum', 'a number from 0 to 0.999', '1')),
  absurd('train', '--seed', '-3', range('--seed', 'an integer from 0 to 4294967295', '-3')),
  absurd('train', '--threads', '100000', range('--threads', 'an integer from 1 to 64', '100000')),
  absurd('bench', '--threads', '0,100000', range('--threads \\(each count\\)', 'an integer from 1 to 64', '0,100000')),
  absurd('bench', '--size', '1e9', range('--size', 'an integer from 8 to 8192', '1e9')),
  absurd('bench', '--seconds', '-1', range('--seconds', 'a number above 0 and at most 600', '-1')),
  {
    ...absurd('denoise', '--threads', '100000', range('--threads', 'an integer from 1 to 64', '100000')),
    kind: 'absurd option as a real process: denoise --threads 100000 (hung past 150 s)',
    process: true,
  },
  {
    kind: 'an unknown option',
    code: 2,
    err: /^denoise-lab denoise: Unknown option '--sharpen'; see 'denoise-lab denoise --help'$/,
    make: async (dir) => {
      const input = await file(dir, 'in.png', gradient());
      return { args: [...denoise(input, dir), '--sharpen'], inputs: [input] };
    },
  },
];

// ---- the runner ---------------------------------------------------------------------------------

let root: string;
let digitsModel: string;
let real: CliProcess | undefined;
let lastRun: CliRun;
let handled = 0;

/** A home folder the other user can write to (libraries keep caches there). */
function otherHome(): string {
  const home = path.join(root, 'home');
  mkdirSync(home, { recursive: true });
  chmodSync(home, 0o777);
  return home;
}

/** Lets another user reach the case folder (mkdtemp makes it private). */
function openUp(dir: string): void {
  chmodSync(dir, 0o777);
  chmodSync(root, 0o755);
}

async function sizeIs(file: string, w: number, h: number): Promise<void> {
  const m = await sharp(file).metadata();
  expect([m.width, m.height]).toEqual([w, h]);
}

function sha(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/** Every entry under `dir`, relative, links not followed. */
function listAll(dir: string, rel = ''): string[] {
  if (!existsSync(path.join(dir, rel))) return [];
  return readdirSync(path.join(dir, rel)).flatMap((name) => {
    const r = path.join(rel, name);
    const st = lstatSync(path.join(dir, r));
    return st.isDirectory() ? listAll(dir, r) : [r];
  });
}

beforeAll(async () => {
  root = tempDir('dl-corpus-');
  // A dense model for 8×8 digits: the wrong kind of model for photos.
  digitsModel = path.join(root, 'digits.onnx');
  const made = await cli('train', '--arch', 'dense:64-16-64', '--data', 'digits', '--out', digitsModel, '--steps', '0');
  expect(made.code, made.err).toBe(0);
  if (CASES.some((c) => c.process || c.asUser !== undefined)) real = await bundleCli();
});
afterAll(() => {
  const skipped = CASES.filter((c) => c.skip?.());
  // The count the issue asks for: cases handled / total, and what was skipped here and why.
  console.info(
    `bad-input corpus: ${handled} of ${CASES.length} kinds handled` +
      skipped.map((c) => `\n  skipped: ${c.kind}: ${c.skip!()}`).join(''),
  );
  real?.dispose();
  spawnSync('chmod', ['-R', 'u+rwX', root]);
  rmSync(root, { recursive: true, force: true });
});

describe('bad-input corpus', () => {
  it(`has at least 40 kinds (${CASES.length})`, () => {
    expect(new Set(CASES.map((c) => c.kind)).size).toBe(CASES.length);
    expect(CASES.length).toBeGreaterThanOrEqual(40);
  });

  CASES.forEach((c, i) => {
    const reason = c.skip?.();
    it.skipIf(reason)(`${c.kind}${reason ? ` (skipped: ${reason})` : ''}`, async () => {
      const dir = path.join(root, String(i).padStart(3, '0'));
      mkdirSync(out(dir), { recursive: true });
      const setup = await c.make(dir);
      try {
        const hashes = (setup.inputs ?? []).map((f) => [f, sha(f)] as const);
        const before = listAll(out(dir));
        const r =
          c.asUser !== undefined
            ? real!.run(setup.args, { uid: c.asUser, gid: c.asUser, env: { ...process.env, HOME: otherHome() } })
            : c.process
              ? real!.run(setup.args)
              : setup.args[0] === 'bench'
                ? await devCli(benchCommand, ...setup.args)
                : await cli(...setup.args);
        lastRun = r;
        expect(r.code, r.err).toBe(c.code);
        if (c.code !== 0) {
          const lines = r.err.split('\n').filter((l) => l.trim() !== '');
          expect(lines, r.err).toHaveLength(1);
          expect(r.out).toBe('');
          if (c.err) expect(lines[0]).toMatch(c.err);
          expect(r.err).not.toMatch(/^\s+at /m); // no stack frames
          // No paths but the user's own files, no tensor shapes.
          const paths = r.err.match(/\/[^\s:'")]+/g) ?? [];
          expect(
            paths.filter((p) => !p.startsWith(root) && !p.startsWith(FIX)),
            'an internal path',
          ).toEqual([]);
          expect(r.err).not.toMatch(/node_modules|\.[tj]s:\d/);
          expect(r.err, 'a tensor shape').not.toMatch(/\[\s*[\w?]+\s*(,\s*[\w?]+\s*)+\]/);
        } else {
          await setup.check?.();
        }
        // Nothing left behind (checked before a mount is undone): only the expected results (and
        // what was there) in out/, no temporary files anywhere; the inputs as they were.
        expect(listAll(out(dir)).sort()).toEqual([...new Set([...before, ...(setup.results ?? [])])].sort());
        expect(listAll(dir).filter((f) => /\.tmp$|\.icc$/.test(f))).toEqual([]);
        for (const [f, h] of hashes) expect(sha(f), `${f} changed`).toBe(h);
        handled++;
      } finally {
        setup.cleanup?.();
      }
    });
  });
});
