// The main window's size, position and maximised state, remembered between runs in a small JSON
// file in userData. A missing, corrupt or off-screen state falls back to the defaults.
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../files/atomic-write.js';

export const windowStateSchema = z.object({
  x: z.number().int().optional(),
  y: z.number().int().optional(),
  width: z.number().int().min(960).max(16384),
  height: z.number().int().min(640).max(16384),
  maximized: z.boolean(),
});
export type WindowState = z.infer<typeof windowStateSchema>;

export const defaultWindowState: WindowState = { width: 1280, height: 800, maximized: false };

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Keep the saved position only if the window's title bar (its top 40 px) is on a display today. */
export function fitToDisplays(state: WindowState, displays: Rect[]): WindowState {
  if (state.x === undefined || state.y === undefined) return state;
  const { x, y, width } = state;
  const titleBarShows = displays.some(
    (d) =>
      Math.min(x + width, d.x + d.width) - Math.max(x, d.x) >= 100 &&
      Math.min(y + 40, d.y + d.height) - Math.max(y, d.y) >= 40,
  );
  return titleBarShows ? state : { width: state.width, height: state.height, maximized: state.maximized };
}

export async function loadWindowState(file: string): Promise<WindowState> {
  try {
    const parsed = windowStateSchema.safeParse(JSON.parse(await readFile(file, 'utf8')));
    return parsed.success ? parsed.data : defaultWindowState;
  } catch {
    return defaultWindowState;
  }
}

export async function saveWindowState(file: string, state: WindowState): Promise<void> {
  const valid = windowStateSchema.parse(state);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFileAtomic(file, new TextEncoder().encode(JSON.stringify(valid) + '\n'), { overwrite: true });
}
