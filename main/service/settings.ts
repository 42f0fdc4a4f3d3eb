// The user's settings: one JSON file in the data folder, validated on read (a corrupt or outdated
// file falls back to the defaults field by field) and written atomically.
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { settingsSchema, type Settings } from '../../common/contract/index.js';
import { writeFileAtomic } from '../files/atomic-write.js';

export async function readSettings(file: string): Promise<Settings> {
  let raw: unknown = {};
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch {
    // Missing or unreadable: start from the defaults.
  }
  // The old on/off 'keepMetadata' became the three-way 'exportMetadata': off still means none.
  if (raw && typeof raw === 'object' && !('exportMetadata' in raw) && 'keepMetadata' in raw)
    raw = { ...raw, exportMetadata: raw.keepMetadata === false ? 'strip' : 'keep' };
  const parsed = settingsSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  // Keep whatever fields are still valid, default the rest.
  const keep: Record<string, unknown> = {};
  if (raw && typeof raw === 'object') {
    for (const [k, v] of Object.entries(raw)) {
      const field = settingsSchema.shape[k as keyof Settings];
      if (field?.safeParse(v).success) keep[k] = v;
    }
  }
  return settingsSchema.parse(keep);
}

export async function writeSettings(file: string, patch: Partial<Settings>): Promise<Settings> {
  const next = settingsSchema.parse({ ...(await readSettings(file)), ...patch });
  await mkdir(path.dirname(file), { recursive: true });
  await writeFileAtomic(file, new TextEncoder().encode(JSON.stringify(next, null, 2) + '\n'), { overwrite: true });
  return next;
}
