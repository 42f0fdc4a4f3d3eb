// Where Denoise Lab keeps the user's own files (trained and imported models, checkpoints,
// settings). In Electron: app.getPath('userData'). Elsewhere (web host, CLI):
//   $DENOISE_LAB_DATA_DIR                        if set (tests and portable installs use this)
//   Linux:   $XDG_DATA_HOME/denoise-lab, else ~/.local/share/denoise-lab
//   macOS:   ~/Library/Application Support/denoise-lab
//   Windows: %APPDATA%\denoise-lab
// Shipped models stay in the package's models/ folder and are never written.
import { homedir } from 'node:os';
import path from 'node:path';

export interface DataDirOptions {
  /** Electron's userData folder, when running inside Electron. */
  electronUserData?: string;
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  home?: string;
}

export function resolveDataDir(options: DataDirOptions = {}): string {
  const env = options.env ?? process.env;
  if (env.DENOISE_LAB_DATA_DIR) return path.resolve(env.DENOISE_LAB_DATA_DIR);
  if (options.electronUserData) return options.electronUserData;
  const home = options.home ?? homedir();
  switch (options.platform ?? process.platform) {
    case 'darwin':
      return path.join(home, 'Library', 'Application Support', 'denoise-lab');
    case 'win32':
      return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'denoise-lab');
    default:
      return path.join(env.XDG_DATA_HOME || path.join(home, '.local', 'share'), 'denoise-lab');
  }
}

/** The sub-folders of the data folder. */
export function dataPaths(dataDir: string) {
  return {
    models: path.join(dataDir, 'models'),
    checkpoints: path.join(dataDir, 'checkpoints'),
    settings: path.join(dataDir, 'settings.json'),
  };
}
