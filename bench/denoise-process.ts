// Denoising a 12-MP photo as users meet it, `denoise-lab denoise photo.jpg --out clean.jpg`,
// against bare ONNX Runtime running the same model over the same tiles (peers/bare_ort.mjs), each
// a process of its own, timed from outside. The difference is what the app adds around the model:
// start-up, decoding, tiling and blending, encoding, keeping the metadata.

import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { Rng } from '../common/rng.js';
import { modelsDir, packageRoot } from '../main/files/app-paths.js';
import { PEERS } from './peers.js';
import { timeProcess } from './processes.js';
import { type Timing, timing } from './rounds.js';

const CLI = path.join(packageRoot, 'bin', 'denoise-lab.js');
/** The tile size both sides use (the CLI's own choice from free memory on a machine with ≥ 4 GB). */
const TILE = 1024;
const SIGMA = 25;

/**
 * A `width`×`height` JPEG (q 95) with Gaussian noise σ 15: a test photo enlarged to the size,
 * so that the codec sees photo-like content, not flat colour.
 */
export async function writeTestPhoto(source: string, file: string, width: number, height: number): Promise<void> {
  const { data } = await sharp(source).resize(width, height, { fit: 'fill' }).removeAlpha().raw().toBuffer({
    resolveWithObject: true,
  });
  const rng = new Rng(5);
  for (let i = 0; i < data.length; i++) data[i] = Math.max(0, Math.min(255, Math.round(data[i]! + rng.normal() * 15)));
  await writeFile(
    file,
    await sharp(data, { raw: { width, height, channels: 3 } })
      .jpeg({ quality: 95 })
      .toBuffer(),
  );
}

export interface DenoiseProcessFigure {
  threads: number;
  megapixels: number;
  /** `denoise-lab denoise` from start to exit (ms). */
  cli: Timing;
  /** The bare peer from start to exit (ms): Node, ONNX Runtime, the session, the tiles. */
  bare: Timing;
  /** The bare peer's model runs alone (ms). */
  bareTiles: Timing;
  tiles: number;
  /** cli / bare − 1: the app's overhead over bare ONNX Runtime, whole process against whole process. */
  overhead: number;
}

export interface DenoiseProcessOptions {
  threads: number[];
  rounds: number;
  photo: string;
  width: number;
  height: number;
  tmp: string;
  log: (line: string) => void;
}

export async function denoiseProcesses(o: DenoiseProcessOptions): Promise<DenoiseProcessFigure[]> {
  const figures: DenoiseProcessFigure[] = [];
  const model = path.join(modelsDir, 'default.onnx');
  for (const threads of o.threads) {
    const cli: number[] = [];
    const bare: number[] = [];
    const bareTiles: number[] = [];
    let tiles = 0;
    const runCli = async () =>
      cli.push(
        (
          await timeProcess(
            process.execPath,
            [
              CLI,
              'denoise',
              o.photo,
              '--out',
              path.join(o.tmp, 'clean.jpg'),
              '--overwrite',
              '--sigma',
              String(SIGMA),
              '--tile',
              String(TILE),
              '--threads',
              String(threads),
            ],
            'denoise-lab denoise',
          )
        ).ms,
      );
    const runBare = async () => {
      const r = await timeProcess(
        process.execPath,
        [
          path.join(PEERS, 'bare_ort.mjs'),
          '--model',
          model,
          '--width',
          String(o.width),
          '--height',
          String(o.height),
          '--tile',
          String(TILE),
          '--sigma',
          String(SIGMA),
          '--threads',
          String(threads),
        ],
        'bare ONNX Runtime',
      );
      bare.push(r.ms);
      const inner = JSON.parse(r.stdout) as { tilesMs: number; tiles: number };
      bareTiles.push(inner.tilesMs);
      tiles = inner.tiles;
    };
    for (let r = 0; r < o.rounds; r++) {
      o.log(
        `denoise ${((o.width * o.height) / 1e6).toFixed(0)} MP, ${threads} thread(s), round ${r + 1} of ${o.rounds}…`,
      );
      for (const run of r % 2 === 0 ? [runCli, runBare] : [runBare, runCli]) await run();
    }
    const c = timing(cli);
    const b = timing(bare);
    figures.push({
      threads,
      megapixels: (o.width * o.height) / 1e6,
      cli: c,
      bare: b,
      bareTiles: timing(bareTiles),
      tiles,
      overhead: c.ms / b.ms - 1,
    });
  }
  return figures;
}
