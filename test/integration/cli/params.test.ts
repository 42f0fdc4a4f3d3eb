import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../../helpers/cli.js';
import { tempDir } from '../../helpers/temp-dir.js';

describe('denoise-lab params', () => {
  it('prints the parameter count', async () => {
    expect(await cli('params', '--arch', 'dense:8-3-8')).toEqual({ code: 0, out: '59\n', err: '' });
    expect((await cli('params', '--arch', 'dense:10-8-4-8-10')).out).toBe('254\n');
    expect((await cli('params', '--arch', 'ref-dae')).out).toBe('46849\n');
  });

  it('--json prints one document with the per-layer breakdown', async () => {
    const r = await cli('params', '--arch', 'dense:8-3-8', '--json');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out) as {
      params: number;
      layers: { name: string; params: number }[];
      overcomplete: boolean;
    };
    expect(doc.params).toBe(59);
    expect(doc.layers).toEqual([
      { name: 'enc0', kind: 'dense', params: 27 },
      { name: 'dec0', kind: 'dense', params: 32 },
    ]);
    expect(doc.overcomplete).toBe(false);
    expect(r.out.trim().split('\n')).toHaveLength(1);
  });

  it('reads an architecture JSON file', async () => {
    const dir = tempDir('dl-params-');
    const file = path.join(dir, 'a.json');
    writeFileSync(
      file,
      JSON.stringify({
        format: 'denoise-lab.architecture',
        version: 1,
        network: { type: 'dense', widths: [10, 4, 10] },
      }),
    );
    expect((await cli('params', '--arch', file)).out).toBe(`${10 * 4 + 4 + 4 * 10 + 10}\n`);
  });

  it('bad specs exit 2 with a message and no stdout', async () => {
    for (const spec of ['dense:8-3-9', 'dense:8-3', 'nonsense']) {
      const r = await cli('params', '--arch', spec);
      expect(r.code).toBe(2);
      expect(r.out).toBe('');
      expect(r.err).toMatch(/^denoise-lab params: /);
    }
    const missing = await cli('params');
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('--arch <spec> is required');
  });
});
