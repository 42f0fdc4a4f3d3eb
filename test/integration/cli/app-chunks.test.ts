// The app ships out/ except out/bench/ (electron-builder.yml). With code splitting, code shared by
// several entry points goes into chunks; the benchmarks are bundled apart (scripts/build.mjs) so
// that none of their code lands in out/chunks/, which ships. Each chunk's source map names the
// sources it was made from.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

describe("the app's chunks", () => {
  it('hold app code only, no benchmark code', () => {
    const dir = path.resolve('out/chunks');
    const maps = readdirSync(dir).filter((f) => f.endsWith('.js.map'));
    expect(maps.length).toBeGreaterThan(0);
    const sources = maps.flatMap(
      (f) => (JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as { sources: string[] }).sources,
    );
    // The check reads real source lists: the engine's code is among them.
    expect(sources.some((s) => s.includes('main/engine/'))).toBe(true);
    expect(sources.filter((s) => /(^|\/)bench\//.test(s))).toEqual([]);
  });
});
