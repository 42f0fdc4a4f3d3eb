// Export a model's ONNX file: to a path on the host, or (web door) to a temporary file behind a
// download URL. Every model in the catalogue is already an ONNX file (a saved trained model has
// its architecture and training in the file's metadata), so exporting is a verified, atomic copy.
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { safeFileName } from '../../files/file-name.js';
import { writeFileAtomic } from '../../files/atomic-write.js';
import { writeFileOnClash } from '../../files/clash.js';
import { ServiceError } from '../../../common/contract/index.js';
import type { JobHandler } from './types.js';

export const exportOnnx: JobHandler<'export-onnx'> = async (params, ctx) => {
  const model = ctx.model(params.modelId);
  const bytes = await readFile(model.file).catch((e: Error) => {
    // The models folder is the app's business: the path goes to the log, not into the message.
    console.warn(`export-onnx: cannot read ${model.file}: ${e.message}`);
    throw new ServiceError('not-found', `model '${model.id}' cannot be read; try reinstalling or re-importing it`);
  });
  await ctx.checkpoint();
  const dest = params.destination;
  if (dest.kind === 'path') {
    if (path.extname(dest.path).toLowerCase() !== '.onnx')
      throw new ServiceError('bad-request', `${dest.path}: an ONNX model file must end in .onnx`);
    const file = await writeFileOnClash(path.resolve(dest.path), bytes, dest.onClash);
    return { path: file, downloadUrl: null, fileName: path.basename(file), byteLength: (await stat(file)).size };
  }
  const fallback = `${path.basename(model.file, path.extname(model.file))}.onnx`;
  let fileName = safeFileName(dest.fileName ?? fallback);
  if (path.extname(fileName).toLowerCase() !== '.onnx') fileName += '.onnx';
  const folderId = randomUUID();
  const dir = path.join(ctx.config.sessionDir, 'downloads', folderId);
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, fileName);
  await writeFileAtomic(file, bytes);
  return {
    path: file,
    downloadUrl: `api/downloads/${folderId}/${encodeURIComponent(fileName)}`,
    fileName,
    byteLength: bytes.length,
  };
};
