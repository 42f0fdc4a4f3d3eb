// Writes the model card (models/<name>.json) of a shipped model from what was measured:
// the architecture and parameter count embedded in the ONNX file (`denoise-lab info --json`) and
// the quality table of `npm run bench:quality -- --json` (rows of the model at each σ).
//
//   node scripts/models/write-card.mjs --model models/default.onnx --bench bench.json \
//     --name "Colour denoiser" --training training.json
//
// training.json: {"data": "...", "noise": "...", "steps": N, "wallTime": "...", "machine": "...",
//                 "recipe": "the commands that reproduce it"}
import { execFileSync } from 'node:child_process';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    model: { type: 'string' },
    bench: { type: 'string' },
    name: { type: 'string' },
    training: { type: 'string' },
    method: { type: 'string' },
  },
});
if (!values.model || !values.name || !values.training) {
  console.error('usage: write-card.mjs --model <file.onnx> --name <name> --training <training.json> [--bench <bench.json>] [--method <row name>]');
  process.exit(2);
}
const root = path.dirname(path.dirname(path.dirname(new URL(import.meta.url).pathname)));
const info = JSON.parse(
  execFileSync(process.execPath, [path.join(root, 'bin', 'denoise-lab.js'), 'info', values.model, '--json'], {
    encoding: 'utf8',
  }),
);
const arch = JSON.parse(info.metadata['denoise_lab.architecture']);
const training = JSON.parse(readFileSync(values.training, 'utf8'));
const net = arch.network;

const metrics = [];
if (values.bench) {
  const bench = JSON.parse(readFileSync(values.bench, 'utf8'));
  const method = values.method ?? path.basename(values.model, '.onnx');
  for (const r of bench.rows.filter((r) => r.method === method)) {
    const noisy = bench.rows.find((n) => n.method === 'noisy' && n.sigma === r.sigma && n.variant === r.variant);
    const nlm = bench.rows.find((n) => n.method === 'NL-means' && n.sigma === r.sigma && n.variant === r.variant);
    metrics.push({
      dataset: `devset (${bench.photos.length} photos)`,
      noise: `gaussian σ ${r.sigma}, ${r.variant === 'float' ? 'unclipped' : 'clipped 8-bit'}${nlm ? `; NL-means ${nlm.psnr.toFixed(2)} dB / ${nlm.ssim.toFixed(4)}` : ''}`,
      psnr: Number(r.psnr.toFixed(3)),
      ssim: Number(r.ssim.toFixed(4)),
      ...(noisy ? { psnrBaseline: Number(noisy.psnr.toFixed(3)), ssimBaseline: Number(noisy.ssim.toFixed(4)) } : {}),
    });
  }
}

function summary(net, variant) {
  const v = variant === 'basic' ? '' : ` (${variant})`;
  if (net.type === 'residual')
    return `${net.scale === 2 ? 'FFDNet-style half-resolution' : 'DnCNN-style'} denoiser, ${net.depth} conv layers × ${net.features}${net.skips ? ` (${(net.depth - 2) / 2} residual blocks)` : ''}${net.noiseLevelInput ? ', noise-level map input' : ''}`;
  if (net.type === 'conv-ae') {
    const ratio = (4 ** net.stages.length * net.channels) / net.bottleneck;
    return `conv autoencoder${v}, stride-2 stages ${[net.channels, ...net.stages].join('→')}, bottleneck ${net.bottleneck} channels (compression ${ratio}:1)`;
  }
  return `dense autoencoder${v} ${net.widths.join('-')}`;
}

const card = {
  name: values.name,
  architecture: summary(net, arch.variant.type),
  architectureSpec: arch,
  params: info.parameterCount,
  inputChannels: net.channels ?? null,
  noiseLevelInput: Boolean(net.noiseLevelInput),
  trainingNoise: training.noise ?? null,
  metrics,
  description: [
    arch.description,
    `Training data: ${training.data}.`,
    `Training: ${training.steps} steps, ${training.wallTime} on ${training.machine}.`,
    `Reproduce: ${training.recipe}`,
  ]
    .filter(Boolean)
    .join(' '),
  trainingSteps: training.steps,
  createdAt: new Date().toISOString().slice(0, 10),
};
const out = values.model.replace(/\.onnx$/, '.json');
writeFileSync(out + '.tmp', JSON.stringify(card, null, 2) + '\n');
renameSync(out + '.tmp', out);
console.error(`wrote ${out}`);
