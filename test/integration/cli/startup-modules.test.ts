// What the built CLI loads before it runs any command: the packages its entry imports statically,
// through its own chunks. An executor's runtime is imported where it is chosen
// (engine/exec/index.ts) and ExifTool where metadata is first copied (imaging/metadata.ts), so none
// of them may be among these. Without code splitting the bundle inlined the executors, and
// `denoise-lab --version` paid for loading both ONNX Runtimes (0.49 s instead of 0.34 on the
// development machine).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/** The packages reachable from `entry` by static imports, following relative imports between built files. */
function staticPackages(entry: string): Set<string> {
  const seen = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const source = readFileSync(file, 'utf8');
    // Static import statements only (esbuild writes each at the start of a line); import() is lazy.
    for (const m of source.matchAll(/^import\s+(?:[^'";]*?\s+from\s+)?["']([^"']+)["'];?/gm)) {
      const target = m[1]!;
      if (target.startsWith('.')) visit(path.resolve(path.dirname(file), target));
      else if (!target.startsWith('node:')) packages.add(target);
    }
  };
  visit(path.resolve(entry));
  return packages;
}

describe('the CLI at start-up', () => {
  it('loads neither ONNX Runtime until a command asks for an executor, nor ExifTool until metadata is copied', () => {
    const loaded = staticPackages('out/cli/index.js');
    // The walk itself works: the CLI does load its image library at start-up.
    expect(loaded).toContain('sharp');
    expect(loaded).not.toContain('onnxruntime-web');
    expect(loaded).not.toContain('onnxruntime-node');
    expect(loaded).not.toContain('exiftool-vendored');
  });
});
