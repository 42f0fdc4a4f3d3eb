// `--data <folder|file.npy|digits>` → a dataset shaped for the architecture. Shared by the CLI
// and the worker so both read training data the same way.

import { stat } from 'node:fs/promises';
import type { Architecture } from '../../../common/model/architecture.js';
import { checkSampleShape, sizeMultiple } from '../../engine/nn/build.js';
import {
  type Dataset,
  DatasetError,
  loadDigits,
  loadImageFolder,
  loadNpyDataset,
  withSampleShape,
} from './datasets.js';

export interface SourceOptions {
  /** Random patch size (folders: default 48, rounded to the conv autoencoder's size multiple). */
  patch?: number;
  /** Flips/rotations of patches (default: on for folders, off for .npy). */
  augment?: boolean;
  /** Folders a folder's photos must lie in once links are followed (see FolderOptions). */
  within?: readonly string[];
}

/** The sample shape the architecture wants for data of the given shape. */
function shapeFor(arch: Architecture, shape: readonly number[]): readonly number[] {
  const net = arch.network;
  const size = shape.reduce((a, b) => a * b, 1);
  if (net.type === 'dense') return [size];
  if (shape.length === 1) {
    // Vectors as square images (the digits' 64 values are 8×8).
    const side = Math.round(Math.sqrt(size / net.channels));
    if (side * side * net.channels === size) return [net.channels, side, side];
  }
  return shape;
}

export async function openDataset(spec: string, arch: Architecture, o: SourceOptions = {}): Promise<Dataset> {
  let ds: Dataset;
  if (spec === 'digits') {
    if (o.patch !== undefined) throw new DatasetError('--patch does not apply to the 8×8 digits');
    ds = await loadDigits();
  } else if (spec.toLowerCase().endsWith('.npy')) {
    ds = await loadNpyDataset(spec, {
      ...(o.patch !== undefined ? { patch: o.patch } : {}),
      augment: o.augment ?? false,
    });
  } else {
    const st = await stat(spec).catch(() => undefined);
    if (!st)
      throw new DatasetError(`${spec}: no such file or folder (expected a folder of images, a .npy file, or 'digits')`);
    if (!st.isDirectory()) throw new DatasetError(`${spec}: expected a folder of images, a .npy file, or 'digits'`);
    const m = sizeMultiple(arch);
    const patch = o.patch ?? Math.max(m, Math.round(48 / m) * m);
    const channels = arch.network.type === 'dense' ? 1 : arch.network.channels;
    if (channels !== 1 && channels !== 3)
      throw new DatasetError(`image folders give 1 or 3 channels; the network takes ${channels}`);
    ds = await loadImageFolder(spec, {
      patch,
      channels,
      augment: o.augment ?? true,
      ...(o.within ? { within: o.within } : {}),
    });
  }
  const shaped = withSampleShape(ds, shapeFor(arch, ds.sampleShape));
  try {
    checkSampleShape(arch, shaped.sampleShape);
  } catch (e) {
    throw new DatasetError(`${ds.description} does not fit the architecture: ${(e as Error).message}`);
  }
  return shaped;
}
