// What fitting a JPEG's Huffman tables to the photo costs on export, against the standard tables
// the app writes with (main/imaging/codec.ts):
//
//   node out/bench/jpeg-tables.js <photo> [--rounds 5] [--quality 92]
//
// Each encode runs in a process of its own, as an export does in a fresh `denoise-lab denoise`
// (its memory is fresh too, and the fitting pass holds the whole photo's coefficients), with the
// huge-page tunable the CLI's work has (bench/processes.ts); the two settings alternate round by
// round. The photo is decoded before the clock starts; what is timed is sharp's encode as the app
// calls it (quality, 4:4:4), the Huffman tables the only difference. Prints medians with their
// spread, the ratio, and the file sizes.

import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { timeProcess } from './processes.js';
import { spread, withSpread } from './rounds.js';

type Tables = 'fitted' | 'standard';

/** One encode in this process: prints {"ms", "bytes"}. */
async function encodeOnce(photo: string, tables: Tables, quality: number): Promise<void> {
  const { data, info } = await sharp(photo).raw().toBuffer({ resolveWithObject: true });
  const raw = { raw: { width: info.width, height: info.height, channels: info.channels } };
  const t0 = performance.now();
  const bytes = await sharp(data, raw)
    .jpeg({ quality, chromaSubsampling: '4:4:4', optimiseCoding: tables === 'fitted' })
    .toBuffer();
  process.stdout.write(JSON.stringify({ ms: performance.now() - t0, bytes: bytes.length }) + '\n');
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      rounds: { type: 'string', default: '5' },
      quality: { type: 'string', default: '92' },
      child: { type: 'string' },
    },
  });
  const photo = positionals[0];
  const [rounds, quality] = [Number(values.rounds), Number(values.quality)];
  if (!photo) throw new Error('usage: jpeg-tables <photo> [--rounds 5] [--quality 92]');
  if (!Number.isInteger(rounds) || rounds < 1 || rounds > 100) throw new RangeError('--rounds must be 1–100');
  if (!Number.isInteger(quality) || quality < 1 || quality > 100) throw new RangeError('--quality must be 1–100');
  if (values.child) return encodeOnce(photo, values.child as Tables, quality);

  const results: Record<Tables, { ms: number[]; bytes: number }> = {
    fitted: { ms: [], bytes: 0 },
    standard: { ms: [], bytes: 0 },
  };
  const order: Tables[] = ['fitted', 'standard'];
  for (let r = 0; r < rounds; r++)
    for (const tables of r % 2 === 0 ? order : [...order].reverse()) {
      const run = await timeProcess(
        process.execPath,
        [process.argv[1]!, photo, '--child', tables, '--quality', String(quality)],
        `jpeg-tables ${tables}`,
      );
      const { ms, bytes } = JSON.parse(run.stdout) as { ms: number; bytes: number };
      results[tables].ms.push(ms);
      results[tables].bytes = bytes;
    }
  const [fitted, standard] = [spread(results.fitted.ms), spread(results.standard.ms)];
  console.log(`JPEG encode of ${photo} at quality ${quality}, 4:4:4, each in its own process, ${rounds} rounds`);
  console.log(`  fitted Huffman tables    ${withSpread(fitted)} ms   ${results.fitted.bytes} bytes`);
  console.log(`  standard tables (app)    ${withSpread(standard)} ms   ${results.standard.bytes} bytes`);
  console.log(
    `  fitted / standard: ${(fitted.median / standard.median).toFixed(2)}× the time, ` +
      `${((100 * (results.standard.bytes - results.fitted.bytes)) / results.fitted.bytes).toFixed(1)} % smaller files`,
  );
}

main().catch((e: Error) => {
  process.stderr.write(`jpeg-tables: ${e.message}\n`);
  process.exit(1);
});
