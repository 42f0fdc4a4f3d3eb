// What the whole renderer shares: the app info (which job kinds this build runs), the model
// catalogue, the settings, and which workspace is showing.
import { api } from '../api/index.js';
import type { AppInfo, JobKind, ModelCard, Settings } from '../api/index.js';
import { errorText } from './format.js';
import { notices } from './notices.svelte.js';

export type Workspace = 'denoise' | 'lab' | 'latent';

class AppState {
  info = $state<AppInfo | null>(null);
  models = $state<ModelCard[]>([]);
  settings = $state<Settings | null>(null);
  workspace = $state<Workspace>('denoise');
  /** The model the Denoise workspace uses (Lab's "Use in Denoise" sets it). */
  denoiseModelId = $state<string | null>(null);

  async load(): Promise<void> {
    try {
      const [info, settings] = await Promise.all([api.app.info(), api.settings.get()]);
      this.info = info;
      this.settings = settings;
      await this.refreshModels();
      if (this.denoiseModelId === null)
        this.denoiseModelId = settings.defaultModelId ?? this.imageModels[0]?.id ?? null;
    } catch (e) {
      notices.push(`Could not reach the Denoise Lab service: ${errorText(e)}`, 'error');
    }
  }

  async refreshModels(): Promise<void> {
    try {
      this.models = await api.models.list();
      if (this.denoiseModelId !== null && !this.imageModels.some((m) => m.id === this.denoiseModelId))
        this.denoiseModelId = this.imageModels[0]?.id ?? null;
    } catch (e) {
      notices.push(`Could not list the models: ${errorText(e)}`, 'error');
    }
  }

  /**
   * Models that take photos: all but dense autoencoders (those take fixed-size vectors such as the
   * 8×8 digits and live in the Latent workspace). The service lists the shipped default first.
   */
  get imageModels(): ModelCard[] {
    return this.models.filter(
      (m) => (m.architectureSpec as { network?: { type?: string } } | undefined)?.network?.type !== 'dense',
    );
  }

  /** Whether this build can run a job kind (the others answer "not available in this build yet"). */
  can(kind: JobKind): boolean {
    return this.info?.capabilities.jobKinds.includes(kind) ?? false;
  }

  get webDoor(): boolean {
    return (this.info?.door ?? api.door) === 'web';
  }

  async updateSettings(patch: Partial<Settings>): Promise<void> {
    try {
      this.settings = await api.settings.set(patch);
    } catch (e) {
      notices.push(`Could not save the settings: ${errorText(e)}`, 'error');
    }
  }

  /** Remembers a file the user opened (most recent first, no duplicates). */
  async addRecent(path: string): Promise<void> {
    const old = this.settings?.recentFiles ?? [];
    await this.updateSettings({ recentFiles: [path, ...old.filter((p) => p !== path)].slice(0, 12) });
  }
}

export const app = new AppState();
