// The CLI's launcher decisions (main/cli/huge-pages.ts): when a second process with huge pages is
// started, how the tunable joins others, and how one Ctrl-C that arrives twice counts once.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../helpers/temp-dir.js';
import {
  HUGE_PAGES_TUNABLE,
  lacksHugePages,
  onInterrupt,
  thpMode,
  wantsHugePages,
  withHugePages,
} from '../../../main/cli/huge-pages.js';

describe('wantsHugePages', () => {
  const linux = (args: string[], env: NodeJS.ProcessEnv = {}, execArgv: string[] = []) =>
    wantsHugePages(args, env, { platform: 'linux', execArgv, thp: 'madvise' });

  it('relaunches the heavy commands on Linux without the tunable', () => {
    for (const c of ['denoise', 'train', 'noise', 'metrics']) expect(linux([c, 'x'])).toBe(true);
    expect(linux(['denoise'], { GLIBC_TUNABLES: 'glibc.malloc.arena_max=2' })).toBe(true);
  });

  it('runs in place for light commands, other systems, the tunable already set, Node flags, or when switched off', () => {
    for (const args of [['info', 'm.onnx'], ['params'], ['--version'], ['--help'], []]) expect(linux(args)).toBe(false);
    expect(wantsHugePages(['denoise'], {}, { platform: 'darwin', execArgv: [], thp: null })).toBe(false);
    expect(wantsHugePages(['denoise'], {}, { platform: 'win32', execArgv: [], thp: null })).toBe(false);
    // A kernel that gives every process huge pages already, or none at all.
    expect(wantsHugePages(['denoise'], {}, { platform: 'linux', execArgv: [], thp: 'always' })).toBe(false);
    expect(wantsHugePages(['denoise'], {}, { platform: 'linux', execArgv: [], thp: 'never' })).toBe(false);
    expect(wantsHugePages(['denoise'], {}, { platform: 'linux', execArgv: [], thp: null })).toBe(false);
    expect(linux(['denoise'], { GLIBC_TUNABLES: 'glibc.malloc.hugetlb=0' })).toBe(false);
    expect(linux(['denoise'], { GLIBC_TUNABLES: 'glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1' })).toBe(false);
    expect(linux(['denoise'], {}, ['--inspect'])).toBe(false);
    expect(linux(['denoise'], { DENOISE_LAB_HUGE_PAGES: '0' })).toBe(false);
  });
});

describe('withHugePages', () => {
  it('adds the tunable and keeps the ones already set', () => {
    expect(withHugePages({ A: '1' })).toEqual({ A: '1', GLIBC_TUNABLES: HUGE_PAGES_TUNABLE });
    expect(withHugePages({ GLIBC_TUNABLES: 'glibc.malloc.arena_max=2' }).GLIBC_TUNABLES).toBe(
      'glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1',
    );
  });
});

describe('onInterrupt', () => {
  it('counts copies of one Ctrl-C within the window once, and a later press as a second', async () => {
    const calls: string[] = [];
    const handler = onInterrupt(
      () => calls.push('first'),
      () => calls.push('again'),
      50,
    );
    handler();
    handler(); // the launcher's copy of the same key press
    expect(calls).toEqual(['first']);
    await new Promise((r) => setTimeout(r, 80));
    handler();
    expect(calls).toEqual(['first', 'again']);
  });
});

describe('lacksHugePages (the app, started by `npm start`)', () => {
  it('is true on Linux (THP madvise) without the tunable, whatever the command', () => {
    const linux = { platform: 'linux', thp: 'madvise' } as const;
    expect(lacksHugePages({}, linux)).toBe(true);
    expect(lacksHugePages({ GLIBC_TUNABLES: HUGE_PAGES_TUNABLE }, linux)).toBe(false);
    expect(lacksHugePages({ DENOISE_LAB_HUGE_PAGES: '0' }, linux)).toBe(false);
    expect(lacksHugePages({}, { platform: 'linux', thp: 'always' })).toBe(false);
    expect(lacksHugePages({}, { platform: 'darwin', thp: null })).toBe(false);
  });
});

describe('thpMode', () => {
  it('reads the bracketed mode, and null where there is no such file', () => {
    const dir = tempDir('dl-thp-');
    for (const [text, mode] of [
      ['always [madvise] never\n', 'madvise'],
      ['[always] madvise never\n', 'always'],
      ['always madvise [never]\n', 'never'],
      ['garbage\n', null],
    ] as const) {
      writeFileSync(path.join(dir, 'enabled'), text);
      expect(thpMode(path.join(dir, 'enabled'))).toBe(mode);
    }
    expect(thpMode(path.join(dir, 'missing'))).toBeNull();
  });
});
