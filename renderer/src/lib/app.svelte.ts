// What the whole renderer shares: the app info (which job kinds this build runs), the model
// catalogue, the settings, and which workspace is showing.
import { api } from '../api/index.js';
import type { AppInfo, JobKind, ModelCard, Settings } from '../api/index.js';
import { int8TwinName, isInt8Twin } from '../../../common/model/index.js';
import { canUse } from './model-options.js';
import { notices } from './notices.svelte.js';

export type Workspace = 'denoise' | 'lab' | 'latent';

class AppState {
  info = $state<AppInfo | null>(null);
  models = $state<ModelCard[]>([]);
  settings = $state<Settings | null>(null);
  workspace = $state<Workspace>('denoise');
  /** The model picked in the Denoise workspace (Lab's "Use in Denoise" sets it). */
  denoiseModelId = $state<string | null>(null);
  /** "Fast": denoise with the picked model's int8 twin, where it has one. */
  fast = $state(false);

  async load(): Promise<void> {
    try {
      const [info, settings] = await Promise.all([api.app.info(), api.settings.get()]);
      this.info = info;
      this.settings = settings;
      await this.refreshModels();
      if (this.denoiseModelId === null) {
        const preferred = this.denoiseModels.find((m) => m.id === settings.defaultModelId);
        this.denoiseModelId = (preferred ?? this.denoiseModels[0])?.id ?? null;
      }
    } catch (e) {
      notices.failed(`Could not reach the Denoise Lab service`, e);
    }
  }

  async refreshModels(): Promise<void> {
    try {
      this.models = await api.models.list();
      if (this.denoiseModelId !== null && !this.denoiseModels.some((m) => m.id === this.denoiseModelId))
        this.denoiseModelId = this.denoiseModels[0]?.id ?? null;
    } catch (e) {
      notices.failed(`Could not list the models`, e);
    }
  }

  /**
   * Models that denoise photos, as the service judges them (dense digits models and conv
   * autoencoders do not). The service lists the shipped default first.
   */
  get denoiseModels(): ModelCard[] {
    return this.models.filter((m) => canUse(m, 'denoise'));
  }

  /** The picked model's int8 twin (shipped beside it as <name>-int8), or null when it has none. */
  get fastTwin(): ModelCard | null {
    const id = this.denoiseModelId;
    if (id === null || isInt8Twin(id)) return null;
    return this.models.find((m) => m.id === int8TwinName(id) && canUse(m, 'denoise')) ?? null;
  }

  /** The model the Denoise workspace runs: the picked one, or its int8 twin when Fast is on. */
  get denoiseRunModel(): ModelCard | null {
    const twin = this.fast ? this.fastTwin : null;
    return twin ?? this.models.find((m) => m.id === this.denoiseModelId) ?? null;
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
      notices.failed(`Could not save the settings`, e);
    }
  }

  /** Remembers a file the user opened (most recent first, no duplicates). */
  async addRecent(path: string): Promise<void> {
    const old = this.settings?.recentFiles ?? [];
    await this.updateSettings({ recentFiles: [path, ...old.filter((p) => p !== path)].slice(0, 12) });
  }
}

export const app = new AppState();
