// Settings written before the metadata choice had three options keep what the person chose.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSettings } from '../../../main/service/settings.js';
import { tempDir } from '../../helpers/temp-dir.js';

describe('readSettings', () => {
  it('maps the old keepMetadata switch onto exportMetadata', async () => {
    const dir = tempDir('settings-');
    const file = (name: string, body: object) => {
      const f = path.join(dir, name);
      writeFileSync(f, JSON.stringify(body));
      return f;
    };
    expect((await readSettings(file('off.json', { keepMetadata: false }))).exportMetadata).toBe('strip');
    expect((await readSettings(file('on.json', { keepMetadata: true }))).exportMetadata).toBe('keep');
    expect(
      (await readSettings(file('new.json', { keepMetadata: false, exportMetadata: 'no-gps' }))).exportMetadata,
    ).toBe('no-gps');
    expect((await readSettings(path.join(dir, 'missing.json'))).exportMetadata).toBe('keep');
  });
});
