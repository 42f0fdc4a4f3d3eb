// The one grant check behind both doors (main/service/path-grants.ts): real paths, segment-wise
// prefixes, symlinks, paths that do not exist yet, and how each door grants.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isInside } from '../../../main/files/path-inside.js';
import { grantHints, hostPathsOf, PathGrants } from '../../../main/service/path-grants.js';
import { ApiService, type DialogHandlers } from '../../../main/service/api-service.js';
import { ServiceError } from '../../../common/contract/index.js';
import type { JobService } from '../../../main/service/job-service.js';
import { tempDir } from '../../helpers/temp-dir.js';

const root = tempDir('dl-grants-');
const granted = path.join(root, 'granted');
const other = path.join(root, 'other');
mkdirSync(path.join(granted, 'sub'), { recursive: true });
mkdirSync(other);
writeFileSync(path.join(granted, 'sub', 'in.png'), 'x');
writeFileSync(path.join(other, 'secret.txt'), 'x');
symlinkSync(path.join(granted, 'sub'), path.join(granted, 'inner-link'));
symlinkSync(path.join(other, 'secret.txt'), path.join(granted, 'out-link'));
symlinkSync(path.join(other, 'not-yet'), path.join(granted, 'dangling'));
symlinkSync(path.join(granted, 'loop'), path.join(granted, 'loop'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const refused = { name: 'ServiceError', code: 'forbidden' };

describe('isInside', () => {
  it('compares path segments, not strings', () => {
    expect(isInside('/a/b', '/a/b')).toBe(true);
    expect(isInside('/a/b', '/a/b/c/d.png')).toBe(true);
    expect(isInside('/a/b', '/a/bc')).toBe(false);
    expect(isInside('/a/b', '/a')).toBe(false);
    expect(isInside('/a/b', '/a/b/../c')).toBe(false);
    expect(isInside('/a/b', '/a/b/..foo')).toBe(true); // a name starting with two dots is inside
  });
});

describe('PathGrants', () => {
  const grants = new PathGrants(grantHints.web, [granted]);

  it('accepts files, links and not-yet-existing targets inside a grant', async () => {
    await grants.check(path.join(granted, 'sub', 'in.png'));
    await grants.check(path.join(granted, 'inner-link', 'in.png'));
    await grants.check(path.join(granted, 'new', 'deeper', 'out.png'));
  });

  it('refuses outside, .., a link out of the grant, a dangling link and a link loop, naming the rule', async () => {
    for (const p of [
      path.join(other, 'secret.txt'),
      path.join(granted, '..', 'other', 'secret.txt'),
      path.join(granted, 'out-link'),
      path.join(granted, 'dangling'),
      path.join(granted, 'loop', 'x.png'),
      `${granted}-sibling/x.png`,
      '/',
    ]) {
      const e = await grants.check(p).then(
        () => null,
        (err: unknown) => err,
      );
      expect(e, p).toBeInstanceOf(ServiceError);
      expect(e).toMatchObject({ code: 'forbidden' });
      expect((e as Error).message).toBe(`Cannot use '${p}': ${grantHints.web}`);
    }
  });

  it('grants a single save target without its siblings', async () => {
    const g = new PathGrants(grantHints.electron);
    g.allowFile(path.join(other, 'picked.png'));
    await g.check(path.join(other, 'picked.png'));
    await expect(g.check(path.join(other, 'secret.txt'))).rejects.toMatchObject(refused);
  });

  it('finds every host path of the path-bearing requests', () => {
    expect(hostPathsOf('images:open', { path: 'a' })).toEqual(['a']);
    expect(hostPathsOf('models:import', { path: 'm' })).toEqual(['m']);
    const job = (kind: string, params: unknown) => hostPathsOf('jobs:start', { kind, params });
    expect(job('export', { destination: { kind: 'path', path: 'e' } })).toEqual(['e']);
    expect(job('export', { destination: { kind: 'download' } })).toEqual([]);
    expect(job('export-onnx', { destination: { kind: 'path', path: 'o' } })).toEqual(['o']);
    expect(job('batch-denoise', { inputs: ['i1', 'i2'], outDir: 'd' })).toEqual(['i1', 'i2', 'd']);
    expect(job('train', { data: { kind: 'folder', path: 'f' } })).toEqual(['f']);
    expect(job('train', { data: { kind: 'npy', path: 'n' } })).toEqual(['n']);
    expect(job('train', { data: { kind: 'digits' } })).toEqual([]);
    expect(job('open-image', { path: 'p' })).toEqual(['p']);
    expect(job('import-model', { path: 'q' })).toEqual(['q']);
  });
});

describe('the doors grant what the user handed over', () => {
  // A stand-in service whose jobs only say they were reached: the grant check runs before them.
  const dataDir = tempDir('dl-grants-data-');
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
  const jobs = {
    dataDir,
    run: async () => {
      throw new ServiceError('failed', 'reached the job');
    },
  } as unknown as JobService;
  const picked = path.join(granted, 'sub');
  const dialogs: DialogHandlers = {
    'dialogs:openFiles': async () => [],
    'dialogs:openFolder': async () => picked,
    'dialogs:saveFile': async () => null,
  };
  const photo = path.join(picked, 'in.png');

  it('Electron: a folder picked in the dialog, and a dropped file, become usable; nothing else', async () => {
    const api = new ApiService(jobs, { door: 'electron', dialogs });
    await expect(api.handle('images:open', { path: photo })).rejects.toThrow(grantHints.electron);
    await api.handle('dialogs:openFolder', {});
    await expect(api.handle('images:open', { path: photo })).rejects.toThrow('reached the job');
    const dropped = path.join(other, 'secret.txt');
    await expect(api.handle('images:open', { path: dropped, dropped: true })).rejects.toThrow('reached the job');
    await expect(api.handle('images:open', { path: path.join(root, 'granted', 'x.png') })).rejects.toMatchObject(
      refused,
    );
  });

  it('web: "dropped" grants nothing, the data folder is always usable', async () => {
    const api = new ApiService(jobs, { door: 'web' });
    await expect(api.handle('images:open', { path: photo, dropped: true })).rejects.toThrow(grantHints.web);
    await expect(api.handle('images:open', { path: path.join(dataDir, 'x.png') })).rejects.toThrow('reached the job');
  });
});
