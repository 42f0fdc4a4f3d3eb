// Denoise files and folders on the host into an output folder, keeping the folder structure.
// One bad file does not stop the batch: it is reported in the result. Each output is written
// atomically, so a cancelled batch leaves only complete files (those finished before the cancel).
import { mkdir, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { formatFromPath, readImage, writeImage } from '../../imaging/codec.js';
import { denoiseImage } from '../../imaging/denoise.js';
import { onnxModel } from '../model-cache.js';
import type { JobHandler } from './types.js';

const extensions = { png: '.png', jpeg: '.jpg', webp: '.webp', tiff: '.tif', avif: '.avif' } as const;

/** Where an input's result goes: same relative path; same format unless one is asked for (GIF → PNG). */
function outputFor(outDir: string, rel: string, asked: keyof typeof extensions | undefined) {
  const own = formatFromPath(rel);
  const format = asked ?? own ?? 'png';
  const stem = rel.slice(0, rel.length - path.extname(rel).length);
  return { file: path.join(outDir, asked || !own ? stem + extensions[format] : rel), format };
}

/** Image files under a folder (recursive, sorted), as paths relative to it. */
async function imageFilesUnder(dir: string, rel = ''): Promise<string[]> {
  const entries = await readdir(path.join(dir, rel), { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const files: string[] = [];
  for (const e of entries) {
    const r = path.join(rel, e.name);
    if (e.isDirectory()) files.push(...(await imageFilesUnder(dir, r)));
    else if (e.isFile() && /\.(png|jpe?g|webp|tiff?|avif|gif)$/i.test(e.name)) files.push(r);
  }
  return files;
}

export const batchDenoise: JobHandler<'batch-denoise'> = async (params, ctx) => {
  const outDir = path.resolve(params.outDir);
  const plan: { input: string; rel: string }[] = [];
  for (const input of params.inputs) {
    const st = await stat(input).catch(() => undefined);
    if (st?.isDirectory())
      for (const rel of await imageFilesUnder(input)) plan.push({ input: path.join(input, rel), rel });
    else plan.push({ input, rel: path.basename(input) });
  }
  const card = ctx.model(params.modelId);
  const model = await onnxModel(card.file, card.id);
  const files = [];
  for (const [i, item] of plan.entries()) {
    await ctx.checkpoint();
    ctx.progress({ fraction: i / plan.length, step: i, total: plan.length, message: item.rel });
    const started = Date.now();
    try {
      const image = await readImage(item.input);
      const { image: clean } = await denoiseImage(image, model, {
        ...(params.sigma === 'auto' ? {} : { sigma: params.sigma }),
        ...(params.tile ? { tile: params.tile } : {}),
        signal: ctx.signal,
      });
      const target = outputFor(outDir, item.rel, params.format);
      await mkdir(path.dirname(target.file), { recursive: true });
      await writeImage(clean, target.file, { format: target.format, overwrite: params.overwrite });
      files.push({ input: item.input, output: target.file, ok: true, seconds: (Date.now() - started) / 1000 });
    } catch (e) {
      if (ctx.isCancelled) throw e;
      files.push({
        input: item.input,
        output: null,
        ok: false,
        error: (e as Error).message,
        seconds: (Date.now() - started) / 1000,
      });
    }
  }
  ctx.progress({ fraction: 1, step: plan.length, total: plan.length, message: 'done' });
  return { files, failed: files.filter((f) => !f.ok).length };
};
