import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { cli } from '../../helpers/cli.js';

describe('denoise-lab CLI', () => {
  it('prints the package version', async () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    const r = await cli('--version');
    expect(r).toEqual({ code: 0, out: `${pkg.version}\n`, err: '' });
  });

  it('prints help on --help and exits 0', async () => {
    const r = await cli('--help');
    expect(r.code).toBe(0);
    expect(r.out).toContain('Usage: denoise-lab <command> [options]');
  });

  it('rejects an unknown command with exit code 2 and a message on stderr', async () => {
    const r = await cli('frobnicate');
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toContain("unknown command 'frobnicate'");
  });
});
