// Trained model ↔ ONNX file. The export is the inference graph with its parameters frozen into
// initializers, opset 17, inputs 'input' (+ 'noise_level' [N, 1, H, W] = σ/255) and output
// 'output'; conv models have dynamic N, H, W (dense models: dynamic N). Its metadata carries the
// architecture JSON and a model card, so the file alone is enough to continue training it
// (--init), inspect it (info) or rebuild its encoder/decoder (latent views).

import type { Tensor } from '../engine/ir/tensor.js';
import { type Architecture, architectureToJson, parseArchitectureJson } from '../../common/model/architecture.js';
import { type SampleShape, buildInference, defaultSampleShape, sizeMultiple, summarize } from '../engine/nn/build.js';
import { parameterCount, paramSpecs } from '../../common/model/plan.js';
import { fromOnnx, inspectOnnx, toOnnx } from '../engine/onnx/index.js';

export const META_ARCHITECTURE = 'denoise_lab.architecture';
export const META_MODEL_CARD = 'denoise_lab.model_card';

/** What a trained model file says about itself (ONNX metadata), as opposed to the app's model card (common/contract). */
export interface EmbeddedCard {
  name: string | null;
  architecture: Architecture;
  params: number;
  summary: ReturnType<typeof summarize>;
  /** H and W of inputs must be multiples of this (conv autoencoders). */
  sizeMultiple: number;
  /** How it was trained (data, noise, steps, optimizer, final loss, evaluation…). */
  training: Record<string, unknown>;
}

export function modelCard(
  arch: Architecture,
  training: Record<string, unknown>,
  sample: SampleShape = defaultSampleShape(arch),
): EmbeddedCard {
  return {
    name: arch.name ?? null,
    architecture: arch,
    params: parameterCount(arch),
    summary: summarize(arch, sample),
    sizeMultiple: sizeMultiple(arch),
    training,
  };
}

/** ONNX bytes of a trained model. */
export function exportOnnx(
  arch: Architecture,
  params: ReadonlyMap<string, Tensor>,
  card: EmbeddedCard,
  producerVersion?: string,
): Uint8Array {
  const sample = defaultSampleShape(arch);
  const fg = buildInference(arch, { batch: 1, sampleShape: sample });
  const image: Record<number, string> = arch.network.type === 'dense' ? { 0: 'N' } : { 0: 'N', 2: 'H', 3: 'W' };
  const dynamicAxes: Record<string, Record<number, string>> = { input: image, output: image };
  if (fg.noiseLevel) dynamicAxes.noise_level = image;
  return toOnnx(fg.graph, {
    frozenParameters: new Map(paramSpecs(arch).map((s) => [s.name, params.get(s.name)!])),
    dynamicAxes,
    metadata: { [META_ARCHITECTURE]: architectureToJson(arch), [META_MODEL_CARD]: JSON.stringify(card) },
    graphName: arch.name ?? arch.network.type,
    docString: `Denoise Lab ${arch.network.type} autoencoder (${arch.variant.type})`,
    ...(producerVersion ? { producerVersion } : {}),
  });
}

/** Architecture and parameters of an ONNX file exported by this engine. */
export function importEngineModel(
  bytes: Uint8Array,
  source = 'model',
): { arch: Architecture; params: Map<string, Tensor>; card: EmbeddedCard | null } {
  let metadata;
  try {
    metadata = inspectOnnx(bytes).metadata;
  } catch (e) {
    throw new Error(`${source}: not a readable ONNX model (${(e as Error).message})`, { cause: e });
  }
  const text = metadata[META_ARCHITECTURE];
  if (!text) throw new Error(`${source}: not a Denoise Lab model (no '${META_ARCHITECTURE}' metadata)`);
  const arch = parseArchitectureJson(text, `${source} metadata`);
  // The graph's N, H, W are symbolic; any valid size will do to read the weights.
  const sample = defaultSampleShape(arch);
  const inputShapes: Record<string, number[]> = { input: [1, ...sample] };
  if (arch.network.type === 'residual' && arch.network.noiseLevelInput)
    inputShapes.noise_level = [1, 1, sample[1]!, sample[2]!];
  let model;
  try {
    model = fromOnnx(bytes, { inputShapes });
  } catch (e) {
    throw new Error(`${source}: not a readable ONNX model (${(e as Error).message})`, { cause: e });
  }
  const params = new Map<string, Tensor>();
  for (const s of paramSpecs(arch)) {
    const t = model.initializers.get(s.name);
    if (!t || t.shape.length !== s.shape.length || t.shape.some((d, i) => d !== s.shape[i]))
      throw new Error(`${source}: parameter '${s.name}' is missing or has the wrong shape`);
    params.set(s.name, t);
  }
  let card: EmbeddedCard | null;
  try {
    card = model.metadata[META_MODEL_CARD] ? (JSON.parse(model.metadata[META_MODEL_CARD]) as EmbeddedCard) : null;
  } catch {
    card = null; // a damaged card does not make the weights unusable
  }
  return { arch, params, card };
}
