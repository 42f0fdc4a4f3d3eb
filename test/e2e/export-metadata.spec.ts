// Export through the app keeps every metadata block in every format, and a taken name is a
// question (replace / keep both / cancel), asked once for a whole batch — for photos and for
// re-importing a model. Sources are made with ExifTool; results are read back with it.
import { mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { test, expect, type Page } from '@playwright/test';
import { ExifTool } from 'exiftool-vendored';
import sharp from 'sharp';
import { startBuiltHost, type StartedHost } from './host.js';
import { dropFiles, imagingModel, importModelThroughUi } from './fixtures/ui.js';
import { readFileSync } from 'node:fs';
import { locationTags, MAKER_NOTE, PHOTO_FORMATS, readTags, richPhoto } from '../helpers/rich-photo.js';
import { tempDir } from '../helpers/temp-dir.js';

const et = new ExifTool({ maxProcs: 1 });
let host: StartedHost;
let work: string;
const sources: string[] = [];

test.beforeAll(async () => {
  work = tempDir('dl-e2e-meta-');
  // Exports go to folders typed into the dialog: the web door writes only inside what it shares.
  host = await startBuiltHost(['--allow', work]);
  for (const f of PHOTO_FORMATS)
    sources.push(await richPhoto(et, work, `from-${f.format}`, f.format, { width: 40, height: 24 }));
});
test.afterAll(async () => {
  await host.stop();
  await et.end();
});

/** Starts "Export all" into `folder`. */
async function exportAll(page: Page, folder: string, format: string, metadata = 'keep') {
  await page.getByRole('button', { name: /^Export all/ }).click();
  const dialog = page.getByRole('dialog', { name: /^Export all/ });
  await dialog.getByLabel('Format').selectOption(format);
  await dialog.getByLabel('Metadata').selectOption(metadata);
  await dialog.getByRole('radio', { name: 'A folder on this computer' }).check();
  await dialog.getByLabel('Destination folder').fill(folder);
  await dialog.getByTestId('export-confirm').click();
}

/** The export dialog closes when its batch has ended. */
const batchDone = (page: Page) =>
  expect(page.getByRole('dialog', { name: /^Export all/ })).toBeHidden({ timeout: 30_000 });

test('export keeps all metadata in every format; a taken name is asked about once per batch', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(host.url);
  await dropFiles(
    page,
    'dropzone',
    sources.map((file) => ({ name: path.basename(file), bytes: readFileSync(file), type: 'application/octet-stream' })),
  );
  await expect(page.getByTestId('queue-status')).toHaveText(['Ready', 'Ready', 'Ready', 'Ready']);
  await importModelThroughUi(page, imagingModel('blur5_rgb.onnx'));
  await page.getByRole('button', { name: /^Denoise all/ }).click();
  await expect(page.getByTestId('queue-status')).toHaveText(['Denoised', 'Denoised', 'Denoised', 'Denoised'], {
    timeout: 60_000,
  });

  // Every source format into every output format: 16 files, each read back.
  for (const { format, iptc } of PHOTO_FORMATS) {
    const folder = path.join(work, `out-${format}`);
    mkdirSync(folder);
    await exportAll(page, folder, format);
    await batchDone(page);
    expect(readdirSync(folder)).toHaveLength(4);
    for (const name of readdirSync(folder)) {
      const file = path.join(folder, name);
      const tags = await readTags(et, file);
      const what = `${name} as ${format}`;
      expect(tags['IFD0:Make'], what).toBe('Acme');
      expect(tags['ExifIFD:MakerNoteUnknownText'], what).toBe(MAKER_NOTE);
      expect(tags['GPS:GPSLatitude'], what).toBeCloseTo(48.8584, 4);
      expect(tags['XMP-dc:Title'], what).toBe('Eiffel at dusk');
      // IPTC only where both the source and the output format have an IPTC block.
      if (iptc && !name.startsWith('from-webp')) expect(tags['IPTC:Keywords'], what).toBe('tower');
      expect(String(tags['ICC_Profile:ProfileDescription']), what).toMatch(/P3/);
      expect(tags['IFD0:Orientation'], what).toBe(1);
      const meta = await sharp(file).metadata();
      expect([meta.width, meta.height], what).toEqual([24, 40]); // upright, as shown
    }
  }

  // Without the location.
  const noGps = path.join(work, 'no-gps');
  mkdirSync(noGps);
  await exportAll(page, noGps, 'jpeg', 'no-gps');
  await batchDone(page);
  expect(readdirSync(noGps)).toHaveLength(4);
  for (const name of readdirSync(noGps)) {
    const tags = await readTags(et, path.join(noGps, name));
    expect(locationTags(tags), name).toEqual([]);
    expect(tags['XMP-dc:Title'], name).toBe('Eiffel at dusk');
  }

  // The same batch into the same folder: one question, and "keep both for all" writes "(2)" copies.
  const folder = path.join(work, 'out-png');
  const before = readdirSync(folder).sort();
  await exportAll(page, folder, 'png');
  const question = page.getByRole('dialog', { name: 'The name is taken' });
  await expect(question).toBeVisible();
  await expect(question).toContainText('Your answer applies to every file of this export');
  await question.getByRole('button', { name: 'Keep both for all' }).click();
  await batchDone(page);
  expect(readdirSync(folder)).toHaveLength(8);
  expect(readdirSync(folder).filter((n) => n.includes(' (2).png'))).toHaveLength(4);
  await expect(question).toBeHidden();

  // Again: cancel changes nothing; replace all replaces without more copies.
  await exportAll(page, folder, 'png');
  await question.getByRole('button', { name: 'Cancel' }).click();
  await batchDone(page);
  expect(readdirSync(folder)).toHaveLength(8);
  await exportAll(page, folder, 'png', 'strip');
  await question.getByRole('button', { name: 'Replace all' }).click();
  await batchDone(page);
  expect(readdirSync(folder).sort()).toEqual([...before, ...before.map((n) => n.replace('.png', ' (2).png'))].sort());
  for (const name of before)
    expect((await readTags(et, path.join(folder, name)))['XMP-dc:Title'], name).toBeUndefined();

  // Re-importing the same model: asked, kept both under a new name; no internal path in the text.
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: 'Import…' }).click();
  await (await chooser).setFiles(imagingModel('blur5_rgb.onnx'));
  await expect(question).toBeVisible();
  const text = await page.getByTestId('clash-text').textContent();
  expect(text).toBe("a model named 'blur5_rgb' already exists; replace it, keep both or choose another name");
  await question.getByRole('button', { name: 'Keep both' }).click();
  await expect(page.getByText('Imported blur5_rgb-2')).toBeVisible();
  expect(errors).toEqual([]);
});
