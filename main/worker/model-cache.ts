// ONNX sessions are slow to create and big: the worker keeps the last few open, keyed by file.
import { openOnnxModel, type OnnxModel } from '../imaging/onnx-runner.js';

const KEEP = 3;
const open = new Map<string, Promise<OnnxModel>>();

export function onnxModel(file: string, name: string): Promise<OnnxModel> {
  const hit = open.get(file);
  if (hit) {
    open.delete(file);
    open.set(file, hit);
    return hit;
  }
  const loading = openOnnxModel(file, { name });
  // A model that fails to load is not cached, so a fixed file can be tried again.
  loading.catch(() => open.delete(file));
  open.set(file, loading);
  while (open.size > KEEP) {
    const [oldest, session] = open.entries().next().value as [string, Promise<OnnxModel>];
    open.delete(oldest);
    void session.then((m) => m.close()).catch(() => undefined);
  }
  return loading;
}
