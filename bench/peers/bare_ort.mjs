#!/usr/bin/env node
// Bare ONNX Runtime peer of `denoise-lab denoise` for `npm run bench`: the same model run over the
// same tiles of a W×H colour photo and nothing else: no decoding, no noise estimate, no blending,
// no encoding, no metadata. What the CLI takes beyond this is its overhead.
//
//   node bench/peers/bare_ort.mjs --model models/default.onnx --width 4000 --height 3000
//        [--tile 1024] [--overlap 32] [--align 2] [--sigma 25] [--threads 2]
//
// Tiles as the app's tiler lays them out with an explicit tile size: core tiles of `tile`
// (rounded up to `align`) from 0 in steps of the tile, the last reaching past the edge when the
// model needs aligned tiles; each run sees the core plus `overlap` (rounded up to `align`) on every
// side. Prints one JSON line: session start-up and tile time (ms), and the tile count.
//
// A peer, not part of the app: it opens onnxruntime-node directly, with the app's session options
// (intra-op threads as given, one inter-op thread, sequential, all graph optimisations).

import { parseArgs } from 'node:util';
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';

const { values } = parseArgs({
  options: {
    model: { type: 'string' },
    width: { type: 'string' },
    height: { type: 'string' },
    tile: { type: 'string', default: '1024' },
    overlap: { type: 'string', default: '32' },
    align: { type: 'string', default: '2' },
    sigma: { type: 'string', default: '25' },
    threads: { type: 'string', default: '2' },
  },
});
const [W, H, align] = [Number(values.width), Number(values.height), Number(values.align)];
const up = (v) => Math.ceil(v / align) * align;
const overlap = up(Number(values.overlap));
const tw = up(Math.min(Number(values.tile), W));
const th = up(Math.min(Number(values.tile), H));
const starts = (n, t) => {
  const s = [0];
  while (s[s.length - 1] + t < n) s.push(s[s.length - 1] + t);
  return s;
};
const tiles = starts(W, tw).length * starts(H, th).length;
const [iw, ih] = [tw + 2 * overlap, th + 2 * overlap];

const t0 = performance.now();
const session = await ort.InferenceSession.create(readFileSync(values.model), {
  executionProviders: ['cpu'],
  intraOpNumThreads: Number(values.threads),
  interOpNumThreads: 1,
  executionMode: 'sequential',
  graphOptimizationLevel: 'all',
});
const t1 = performance.now();
const pixels = new Float32Array(3 * ih * iw);
for (let i = 0; i < pixels.length; i++) pixels[i] = Math.random();
const feeds = { [session.inputNames[0]]: new ort.Tensor('float32', pixels, [1, 3, ih, iw]) };
if (session.inputNames[1])
  feeds[session.inputNames[1]] = new ort.Tensor('float32', new Float32Array(ih * iw).fill(Number(values.sigma) / 255), [
    1,
    1,
    ih,
    iw,
  ]);
for (let i = 0; i < tiles; i++) await session.run(feeds);
const t2 = performance.now();
process.stdout.write(JSON.stringify({ sessionMs: t1 - t0, tilesMs: t2 - t1, tiles, tileSide: [iw, ih] }) + '\n');
