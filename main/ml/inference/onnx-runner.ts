// A thin adapter from an ONNX file to a TileRunner, on the engine's ORT executor (ort-node, CPU):
// the model is loaded as it is (engine/exec's ModelExecutor), so the session options and the
// telemetry switch are the engine's. It only checks shapes and bridges channel counts.
//
// Model convention: the first input is the image, NCHW float32 in [0, 1] with any names for the
// axes (H and W must be dynamic); an optional second input is the noise level σ/255, either a map
// [N, 1, H, W] or a tensor whose dims are all 1 (a scalar per image). The first output is the
// denoised image, same shape as the input.
// Size multiple: a model whose card says H and W must be multiples of m (Denoise Lab's
// half-resolution denoisers: 2) gets each tile mirrored out to the next multiple and cropped back.
// Channel bridging: a colour tile through a 1-channel model runs as a batch of its 3 channels
// (one run each when the batch size is fixed at 1); a gray tile through a 3-channel model is
// replicated to R = G = B and the 3 output channels are averaged back to one.

import { readFile } from 'node:fs/promises';
import { OrtError, createExecutor, type LoadedModel } from '../../engine/exec/index.js';
import { Tensor } from '../../engine/ir/index.js';
import { inspectOnnx } from '../../engine/onnx/index.js';
import { META_MODEL_CARD } from '../model-file.js';
import { cannotRead } from '../../imaging/codec.js';
import { cutPlanes, reflectPlanes, repeatPlane } from '../../imaging/image.js';
import { ImagingError } from '../../../common/errors.js';
import type { TileRunner } from '../../imaging/tiling.js';

export interface OnnxModel {
  runner: TileRunner;
  /** Colour channels the model takes (undefined: any). */
  channels: number | undefined;
  /** Whether the model has a noise-level input (it then needs a σ for every run). */
  takesSigma: boolean;
  inputNames: readonly string[];
  /** H and W multiple the model needs (from its card); tiles are padded to it. */
  sizeMultiple: number;
  close(): Promise<void>;
}

type Dim = number | string;
/** A noise level for a tile: one σ, or one per pixel (H×W); 0–255 scale. */
type Level = number | Float32Array;

function shapeText(shape: readonly Dim[]): string {
  return `[${shape.join(', ')}]`;
}

/**
 * H and W the model needs to be multiples of, from the model card that Denoise Lab embeds in its
 * exports (half-resolution denoisers need even sizes); 1 for other models.
 */
function sizeMultipleOf(bytes: Uint8Array): number {
  try {
    const card = inspectOnnx(bytes).metadata[META_MODEL_CARD];
    const m = card ? (JSON.parse(card) as { sizeMultiple?: unknown }).sizeMultiple : undefined;
    return typeof m === 'number' && Number.isInteger(m) && m > 1 && m <= 64 ? m : 1;
  } catch {
    return 1; // not ours, or unreadable: loading the model gives the real error
  }
}

/** Mirrors a C×H×W block out to C×H2×W2 (H2 ≥ H, W2 ≥ W), edge samples repeated half-sample style. */
export async function openOnnxModel(
  model: string | Uint8Array,
  opts: { threads?: number; name?: string } = {},
): Promise<OnnxModel> {
  const label = opts.name ?? (typeof model === 'string' ? model : 'model');
  const bytes =
    typeof model === 'string'
      ? await readFile(model).catch((e: NodeJS.ErrnoException) => {
          throw new ImagingError('not-found', `${label}: ${cannotRead(e)}`);
        })
      : model;
  const multiple = sizeMultipleOf(bytes);
  const executor = await createExecutor('ort-node', opts.threads ? { threads: opts.threads } : {});
  let session: LoadedModel;
  try {
    session = await executor.load(bytes, label);
  } catch (e) {
    const why = e instanceof OrtError ? e.reason : (e as Error).message.split('\n')[0]!;
    throw new ImagingError(
      'bad-model',
      /protobuf parsing failed/i.test(why)
        ? `${label}: not an ONNX model (it could not be parsed); pass a .onnx file exported by Denoise Lab or another ONNX tool`
        : `${label}: cannot load the ONNX model (${why})`,
    );
  }
  const bad = (why: string) => new ImagingError('bad-model', `${label}: ${why}`);

  const inputs = session.inputs;
  const image = inputs[0];
  const output = session.outputs[0];
  if (!image || image.type === null || !output || output.type === null)
    throw bad('the model has no tensor input or output');
  if (inputs.length > 2)
    throw bad(`the model has ${inputs.length} inputs; expected an image and optionally a noise level`);
  if (image.type !== 'float32') throw bad(`the image input '${image.name}' is ${image.type}, expected float32`);
  const shape = image.shape;
  if (shape.length !== 4)
    throw bad(
      shape.length === 2 && typeof shape[1] === 'number'
        ? `not an image model: it takes vectors of ${shape[1]} values, not pictures; use a denoising model made for images`
        : 'not an image model: its input is not a batch of pictures (channels, height, width); use a denoising model made for images',
    );
  const [n, c, h, w] = shape as [Dim, Dim, Dim, Dim];
  if (typeof h === 'number' || typeof w === 'number')
    throw bad(`the image input has a fixed size ${shapeText(shape)}; tiled denoising needs dynamic H and W`);
  if (typeof c === 'number' && c !== 1 && c !== 3) throw bad(`the image input has ${c} channels; expected 1 or 3`);
  if (typeof n === 'number' && n !== 1) throw bad(`the image input has a fixed batch of ${n}; expected 1 or dynamic`);
  const outShape = output.shape;
  if (outShape.length !== 4) throw bad(`the output has shape ${shapeText(outShape)}; expected [N, C, H, W]`);
  if (typeof c === 'number' && typeof outShape[1] === 'number' && outShape[1] !== c)
    throw bad(`the output has ${outShape[1]} channels but the input ${c}`);

  const noise = inputs[1];
  let noiseKind: 'map' | 'scalar' | undefined;
  let noiseShape: readonly Dim[] = [];
  if (noise) {
    if (noise.type !== 'float32') throw bad(`the second input '${noise.name}' must be a float32 noise level`);
    noiseShape = noise.shape;
    if (noiseShape.length === 4 && typeof noiseShape[2] === 'string' && typeof noiseShape[3] === 'string') {
      if (noiseShape[1] !== 1)
        throw bad(`the noise-level map '${noise.name}' must have 1 channel, has ${shapeText(noiseShape)}`);
      noiseKind = 'map';
    } else if (noiseShape.every((d) => d === 1 || (typeof d === 'string' && d === noiseShape[0]))) {
      noiseKind = 'scalar';
    } else {
      throw bad(
        `the second input '${noise.name}' has shape ${shapeText(noiseShape)}; expected [N, 1, H, W] or a scalar`,
      );
    }
  }
  const modelChannels = typeof c === 'number' ? c : undefined;
  const batchable = typeof n === 'string';

  /** One session run on a [batch, ch, hh, ww] tensor; returns the output data, shape-checked. */
  const runOnce = async (data: Float32Array, batch: number, ch: number, hh: number, ww: number, sigma?: Level) => {
    const h2 = Math.ceil(hh / multiple) * multiple;
    const w2 = Math.ceil(ww / multiple) * multiple;
    if (h2 === hh && w2 === ww) return runSized(data, batch, ch, hh, ww, sigma);
    if (sigma instanceof Float32Array) sigma = reflectPlanes(sigma, 1, ww, hh, { x: 0, y: 0, width: w2, height: h2 });
    // Pad each image of the batch by reflection to the model's size multiple, run, crop back.
    const per = ch * hh * ww;
    const padded = new Float32Array(batch * ch * h2 * w2);
    for (let b = 0; b < batch; b++)
      padded.set(
        reflectPlanes(data.subarray(b * per, (b + 1) * per), ch, ww, hh, { x: 0, y: 0, width: w2, height: h2 }),
        b * ch * h2 * w2,
      );
    const y = await runSized(padded, batch, ch, h2, w2, sigma);
    const out = new Float32Array(batch * per);
    for (let b = 0; b < batch; b++)
      out.set(
        cutPlanes(y.subarray(b * ch * h2 * w2, (b + 1) * ch * h2 * w2), ch, w2, h2, {
          x: 0,
          y: 0,
          width: ww,
          height: hh,
        }),
        b * per,
      );
    return out;
  };

  const runSized = async (data: Float32Array, batch: number, ch: number, hh: number, ww: number, sigma?: Level) => {
    const feeds: Record<string, Tensor> = { [image.name]: new Tensor('float32', [batch, ch, hh, ww], data) };
    if (noise && noiseKind) {
      if (sigma === undefined)
        throw new ImagingError(
          'bad-option',
          `${label}: this model needs a noise level (give --sigma or let it be estimated)`,
        );
      const dims =
        noiseKind === 'map' ? [batch, 1, hh, ww] : noiseShape.map((d) => (typeof d === 'string' ? batch : 1));
      const count = dims.reduce((a, b) => a * b, 1);
      const level = new Float32Array(count);
      if (typeof sigma === 'number') level.fill(sigma / 255);
      else if (noiseKind === 'map') {
        // One map per image of the batch (a colour photo through a grey model: the same map thrice).
        for (let b = 0; b < batch; b++) for (let i = 0; i < hh * ww; i++) level[b * hh * ww + i] = sigma[i]! / 255;
      } else {
        // A scalar-level model given a map: the map's mean.
        let sum = 0;
        for (let i = 0; i < sigma.length; i++) sum += sigma[i]!;
        level.fill(sum / sigma.length / 255);
      }
      feeds[noise.name] = new Tensor('float32', dims, level);
    }
    let result;
    try {
      result = await session.run(feeds, [output.name]);
    } catch (e) {
      throw bad(`inference failed (${e instanceof OrtError ? e.reason : (e as Error).message.split('\n')[0]})`);
    }
    const out = result[output.name]!;
    const dims = out.shape;
    if (dims.length !== 4 || dims[0] !== batch || dims[1] !== ch || dims[2] !== hh || dims[3] !== ww)
      throw bad(
        `the model returned ${dims.length === 4 ? `a ${dims[3]}×${dims[2]} image with ${dims[1]} channel(s)` : 'something other than an image'} ` +
          `for a ${ww}×${hh} tile with ${ch} channel(s); a denoiser must return an image of its input's size (is this a denoising model?)`,
      );
    return out.data as Float32Array;
  };

  const runner: TileRunner = async (input, { c: tc, h: th, w: tw }, extra) => {
    const sigma: Level | undefined = extra?.sigmaMap ?? extra?.sigma;
    const plane = th * tw;
    if (modelChannels === undefined || modelChannels === tc) return runOnce(input, 1, tc, th, tw, sigma);
    if (modelChannels === 1) {
      // Colour through a gray model: each channel on its own.
      if (batchable) return runOnce(input, tc, 1, th, tw, sigma);
      const out = new Float32Array(input.length);
      for (let k = 0; k < tc; k++)
        out.set(await runOnce(input.slice(k * plane, (k + 1) * plane), 1, 1, th, tw, sigma), k * plane);
      return out;
    }
    if (tc === 1) {
      // Gray through a colour model: R = G = B in, mean of R, G, B out.
      const y = await runOnce(repeatPlane(input, 3), 1, 3, th, tw, sigma);
      const out = new Float32Array(plane);
      for (let i = 0; i < plane; i++) out[i] = (y[i]! + y[plane + i]! + y[2 * plane + i]!) / 3;
      return out;
    }
    throw bad(`cannot run a ${tc}-channel image through a ${modelChannels}-channel model`);
  };

  return {
    runner,
    channels: modelChannels,
    takesSigma: noiseKind !== undefined,
    inputNames: inputs.map((v) => v.name),
    sizeMultiple: multiple,
    close: () => session.dispose(),
  };
}
