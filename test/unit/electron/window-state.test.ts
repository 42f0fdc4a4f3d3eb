import { afterAll, describe, expect, it } from 'vitest';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  defaultWindowState,
  fitToDisplays,
  loadWindowState,
  saveWindowState,
} from '../../../main/electron/window-state.js';
import { tempDir } from '../../helpers/temp-dir.js';

const dir = tempDir('dl-win-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('window state', () => {
  it('round-trips through its file and falls back to defaults on a corrupt one', async () => {
    const file = path.join(dir, 'sub', 'window-state.json');
    expect(await loadWindowState(file)).toEqual(defaultWindowState);
    await saveWindowState(file, { x: 10, y: 20, width: 1500, height: 900, maximized: true });
    expect(await loadWindowState(file)).toEqual({ x: 10, y: 20, width: 1500, height: 900, maximized: true });
    writeFileSync(file, '{"width": 5, "height": "tall"');
    expect(await loadWindowState(file)).toEqual(defaultWindowState);
    writeFileSync(file, '{"width": 100, "height": 100, "maximized": false}');
    expect(await loadWindowState(file)).toEqual(defaultWindowState); // below the minimum size
  });

  it('forgets a position that is no longer on any display', () => {
    const displays = [{ x: 0, y: 0, width: 1920, height: 1080 }];
    const onScreen = { x: 100, y: 100, width: 1280, height: 800, maximized: false };
    expect(fitToDisplays(onScreen, displays)).toEqual(onScreen);
    // Saved on a second monitor that has been unplugged.
    expect(fitToDisplays({ ...onScreen, x: 2500 }, displays)).toEqual({ width: 1280, height: 800, maximized: false });
    // Title bar above the top of the screen.
    expect(fitToDisplays({ ...onScreen, y: -500 }, displays)).toEqual({ width: 1280, height: 800, maximized: false });
    expect(fitToDisplays({ ...onScreen, x: 2500 }, [...displays, { x: 1920, y: 0, width: 2560, height: 1440 }]).x).toBe(
      2500,
    );
  });
});
