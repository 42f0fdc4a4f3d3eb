// App info, settings and the dialogs' requests.
import { z } from 'zod';
import { exportFormatSchema, jobKindSchema, metadataModeSchema } from './jobs.js';

// App info, settings, dialogs

export const appInfoSchema = z.object({
  version: z.string(),
  door: z.enum(['electron', 'web']),
  dataDir: z.string(),
  platform: z.string(),
  cpus: z.number().int().positive(),
  capabilities: z.object({
    /** Native open/save/folder dialogs exist (Electron). Without them, type host paths. */
    nativeDialogs: z.boolean(),
    /** Results can be downloaded through the browser (web door). */
    downloads: z.boolean(),
    /** Job kinds this build can run (others answer "not available in this build yet"). */
    jobKinds: z.array(jobKindSchema),
  }),
});
export type AppInfo = z.infer<typeof appInfoSchema>;

const settingsFields = {
  theme: z.enum(['system', 'light', 'dark']),
  defaultModelId: z.string().nullable(),
  recentFiles: z.array(z.string()).max(50),
  exportFormat: exportFormatSchema,
  exportBitDepth: z.union([z.literal(8), z.literal(16)]),
  exportQuality: z.number().int().min(1).max(100),
  exportMetadata: metadataModeSchema,
  /** The folder the last export went to, offered again next time (null: none yet). */
  exportFolder: z.string().max(4096).nullable(),
  /** Largest image the app decodes, in megapixels (the header is checked before decoding). */
  maxMegapixels: z.number().min(1).max(2000),
};
/**
 * The app's default decoding limit, in megapixels: every full-frame camera (≤ 61 MP) fits, while
 * an image's working copies (float pixels, snapshot, result: ~40 bytes a pixel) stay near 2.5 GB,
 * which an 8 GB laptop can hold. The CLI, run by hand on one file at a time, keeps a higher one.
 */
export const APP_MAX_MEGAPIXELS = 64;
export const settingsSchema = z.object({
  theme: settingsFields.theme.default('system'),
  defaultModelId: settingsFields.defaultModelId.default(null),
  recentFiles: settingsFields.recentFiles.default([]),
  exportFormat: settingsFields.exportFormat.default('png'),
  exportBitDepth: settingsFields.exportBitDepth.default(8),
  exportQuality: settingsFields.exportQuality.default(92),
  exportMetadata: settingsFields.exportMetadata.default('keep'),
  exportFolder: settingsFields.exportFolder.default(null),
  maxMegapixels: settingsFields.maxMegapixels.default(APP_MAX_MEGAPIXELS),
});
/** A settings change: only the fields given are changed (no defaults filled in). */
export const settingsPatchSchema = z.strictObject(settingsFields).partial();
export type Settings = z.infer<typeof settingsSchema>;

export const fileFilterSchema = z.object({ name: z.string(), extensions: z.array(z.string()) });
export const openFilesRequestSchema = z.strictObject({
  title: z.string().max(200).optional(),
  filters: z.array(fileFilterSchema).max(20).optional(),
  multiple: z.boolean().default(true),
});
export const saveFileRequestSchema = z.strictObject({
  title: z.string().max(200).optional(),
  defaultName: z.string().max(255).optional(),
  filters: z.array(fileFilterSchema).max(20).optional(),
});
