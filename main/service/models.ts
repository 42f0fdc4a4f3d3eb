// The model catalogue: shipped models (package models/, read-only) and the user's trained and
// imported models (data folder models/). A model is an .onnx file with an optional card JSON of
// the same name (`<name>.json`, see modelCardFileSchema). Ids say where a model lives:
// `shipped/<name>` or `user/<name>`; only user models can be deleted.
import { readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { withCapabilities } from './capabilities.js';
import { modelCardFileSchema, ServiceError, type ModelCard, type ModelKind } from '../../common/contract/index.js';

export interface ModelFolders {
  shipped: string;
  user: string;
}

/** The models of a folder: its .onnx files, less the noise estimators that ship beside a model. */
async function onnxFiles(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir))
      .filter((f) => f.toLowerCase().endsWith('.onnx') && !f.toLowerCase().endsWith('.estimator.onnx'))
      .sort();
  } catch {
    return []; // a missing folder simply holds no models
  }
}

async function readCard(onnxPath: string, id: string, kind: ModelKind): Promise<ModelCard> {
  const stem = path.basename(onnxPath, path.extname(onnxPath));
  const base: Omit<ModelCard, 'capabilities'> = {
    id,
    name: stem,
    file: onnxPath,
    kind,
    architecture: 'unknown (no model card)',
    params: null,
    inputChannels: null,
    noiseLevelInput: false,
    trainingNoise: null,
    metrics: [],
  };
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path.join(path.dirname(onnxPath), `${stem}.json`), 'utf8'));
  } catch {
    return withCapabilities(base);
  }
  const card = modelCardFileSchema.safeParse(raw);
  // A broken card must not hide the model: list it with what is known.
  if (!card.success) return withCapabilities({ ...base, description: 'model card could not be read' });
  return withCapabilities({ ...base, ...card.data, id, file: onnxPath, kind });
}

/** The shipped model a fresh install denoises with; listed first. */
export const DEFAULT_MODEL_FILE = 'default.onnx';

/** The shipped models' cards, the default first. */
export async function listShippedModels(dir: string): Promise<ModelCard[]> {
  const files = (await onnxFiles(dir)).sort(
    (a, b) => Number(b === DEFAULT_MODEL_FILE) - Number(a === DEFAULT_MODEL_FILE),
  );
  const cards: ModelCard[] = [];
  for (const f of files)
    cards.push(await readCard(path.join(dir, f), `shipped/${path.basename(f, '.onnx')}`, 'shipped'));
  return cards;
}

export async function listModels(folders: ModelFolders): Promise<ModelCard[]> {
  const cards = await listShippedModels(folders.shipped);
  for (const f of await onnxFiles(folders.user)) {
    const file = path.join(folders.user, f);
    const card = await readCard(file, `user/${path.basename(f, '.onnx')}`, 'imported');
    // Trained models say so in their card (architectureSpec is written by the trainer).
    cards.push(card.architectureSpec !== undefined ? { ...card, kind: 'trained' } : card);
  }
  return cards;
}

export async function findModel(folders: ModelFolders, modelId: string): Promise<ModelCard> {
  const card = (await listModels(folders)).find((m) => m.id === modelId);
  if (!card) throw new ServiceError('not-found', `no model with id '${modelId}'`);
  return card;
}

export async function deleteModel(folders: ModelFolders, modelId: string): Promise<boolean> {
  const card = (await listModels(folders)).find((m) => m.id === modelId);
  if (!card) return false;
  if (card.kind === 'shipped')
    throw new ServiceError('forbidden', `'${card.name}' is a shipped model and cannot be deleted`);
  const stem = path.basename(card.file, '.onnx');
  await rm(card.file, { force: true });
  await rm(path.join(path.dirname(card.file), `${stem}.json`), { force: true });
  return true;
}
