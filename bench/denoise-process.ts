// Denoising a 12-MP photo as users meet it, `denoise-lab denoise photo.jpg --out clean.jpg`,
// against bare ONNX Runtime running the same model over the same tiles (peers/bare_ort.mjs), each
// a process of its own, timed from outside. The difference is what the app adds around the model:
// start-up, decoding, tiling and blending, encoding, keeping the metadata.

import path from 'node:path';
import { modelsDir, packageRoot } from '../main/files/app-paths.js';
import { PEERS } from './peers.js';
import { timeProcess } from './processes.js';
import { type Spread, spread } from './rounds.js';

const CLI = path.join(packageRoot, 'bin', 'denoise-lab.js');
/** The tile size both sides use (the CLI's own choice from free memory on a machine with ≥ 4 GB). */
const TILE = 1024;
const SIGMA = 25;

export interface DenoiseProcessFigure {
  threads: number;
  megapixels: number;
  /** `denoise-lab denoise` from start to exit (ms). */
  cli: Spread;
  /** The bare peer from start to exit (ms): Node, ONNX Runtime, the session, the tiles. */
  bare: Spread;
  /** The bare peer's model runs alone (ms). */
  bareTiles: Spread;
  tiles: number;
  /** `denoise-lab denoise --fast` (the int8 twin) from start to exit (ms), when asked for. */
  fast: Spread | null;
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
  /** Also time `--fast` (the default's int8 twin). */
  fast: boolean;
  log: (line: string) => void;
}

export async function denoiseProcesses(o: DenoiseProcessOptions): Promise<DenoiseProcessFigure[]> {
  const figures: DenoiseProcessFigure[] = [];
  const model = path.join(modelsDir, 'default.onnx');
  for (const threads of o.threads) {
    const cli: number[] = [];
    const fast: number[] = [];
    const bare: number[] = [];
    const bareTiles: number[] = [];
    let tiles = 0;
    const runCli = (into: number[], extra: string[]) => async () =>
      into.push(
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
              ...extra,
            ],
            `denoise-lab denoise ${extra.join(' ')}`,
            { launcher: true },
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
      const runs = [runCli(cli, []), runBare, ...(o.fast ? [runCli(fast, ['--fast'])] : [])];
      for (const run of r % 2 === 0 ? runs : runs.reverse()) await run();
    }
    const c = spread(cli);
    const b = spread(bare);
    figures.push({
      threads,
      megapixels: (o.width * o.height) / 1e6,
      cli: c,
      bare: b,
      bareTiles: spread(bareTiles),
      fast: fast.length ? spread(fast) : null,
      tiles,
      overhead: c.median / b.median - 1,
    });
  }
  return figures;
}
