// The worker's one model cache (ONNX sessions and engine models alike): least recently used out,
// a file saved again read afresh, failures not kept. The loader here only counts and labels, so
// the rules are tested without opening any model.
import { rmSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ModelCache } from '../../../main/ml/inference/model-cache.js';
import { tempDir } from '../../helpers/temp-dir.js';

const dir = tempDir('dl-model-cache-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function modelFile(name: string): { file: string } {
  const file = path.join(dir, name);
  writeFileSync(file, name);
  return { file };
}

/** A cache whose models are `file#n`, n counting the loads; `released` lists the models let go. */
function countingCache(keep: number, fail: Set<string> = new Set()) {
  let loads = 0;
  const released: string[] = [];
  const cache = new ModelCache<{ file: string }, string>({
    keep,
    load: async ({ file }) => {
      loads++;
      if (fail.has(file)) throw new Error(`${path.basename(file)} is broken`);
      return `${path.basename(file)}#${loads}`;
    },
    release: async (model) => {
      released.push(model);
    },
  });
  return { cache, released, loads: () => loads };
}

/** Lets the releases queued on settled promises run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('the model cache', () => {
  it('keeps the most recently used models and releases the least recently used one', async () => {
    const [a, b, c] = [modelFile('a.onnx'), modelFile('b.onnx'), modelFile('c.onnx')];
    const { cache, released, loads } = countingCache(2);
    expect(await cache.get(a)).toBe('a.onnx#1');
    expect(await cache.get(b)).toBe('b.onnx#2');
    expect(await cache.get(a)).toBe('a.onnx#1'); // a is now the most recently used
    expect(await cache.get(c)).toBe('c.onnx#3'); // so b leaves
    await settle();
    expect(released).toEqual(['b.onnx#2']);
    expect(await cache.get(a)).toBe('a.onnx#1');
    expect(await cache.get(b)).toBe('b.onnx#4'); // opened again; c leaves
    await settle();
    expect(released).toEqual(['b.onnx#2', 'c.onnx#3']);
    expect(loads()).toBe(4);
  });

  it('opens a model again when its file was saved again, and lets the old one go', async () => {
    const m = modelFile('m.onnx');
    const { cache, released } = countingCache(3);
    expect(await cache.get(m)).toBe('m.onnx#1');
    expect(await cache.get(m)).toBe('m.onnx#1');
    const later = new Date(Date.now() + 60_000);
    utimesSync(m.file, later, later);
    expect(await cache.get(m)).toBe('m.onnx#2');
    expect(await cache.get(m)).toBe('m.onnx#2');
    await settle();
    expect(released).toEqual(['m.onnx#1']);
  });

  it('keeps no failure: a broken or missing file is tried again, and the loader reports it', async () => {
    const broken = modelFile('broken.onnx');
    const fail = new Set([broken.file]);
    const { cache, loads } = countingCache(3, fail);
    await expect(cache.get(broken)).rejects.toThrow('broken.onnx is broken');
    fail.clear();
    expect(await cache.get(broken)).toBe('broken.onnx#2');
    const missing = { file: path.join(dir, 'missing.onnx') };
    expect(await cache.get(missing)).toBe('missing.onnx#3');
    expect(await cache.get(missing)).toBe('missing.onnx#4');
    expect(loads()).toBe(4);
  });
});
