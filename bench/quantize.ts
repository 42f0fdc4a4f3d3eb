// `npm run quantize -- <trainset folder> <out.onnx> [--model models/default.onnx]`: the int8 twin
// of a shipped denoiser (models/default-int8.onnx from models/default.onnx), made by the engine's
// post-training quantiser (main/engine/quant/): per-channel int8 weights, uint8 activations whose
// ranges are calibrated here on noisy patches of training photos. Run it again whenever the
// source model changes. It works for any model of the family (an image input and a noise-level
// map, convolutions with constant weights), e.g. models/camera.onnx.
//
// Calibrate on training photos only (../shared/datasets/trainset), never on the devset the
// quality benchmarks score. Writes the model and its card (<out>.json, from the source's card;
// --bench adds the quality rows of `npm run bench:quality -- --json --model <out>`). Dev only:
// built into out/bench/, never packaged.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Rng } from '../common/rng.js';
import { addNoise } from '../common/noise.js';
import { createExecutor } from '../main/engine/exec/index.js';
import { Tensor } from '../main/engine/ir/index.js';
import { fromOnnx, inspectOnnx, toOnnx, type OnnxSummary } from '../main/engine/onnx/index.js';
import { RangeObserver, quantizationPoints, quantizeGraph, type QdqOptions } from '../main/engine/quant/index.js';
import { writeFileAtomic } from '../main/files/atomic-write.js';
import { version } from '../main/files/app-version.js';
import { modelsDir } from '../main/files/app-paths.js';
import { loadImageFolder } from '../main/ml/train/datasets.js';
import { cameraSample, drawMixKind } from '../main/ml/train/camera-mix.js';
import { META_MODEL_CARD } from '../main/ml/model-file.js';
import { log } from './devset.js';

const USAGE = `usage: npm run quantize -- <trainset folder> <out.onnx> [--model <file.onnx>] [--patches N]
       [--patch N] [--sigmas 0,5,…] [--noise gaussian|camera-mix] [--seed N] [--threads N]
       [--float-weights a,b] [--float-points a,b] [--int8-stream] [--float-adds] [--ranges mse|minmax]
       [--bench quality.json]

  --noise camera-mix   calibrate on the noise a camera model was trained on (ml/train/camera-mix.ts:
                       60 % camera-pipeline noise with the simulator's map, 30 % Gaussian at --sigmas,
                       10 % clean; no JPEG round trips) instead of Gaussian noise alone

  --float-weights a,b  convolutions left in float, by weight name (default: the first one; '' for none)
  --float-points a,b   activations left unrounded, by value name (e.g. conv12/conv: the last block's
                       output, whose rounding shows most on photos with little noise)
  --float-adds         with --int8-stream: keep the residual additions float
  --ranges mse|minmax  how activation ranges are chosen from calibration (default mse)
  --int8-stream        round the residual stream itself (sums added in int8 by ORT's QLinearAdd)
                       instead of keeping it float and rounding it only where convs read it:
                       faster, but the rounding piles up through the blocks`;

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      model: { type: 'string', default: path.join(modelsDir, 'default.onnx') },
      patches: { type: 'string', default: '256' },
      patch: { type: 'string', default: '96' },
      // Up to σ 50, though the model takes 75: the few large activations of σ 75 patches widened
      // every step, and cost 0.1 dB at σ 15–25 (measured on the test crops) for 0.03 dB at σ 50.
      sigmas: { type: 'string', default: '0,5,10,15,20,25,35,50' },
      noise: { type: 'string', default: 'gaussian' },
      seed: { type: 'string', default: '15' },
      threads: { type: 'string', default: '2' },
      'float-weights': { type: 'string' },
      'float-points': { type: 'string', default: '' },
      'int8-stream': { type: 'boolean', default: false },
      'float-adds': { type: 'boolean', default: false },
      ranges: { type: 'string', default: 'mse' },
      bench: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help || positionals.length !== 2) {
    log(USAGE);
    process.exit(values.help ? 0 : 2);
  }
  const [trainset, out] = positionals as [string, string];
  const source = values.model!;
  const patches = Number(values.patches);
  const patch = Number(values.patch);
  const sigmas = values.sigmas!.split(',').map(Number);
  const noise = values.noise!;
  if (noise !== 'gaussian' && noise !== 'camera-mix')
    throw new Error(`--noise ${noise}: expected gaussian or camera-mix`);
  // The residual stream stays float unless told: its rounding, piled up through the six blocks,
  // cost 0.08 dB at σ 25 on held-out trainset patches (0.13 → 0.04 dB against the default). The
  // price is speed: ORT 1.30 keeps the float sums NCHW and transposes float tensors at each block.
  const floatStream = !values['int8-stream'];
  const options: QdqOptions = {
    quantizeAdds: !floatStream && !values['float-adds'],
    floatStream,
    floatPoints: values['float-points']!.split(',').filter(Boolean),
  };
  if (path.resolve(out) === path.resolve(source)) throw new Error('the int8 model must not replace its source');

  const bytes = readFileSync(source);
  const summary = inspectOnnx(bytes);
  const [image, level] = summary.inputs;
  if (!image || summary.inputs.length > 2 || image.dims.length !== 4)
    throw new Error(`${source}: not a denoiser of the expected family (an image input, optionally a noise-level map)`);
  const batch = 8;
  const inputShapes: Record<string, number[]> = { [image.name]: [batch, 3, patch, patch] };
  if (level) inputShapes[level.name] = [batch, 1, patch, patch];

  // The float graph with every quantisation point as an extra output, for calibration.
  const calibration = fromOnnx(bytes, { inputShapes }).graph;
  // The first convolution stays float unless told otherwise: it reads the image and the noise map
  // together, and one uint8 scale for both cost 0.08 dB at σ 25 on the devset (for ~1 % of the work).
  options.floatWeights =
    values['float-weights'] !== undefined
      ? values['float-weights'].split(',').filter(Boolean)
      : calibration.nodes
          .filter((n) => n.op === 'Conv')
          .map((n) => n.inputs[1]!)
          .slice(0, 1);
  const points = quantizationPoints(calibration, options);
  for (const p of points) if (!calibration.outputs.some((v) => v.name === p)) calibration.output(calibration.value(p));
  const executor = await createExecutor('ort-node', { threads: Number(values.threads) });
  const session = await executor.compile(calibration);

  const photos = await loadImageFolder(trainset, { patch, channels: 3 });
  log(`quantize: calibrating ${points.length} activations on ${patches} patches of ${photos.description}`);
  const rng = new Rng(Number(values.seed));
  const observer = new RangeObserver(points);
  const per = 3 * patch * patch;
  for (let b = 0; b * batch < patches; b++) {
    const x = new Float32Array(batch * per);
    const map = new Float32Array(batch * patch * patch);
    const clean = new Float32Array(per);
    for (let i = 0; i < batch; i++) {
      photos.sample(0, clean, rng);
      const kind = noise === 'camera-mix' ? drawMixKind(rng) : 'classic';
      if (kind === 'camera') {
        // A random camera, as in the camera model's training; the map is the simulator's own.
        const s = cameraSample(clean, patch, patch, rng);
        x.set(s.noisy, i * per);
        map.set(s.level, i * patch * patch);
        continue;
      }
      // Every noise level the model is made for, in turn (clean samples of the mix: none); the map
      // tells it the truth.
      const sigma = kind === 'clean' ? 0 : sigmas[(b * batch + i) % sigmas.length]!;
      x.set(sigma > 0 ? addNoise(clean, 3, { type: 'gaussian', sigma }, rng, { clip: false }) : clean, i * per);
      map.fill(sigma / 255, i * patch * patch, (i + 1) * patch * patch);
    }
    const feeds: Record<string, Tensor> = { [image.name]: new Tensor('float32', [batch, 3, patch, patch], x) };
    if (level) feeds[level.name] = new Tensor('float32', [batch, 1, patch, patch], map);
    observer.observe(await session.run(feeds, points));
  }
  await session.dispose();
  const method = values.ranges === 'minmax' ? 'minmax' : 'mse';
  const ranges = observer.ranges(method);
  for (const p of points) log(`  ${p}: [${ranges.get(p)!.min.toFixed(3)}, ${ranges.get(p)!.max.toFixed(3)}]`);

  const float = fromOnnx(bytes, { inputShapes });
  const int8 = quantizeGraph(float.graph, ranges, options);
  const made = {
    from: path.basename(source),
    weights: 'int8, symmetric, per output channel',
    activations: 'uint8, asymmetric, per tensor',
    calibration: `${method === 'mse' ? `least-error (Q/DQ mean squared error) ranges` : 'min/max'} of ${points.length} activations over ${patches} ${patch}×${patch} patches of ${path.basename(path.resolve(trainset))}/ (seed ${values.seed}), ${noise === 'camera-mix' ? `the camera mix without JPEG (60 % camera-pipeline noise, 30 % Gaussian σ ${sigmas.join(', ')}, 10 % clean)` : `Gaussian σ ${sigmas.join(', ')}`} with the true noise map`,
    float: options.floatWeights,
    ...(options.floatPoints!.length > 0 ? { floatPoints: options.floatPoints } : {}),
    quantizeAdds: options.quantizeAdds,
    floatStream,
    // As run, less --bench (it only adds the quality rows to the card).
    command: `npm run quantize -- ${process.argv
      .slice(2)
      .filter((a, i, all) => a !== '--bench' && all[i - 1] !== '--bench' && !a.startsWith('--bench='))
      .join(' ')}`,
  };
  const card = JSON.parse(float.metadata[META_MODEL_CARD] ?? '{}') as Record<string, unknown>;
  const onnx = toOnnx(int8, {
    dynamicAxes: dynamicAxesOf(summary),
    // The architecture stays out: its weights are int8 now, so the file cannot be trained further.
    metadata: { [META_MODEL_CARD]: JSON.stringify({ ...card, quantization: made }) },
    graphName: `${path.basename(source, '.onnx')}-int8`,
    docString: `Denoise Lab: ${path.basename(source)} quantised to int8 (QDQ)`,
    producerVersion: version,
  });
  await writeFileAtomic(out, onnx, { overwrite: true });
  const cardFile = out.replace(/\.onnx$/i, '.json');
  await writeFileAtomic(
    cardFile,
    new TextEncoder().encode(JSON.stringify(cardOf(source, made, values.bench), null, 2) + '\n'),
    { overwrite: true },
  );
  log(
    `quantize: wrote ${out} (${(onnx.length / 1024).toFixed(0)} KiB, from ${(bytes.length / 1024).toFixed(0)} KiB) and ${cardFile}`,
  );
}

/** The symbolic dimensions of the source's inputs and outputs, kept as they were. */
function dynamicAxesOf(summary: OnnxSummary): Record<string, Record<number, string>> {
  const axes: Record<string, Record<number, string>> = {};
  for (const v of [...summary.inputs, ...summary.outputs]) {
    const symbolic = Object.fromEntries(v.dims.flatMap((d, i) => (typeof d === 'string' ? [[i, d]] : [])));
    if (Object.keys(symbolic).length > 0) axes[v.name] = symbolic;
  }
  return axes;
}

/** The int8 model's card: the source's, renamed, with how it was made and the measured quality rows. */
function cardOf(source: string, made: Record<string, unknown>, bench: string | undefined): Record<string, unknown> {
  const stem = path.basename(source, '.onnx');
  let base: Record<string, unknown> = {};
  try {
    base = JSON.parse(readFileSync(source.replace(/\.onnx$/i, '.json'), 'utf8')) as Record<string, unknown>;
  } catch {
    // A model without a card: the int8 card says what it can.
  }
  const metrics: unknown[] = [];
  if (bench) {
    const report = JSON.parse(readFileSync(bench, 'utf8')) as {
      photos: string[];
      rows: { method: string; sigma: number; variant: string; psnr: number; ssim: number }[];
    };
    const name = `${stem}-int8`;
    for (const r of report.rows.filter((r) => r.method === name)) {
      const float = report.rows.find((f) => f.method === stem && f.sigma === r.sigma && f.variant === r.variant);
      const noisy = report.rows.find((n) => n.method === 'noisy' && n.sigma === r.sigma && n.variant === r.variant);
      metrics.push({
        dataset: `devset (${report.photos.length} photos)`,
        noise: `gaussian σ ${r.sigma}, ${r.variant === 'float' ? 'unclipped' : 'clipped 8-bit'}${float ? `; ${stem} ${float.psnr.toFixed(2)} dB / ${float.ssim.toFixed(4)}` : ''}`,
        psnr: Number(r.psnr.toFixed(3)),
        ssim: Number(r.ssim.toFixed(4)),
        ...(noisy ? { psnrBaseline: Number(noisy.psnr.toFixed(3)), ssimBaseline: Number(noisy.ssim.toFixed(4)) } : {}),
      });
    }
  }
  const name = typeof base.name === 'string' ? base.name : stem;
  return {
    name: `${name}, fast (int8)`,
    architecture: `${typeof base.architecture === 'string' ? base.architecture : stem}; int8 weights and activations`,
    params: base.params ?? null,
    inputChannels: base.inputChannels ?? null,
    noiseLevelInput: base.noiseLevelInput ?? false,
    trainingNoise: base.trainingNoise ?? null,
    metrics,
    description:
      `${stem}.onnx quantised to int8 for speed: the same network with ${made.weights as string} weights and ` +
      `${made.activations as string} activations, which ONNX Runtime runs on its int8 convolution kernels. ` +
      `Calibration: ${made.calibration as string}. Reproduce: ${made.command as string}.`,
    createdAt: new Date().toISOString().slice(0, 10),
  };
}

main().catch((e: unknown) => {
  log(`quantize: ${(e as Error).message}`);
  process.exit(1);
});
