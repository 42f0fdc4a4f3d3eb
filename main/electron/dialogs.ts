// Native open/save/folder dialogs for the Electron door (the DialogHandlers of ApiService).
import { dialog, type BrowserWindow } from 'electron';
import type { DialogHandlers } from '../service/api-service.js';

export function nativeDialogs(window: () => BrowserWindow | null): DialogHandlers {
  return {
    async 'dialogs:openFiles'(req) {
      const win = window();
      const options: Electron.OpenDialogOptions = {
        properties: req.multiple ? ['openFile', 'multiSelections'] : ['openFile'],
        ...(req.title ? { title: req.title } : {}),
        ...(req.filters ? { filters: req.filters } : {}),
      };
      const r = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
      return r.canceled ? [] : r.filePaths;
    },
    async 'dialogs:openFolder'(req) {
      const win = window();
      const options: Electron.OpenDialogOptions = {
        properties: ['openDirectory'],
        ...(req.title ? { title: req.title } : {}),
      };
      const r = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
      return r.canceled ? null : (r.filePaths[0] ?? null);
    },
    async 'dialogs:saveFile'(req) {
      const win = window();
      const options: Electron.SaveDialogOptions = {
        ...(req.title ? { title: req.title } : {}),
        ...(req.defaultName ? { defaultPath: req.defaultName } : {}),
        ...(req.filters ? { filters: req.filters } : {}),
      };
      const r = win ? await dialog.showSaveDialog(win, options) : await dialog.showSaveDialog(options);
      return r.canceled || !r.filePath ? null : r.filePath;
    },
  };
}
