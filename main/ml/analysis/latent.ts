// Latent-space views of a trained autoencoder, as plain functions for the renderer's Lab
// workspace: encode samples (the digits) to latent points with their labels, decode a latent
// point, a traversal grid over two latent dimensions, and every layer's feature maps. Each call
// builds the graph it needs at the batch size it is given, runs it once and frees it.

import type { Executor } from '../../engine/exec/executor.js';
import type { Graph } from '../../engine/ir/graph.js';
import { Tensor } from '../../engine/ir/tensor.js';
import type { Architecture } from '../../../common/model/architecture.js';
import {
  type SampleShape,
  buildDecoder,
  buildEncoder,
  buildInference,
  defaultSampleShape,
  latentShape,
} from '../../engine/nn/build.js';
import type { SampleDataset } from '../train/datasets.js';

/** A model's architecture and trained parameters (by graph parameter name). */
export interface ModelWeights {
  arch: Architecture;
  params: ReadonlyMap<string, Tensor>;
}

/** Compiles `graph`, feeds the parameters it declares plus `feeds`, runs it once, frees it. */
export async function runOnce(
  exec: Executor,
  graph: Graph,
  params: ReadonlyMap<string, Tensor>,
  feeds: Record<string, Tensor>,
): Promise<Record<string, Tensor>> {
  const all: Record<string, Tensor> = { ...feeds };
  for (const p of graph.parameters) {
    const t = params.get(p.name);
    if (!t) throw new Error(`model weights lack parameter '${p.name}'`);
    all[p.name] = t;
  }
  const compiled = await exec.compile(graph);
  try {
    return await compiled.run(all);
  } finally {
    await compiled.dispose();
  }
}

function sampleShapeFor(model: ModelWeights, sampleShape?: SampleShape): SampleShape {
  return sampleShape ?? defaultSampleShape(model.arch);
}

/** Encodes n samples ([n, ...sampleShape] values) to latent codes (a VAE's means). */
export async function encode(
  model: ModelWeights,
  exec: Executor,
  samples: Float32Array,
  n: number,
  sampleShape?: SampleShape,
): Promise<{ latent: Float32Array; shape: number[] }> {
  const shape = sampleShapeFor(model, sampleShape);
  const { graph, latent } = buildEncoder(model.arch, { batch: n, sampleShape: shape });
  const out = await runOnce(exec, graph, model.params, { input: new Tensor('float32', [n, ...shape], samples) });
  return { latent: out[latent.name]!.data as Float32Array, shape: [...latent.shape] };
}

/** Decodes n latent codes ([n, ...latentShape]) to reconstructions. */
export async function decode(
  model: ModelWeights,
  exec: Executor,
  latent: Float32Array,
  n: number,
  sampleShape?: SampleShape,
): Promise<{ output: Float32Array; shape: number[] }> {
  const shape = sampleShapeFor(model, sampleShape);
  const { graph, output, latent: lv } = buildDecoder(model.arch, { batch: n, sampleShape: shape });
  const out = await runOnce(exec, graph, model.params, { [lv.name]: new Tensor('float32', lv.shape, latent) });
  return { output: out[output.name]!.data as Float32Array, shape: [...output.shape] };
}

/** Latent points of every sample with its label (for the scatter plot); `dims` = latent size. */
export async function encodeDataset(
  model: ModelWeights,
  exec: Executor,
  data: SampleDataset,
): Promise<{ points: Float32Array; dims: number; labels: Int32Array | null }> {
  const { latent, shape } = await encode(model, exec, data.all, data.length, data.sampleShape);
  return { points: latent, dims: shape.slice(1).reduce((a, b) => a * b, 1), labels: data.labels ?? null };
}

export interface TraversalOptions {
  /** Latent point the grid is centred on (default: the origin, the VAE prior's mean). */
  base?: Float32Array;
  /** The latent dimensions varied along columns and rows (rows default to the next dimension). */
  dims: [number] | [number, number];
  /** Values each varied dimension takes, from..to inclusive (default −3..3: ±3σ of the prior). */
  range?: [number, number];
  /** A range per varied dimension (columns, rows), in place of `range`. */
  ranges?: [number, number][];
  /** Points along each varied dimension. */
  steps: number;
}

/**
 * Decodes a grid of latent points: dims[0] varies along columns, dims[1] (if given) along rows.
 * Returns rows·cols reconstructions, row major, each of the sample shape.
 */
export async function latentTraversal(
  model: ModelWeights,
  exec: Executor,
  o: TraversalOptions,
  sampleShape?: SampleShape,
): Promise<{
  images: Float32Array;
  rows: number;
  cols: number;
  /** The varied dimensions' values: along the columns, and along the rows (empty for one dimension). */
  values: number[];
  rowValues: number[];
  sampleShape: number[];
}> {
  const shape = sampleShapeFor(model, sampleShape);
  const lshape = latentShape(model.arch, shape);
  if (!lshape) throw new RangeError(`a ${model.arch.network.type} network has no latent space`);
  const d = lshape.reduce((a, b) => a * b, 1);
  if (!Number.isInteger(o.steps) || o.steps < 1 || o.steps > 64)
    throw new RangeError(`steps must be 1…64, got ${o.steps}`);
  for (const k of o.dims)
    if (!Number.isInteger(k) || k < 0 || k >= d) throw new RangeError(`latent dimension ${k} is not in 0…${d - 1}`);
  if (o.base && o.base.length !== d) throw new RangeError(`base point has ${o.base.length} values, the latent ${d}`);
  if (o.ranges && o.ranges.length !== o.dims.length)
    throw new RangeError(`${o.ranges.length} ranges for ${o.dims.length} varied dimensions`);
  const ranges = o.ranges ?? o.dims.map(() => o.range ?? [-3, 3]);
  const along = ([lo, hi]: [number, number]) =>
    Array.from({ length: o.steps }, (_, i) => (o.steps === 1 ? (lo + hi) / 2 : lo + ((hi - lo) * i) / (o.steps - 1)));
  const values = along(ranges[0]!);
  const rowValues = o.dims.length === 2 ? along(ranges[1]!) : [];
  const rows = o.dims.length === 2 ? o.steps : 1;
  const cols = o.steps;
  const latent = new Float32Array(rows * cols * d);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const at = (r * cols + c) * d;
      if (o.base) latent.set(o.base, at);
      latent[at + o.dims[0]] = values[c]!;
      if (o.dims.length === 2) latent[at + o.dims[1]] = rowValues[r]!;
    }
  }
  const { output } = await decode(model, exec, latent, rows * cols, shape);
  return { images: output, rows, cols, values, rowValues, sampleShape: [...shape] };
}

/** Every layer's output for one batch of inputs (feature maps of conv layers), by layer name. */
export async function featureMaps(
  model: ModelWeights,
  exec: Executor,
  input: Tensor,
  noiseLevel?: Tensor,
): Promise<Map<string, Tensor>> {
  const [n, ...shape] = input.shape;
  const fg = buildInference(model.arch, { batch: n!, sampleShape: shape, features: true });
  const feeds: Record<string, Tensor> = { input };
  if (fg.noiseLevel) {
    if (!noiseLevel) throw new RangeError('this model takes a noise-level map: pass one');
    feeds[fg.noiseLevel.name] = noiseLevel;
  }
  const out = await runOnce(exec, fg.graph, model.params, feeds);
  const maps = new Map<string, Tensor>();
  for (const name of fg.features.keys()) maps.set(name, out[`feature/${name}`]!);
  return maps;
}
