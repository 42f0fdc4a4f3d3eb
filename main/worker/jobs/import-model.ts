// Import an external ONNX denoiser: check that onnxruntime can load it and that it looks like an
// image-to-image model (NCHW float32 input with 1 or 3 channels, optional noise-level input), then
// copy it into the user's models folder with a model card.
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { OrtError, createExecutor, type LoadedModel } from '../../engine/exec/index.js';
import { writeFileAtomic } from '../../files/atomic-write.js';
import { dataPaths } from '../../service/data-dir.js';
import { withCapabilities } from '../../service/capabilities.js';
import { ServiceError, type ModelCard, type ModelCardFile } from '../../../common/contract/index.js';
import type { JobHandler } from './types.js';
import { safeFileName } from '../../files/file-name.js';
import { writeModelFile } from './save-model.js';

export const importModel: JobHandler<'import-model'> = async (params, ctx) => {
  const source = path.resolve(params.path);
  // Messages and the card name the file, not its folder: in the web door that folder is a
  // temporary upload folder that means nothing to the user.
  const shown = path.basename(source);
  if (path.extname(source).toLowerCase() !== '.onnx')
    throw new ServiceError('bad-request', `${shown}: only .onnx models can be imported`);
  const bytes = await readFile(source).catch((e: Error) => {
    throw new ServiceError('not-found', `${shown}: cannot read (${e.message})`);
  });
  ctx.progress({ fraction: 0.2, message: 'checking the model' });
  let session: LoadedModel;
  try {
    session = await (await createExecutor('ort-node')).load(bytes, source);
  } catch (e) {
    const why = e instanceof OrtError ? e.reason : (e as Error).message.split('\n')[0];
    throw new ServiceError('bad-request', `${shown}: not a valid ONNX model (${why})`);
  }
  const inputs = session.inputs;
  await session.dispose();
  const image = inputs[0];
  if (image?.type !== 'float32' || image.shape.length !== 4)
    throw new ServiceError('bad-request', `${shown}: the first input must be a float32 N×C×H×W image tensor`);
  const c = image.shape[1];
  const inputChannels = typeof c === 'number' ? c : null;
  if (inputChannels !== null && inputChannels !== 1 && inputChannels !== 3)
    throw new ServiceError('bad-request', `${shown}: the image input has ${inputChannels} channels (1 or 3 expected)`);
  await ctx.checkpoint();

  const name = params.name ?? path.basename(source, '.onnx');
  const folder = dataPaths(ctx.config.dataDir).models;
  await mkdir(folder, { recursive: true });
  const file = path.join(folder, `${safeFileName(name).replace(/\s+/g, '-')}.onnx`);
  const card: ModelCardFile = {
    name,
    architecture: `imported ONNX (${inputs.length} input${inputs.length > 1 ? 's' : ''})`,
    params: null,
    inputChannels,
    noiseLevelInput: inputs.length >= 2,
    trainingNoise: null,
    metrics: [],
    description: `Imported from ${shown}.`,
    createdAt: new Date().toISOString(),
  };
  // The model first, then its card: a card never points at a missing model.
  const written = await writeModelFile(file, bytes, params.onClash, name);
  const stem = path.basename(written, '.onnx');
  if (written !== file) card.name = stem;
  await writeFileAtomic(
    path.join(folder, `${stem}.json`),
    new TextEncoder().encode(JSON.stringify(card, null, 2) + '\n'),
    {
      overwrite: true,
    },
  );
  const result: ModelCard = withCapabilities({
    ...card,
    id: `user/${stem}`,
    file: written,
    kind: 'imported',
    architecture: card.architecture!,
    params: null,
    inputChannels,
    noiseLevelInput: card.noiseLevelInput!,
    trainingNoise: null,
    metrics: [],
  });
  return result;
};
