// ONNX sessions are slow to create and big: the worker keeps the last few open, keyed by file and
// modification time (a model saved again under the same name gets a fresh session).
import { stat } from 'node:fs/promises';
import { openOnnxModel, type OnnxModel } from './onnx-runner.js';

const KEEP = 3;
const open = new Map<string, Promise<OnnxModel>>();

export async function onnxModel(file: string, name: string): Promise<OnnxModel> {
  // A missing file is reported by openOnnxModel itself, with the model's name.
  const mtime = await stat(file).then(
    (s) => s.mtimeMs,
    () => 0,
  );
  const key = `${file}@${mtime}`;
  const hit = open.get(key);
  if (hit) {
    open.delete(key);
    open.set(key, hit);
    return hit;
  }
  const loading = openOnnxModel(file, { name });
  // A model that fails to load is not cached, so a fixed file can be tried again.
  loading.catch(() => open.delete(key));
  open.set(key, loading);
  while (open.size > KEEP) {
    const [oldest, session] = open.entries().next().value as [string, Promise<OnnxModel>];
    open.delete(oldest);
    void session.then((m) => m.close()).catch(() => undefined);
  }
  return loading;
}
