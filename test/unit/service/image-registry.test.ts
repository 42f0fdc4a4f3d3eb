// The session's open images and the files the doors serve from the session folder: which exist,
// where, and that a download name cannot reach outside its export folder.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ImageInfo } from '../../../common/contract/index.js';
import { ImageRegistry } from '../../../main/service/image-registry.js';
import { tempDir } from '../../helpers/temp-dir.js';

let session: string;
beforeEach(() => {
  session = tempDir('dl-session-');
});
afterEach(() => rmSync(session, { recursive: true, force: true }));

const info = (imageId: string) => ({ imageId, name: `${imageId}.png` }) as unknown as ImageInfo;

describe('image registry', () => {
  it('knows an image once the worker announced it, and answers its preview file', () => {
    const images = new ImageRegistry(session);
    expect(images.has('a')).toBe(false);
    expect(images.previewFile('a')).toBeNull();
    expect(() => images.get('a')).toThrow(
      expect.objectContaining({ code: 'not-found', message: "no image with id 'a'" }),
    );
    images.add([info('a'), info('b')]);
    expect(images.get('b')).toEqual(info('b'));
    expect(images.previewFile('a')).toBe(path.join(session, 'images', 'a.png'));
  });

  it('answers a download inside its export folder, and nothing for a name that could leave it', () => {
    const images = new ImageRegistry(session);
    expect(images.downloadFile('f-1_2', 'photo denoised.jpg')).toBe(
      path.join(session, 'downloads', 'f-1_2', 'photo denoised.jpg'),
    );
    for (const [folder, name] of [
      ['..', 'x.jpg'],
      ['a/b', 'x.jpg'],
      ['a.b', 'x.jpg'],
      ['', 'x.jpg'],
      ['f', '../x.jpg'],
      ['f', '..\\x.jpg'],
      ['f', 'sub/x.jpg'],
      ['f', '.hidden'],
      ['f', '..'],
    ] as const)
      expect(images.downloadFile(folder, name), `${folder} ${name}`).toBeNull();
  });

  it('forgets a released image and removes its two files, and only those', async () => {
    const images = new ImageRegistry(session);
    mkdirSync(path.join(session, 'images'));
    for (const f of ['a.img', 'a.png', 'b.img', 'b.png']) writeFileSync(path.join(session, 'images', f), 'x');
    images.add([info('a'), info('b')]);
    expect(images.forget('a')).toBe(true);
    expect(images.forget('a')).toBe(false);
    expect(images.previewFile('a')).toBeNull();
    expect(existsSync(path.join(session, 'images', 'a.png'))).toBe(true); // until removeFiles
    await images.removeFiles('a');
    expect(readdirSync(path.join(session, 'images')).sort()).toEqual(['b.img', 'b.png']);
    await images.removeFiles('a'); // already gone: no error
  });
});
