// Planning a batch: which image files a list of inputs (files and folders) stands for, and where
// each result goes under an output folder. Shared by the CLI's `denoise` and the app's batch job,
// so both walk folders and name outputs the same way.
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { formatFromPath, type OutputFormat } from './codec.js';
import { listImageFiles } from './image-files.js';

const EXTENSION_OF: Record<OutputFormat, string> = {
  png: '.png',
  jpeg: '.jpg',
  webp: '.webp',
  tiff: '.tif',
  avif: '.avif',
};

/** One file of a batch. */
export interface BatchItem {
  /** The file to read, as given or joined to the folder it was found in. */
  input: string;
  /** Its path relative to the input folder it was found in (its base name for a file input). */
  rel: string;
  /** Where its result goes. */
  output: string;
  /** The format to write `output` in. */
  format: OutputFormat;
}

/**
 * Where a result goes under `outDir`: the same relative path, in the input's own format unless
 * `format` asks for another; inputs in a format we do not write (GIF) become PNG.
 */
function batchOutput(outDir: string, rel: string, format?: OutputFormat): { file: string; format: OutputFormat } {
  const own = formatFromPath(rel);
  const chosen = format ?? own ?? 'png';
  const stem = rel.slice(0, rel.length - path.extname(rel).length);
  return { file: path.join(outDir, format || !own ? stem + EXTENSION_OF[chosen] : rel), format: chosen };
}

/**
 * The batch for `inputs` written into `outDir`: folders are searched recursively (following
 * symbolic links, see image-files.ts) and keep their structure under `outDir`; any other input (a file, or a path that is missing) is planned as is,
 * so that the batch reports it as a failed file instead of stopping.
 */
export async function planBatch(
  inputs: readonly string[],
  outDir: string,
  format?: OutputFormat,
): Promise<BatchItem[]> {
  const plan: BatchItem[] = [];
  const add = (input: string, rel: string) => {
    const target = batchOutput(outDir, rel, format);
    plan.push({ input, rel, output: target.file, format: target.format });
  };
  for (const input of inputs) {
    const st = await stat(input).catch(() => undefined);
    if (st?.isDirectory())
      for (const rel of await listImageFiles(input, { recursive: true, exclude: outDir }))
        add(path.join(input, rel), rel);
    else add(input, path.basename(input));
  }
  return plan;
}
