// The Lab's state: the design being edited, the data and hyper-parameters, the training run (its
// job events as chart series, reconstruction previews and the saved model), and the checkpoints
// browser (every kept checkpoint of every run in the data folder: resume, save as model, delete).
import { api, followJob } from '../api/index.js';
import type {
  CheckpointInfo,
  ExportDestination,
  JobEvent,
  JobResult,
  JobSnapshot,
  JobSpecInput,
  ModelCard,
  NoiseType,
} from '../api/index.js';
import { app } from '../lib/app.svelte.js';
import { clash } from '../lib/clash.svelte.js';
import { errorText } from '../lib/failure.js';
import { isCancelled } from '../lib/format.js';
import { isActive, jobs } from '../lib/jobs.svelte.js';
import { canUse } from '../lib/model-options.js';
import { notices } from '../lib/notices.svelte.js';
import {
  architectureJson,
  familyOf,
  type ConvDesign,
  type DenseDesign,
  type NetworkDesign,
  type ResidualDesign,
  type VariantId,
  type VariantOptions,
} from './architecture.js';
import { hyperProblems } from './hyper-problems.js';
import { addPoints, emptyTable } from './series.js';

/** The Lab's training noise: a noise type, none, or the camera mix (photos; noise-level-map models). */
export type LabNoise = NoiseType | 'none' | 'camera-mix';

export type DataKind = 'digits' | 'folder' | 'npy';
export type Optimizer = 'sgd' | 'momentum' | 'adam' | 'adamw';

/** A sensible starting design for each variant (digits are 64 values per sample). */
function defaults(v: VariantId): {
  dense?: DenseDesign;
  noise: { type: LabNoise; level: number };
  data: DataKind;
} {
  const d = (widths: number[], hidden: DenseDesign['hidden'] = 'relu'): DenseDesign => ({
    type: 'dense',
    widths,
    hidden,
    output: 'sigmoid',
    bias: true,
  });
  const none = { type: 'none' as const, level: 0 };
  switch (v) {
    case 'basic':
      return { dense: d([64, 16, 64]), noise: none, data: 'digits' };
    case 'stacked':
      return { dense: d([64, 32, 16, 32, 64]), noise: none, data: 'digits' };
    case 'sparse':
      return { dense: d([64, 100, 64], 'sigmoid'), noise: none, data: 'digits' };
    case 'denoising':
      return { dense: d([64, 32, 64]), noise: { type: 'gaussian', level: 50 }, data: 'digits' };
    case 'variational':
      return { dense: d([64, 32, 2, 32, 64]), noise: none, data: 'digits' };
    case 'contractive':
      return { dense: d([64, 16, 64], 'sigmoid'), noise: none, data: 'digits' };
    case 'convolutional':
      return { noise: none, data: 'folder' };
    case 'residual':
      return { noise: { type: 'gaussian', level: 25 }, data: 'folder' };
  }
}

class Lab {
  variant = $state<VariantId>('basic');
  dense = $state<DenseDesign>(defaults('basic').dense!);
  conv = $state<ConvDesign>({ type: 'conv-ae', channels: 1, stages: [16, 32], bottleneck: 4, bias: true });
  residual = $state<ResidualDesign>({
    type: 'residual',
    channels: 3,
    features: 32,
    depth: 7,
    kernel: 3,
    noiseLevelInput: true,
    bias: true,
    scale: 1,
    skips: false,
  });
  options = $state<VariantOptions>({ sparsePenalty: 'kl', sparseTarget: 0.05, lambda: 0.1, beta: 1, loss: 'mse' });
  data = $state<{ kind: DataKind; path: string; patch: number }>({ kind: 'digits', path: '', patch: 32 });
  noise = $state<{ type: LabNoise; level: number }>({ type: 'none', level: 0 });
  hyper = $state({
    optimizer: 'adam' as Optimizer,
    lr: 0.001,
    batch: 64,
    unit: 'steps' as 'steps' | 'epochs',
    steps: 500,
    epochs: 5,
    seed: 0,
    checkpointEvery: 100,
  });

  // The run
  /** Set by the Start click itself, before the service answers: a second click does nothing. */
  starting = $state(false);
  jobId = $state<string | null>(null);
  event = $state<JobEvent | null>(null);
  table = emptyTable();
  version = $state(0);
  previews = $state<NonNullable<JobEvent['preview']>>([]);
  /** Every kept checkpoint of every run, this session's and earlier ones' (see refreshCheckpoints). */
  checkpoints = $state<CheckpointInfo[]>([]);
  selectedCheckpoint = $state<string | null>(null);
  runError = $state<string | null>(null);
  /** Photos of the training folder that could not be read and were left out (the worker's skipped_images). */
  skippedImages = $state(0);
  saved = $state<ModelCard | null>(null);
  private lastCheckpointPoll = 0;

  get network(): NetworkDesign {
    const f = familyOf(this.variant);
    return f === 'dense' ? this.dense : f === 'conv-ae' ? this.conv : this.residual;
  }

  /** What is wrong with the training settings, in words; Start waits until this is empty. */
  get hyperProblems(): string[] {
    return hyperProblems(this.hyper);
  }

  get running(): boolean {
    const s = this.event?.state;
    return this.starting || (this.jobId !== null && (s === undefined || isActive(s)));
  }

  chooseVariant(v: VariantId): void {
    this.variant = v;
    const d = defaults(v);
    if (d.dense) this.dense = d.dense;
    this.noise = d.noise;
    this.data.kind = d.data;
    if (v === 'contractive') this.options.lambda = 0.01;
    if (v === 'sparse') this.options.lambda = 0.1;
    if (v === 'residual') this.hyper.lr = 0.001;
  }

  async start(): Promise<void> {
    if (this.running || this.hyperProblems.length) return;
    this.starting = true;
    try {
      await this.startRun();
    } finally {
      this.starting = false;
    }
  }

  private async startRun(): Promise<void> {
    const h = $state.snapshot(this.hyper);
    const arch = architectureJson(
      this.variant,
      $state.snapshot(this.network) as NetworkDesign,
      $state.snapshot(this.options),
    );
    const data =
      this.data.kind === 'digits' ? { kind: 'digits' as const } : { kind: this.data.kind, path: this.data.path.trim() };
    this.clearRun();
    const usesLambda = this.variant === 'sparse' || this.variant === 'contractive';
    await this.follow(
      {
        kind: 'train',
        params: {
          architecture: arch,
          data,
          ...(this.data.kind === 'folder' ? { patch: this.data.patch } : {}),
          noise: $state.snapshot(this.noise),
          optimizer: h.optimizer,
          lr: h.lr,
          batch: h.batch,
          ...(h.unit === 'steps' ? { steps: h.steps } : { epochs: h.epochs }),
          seed: h.seed,
          ...(usesLambda ? { lambda: this.options.lambda } : {}),
          ...(this.variant === 'variational' ? { beta: this.options.beta } : {}),
          checkpointEvery: h.checkpointEvery,
        },
      },
      `Training ${this.variant} autoencoder`,
    );
  }

  /**
   * Training goes on from a kept checkpoint (this session's or an earlier one's) as its run was
   * set up, to the run's planned end: a new run, shown as the Lab's current one.
   */
  async resumeFrom(checkpointId: string): Promise<void> {
    const c = this.checkpoints.find((k) => k.checkpointId === checkpointId);
    if (!c || this.running) return;
    this.starting = true;
    try {
      this.clearRun();
      await this.follow(
        { kind: 'train', params: { ...c.run.request, resumeFrom: c.checkpointId } },
        `Training ${c.run.model} from step ${c.step}`,
      );
    } finally {
      this.starting = false;
    }
  }

  private follow(spec: Extract<JobSpecInput, { kind: 'train' }>, title: string): Promise<void> {
    return this.settle(jobs.run(spec, title, (e) => this.onEvent(e)) as Promise<JobResult<'train'>>);
  }

  /**
   * After a (re)load: show the newest training the service knows, whether still running (followed
   * to its end, with pause and cancel working again) or finished: its progress, its charts rebuilt
   * from the recorded history, its latest previews and checkpoints.
   */
  async reattach(snapshots: readonly JobSnapshot[]): Promise<void> {
    const newest = snapshots
      .filter((s) => s.kind === 'train')
      .sort((a, b) => (a.createdAt < b.createdAt ? -1 : 1))
      .at(-1);
    if (!newest || this.running || this.jobId !== null) return;
    this.clearRun();
    this.jobId = newest.jobId;
    this.event = newest;
    this.countSkipped(newest);
    if (newest.preview?.length) this.previews = newest.preview;
    if (newest.state === 'failed') this.runError = newest.error ?? null;
    if (!isActive(newest.state)) {
      await this.loadHistory(newest.jobId);
      await this.refreshCheckpoints();
      return;
    }
    // Points reported between the history's answer and the first event are in both; the table
    // draws a step once. The history is asked again at the first event, which is sure to come
    // after the event stream is open (heartbeats come twice a second).
    let first = true;
    const run = followJob(api, newest.jobId, (e) => {
      this.onEvent(e);
      if (first) void this.loadHistory(newest.jobId);
      first = false;
    }) as Promise<JobResult<'train'>>;
    void this.loadHistory(newest.jobId);
    await this.settle(run);
  }

  private clearRun(): void {
    this.table = emptyTable();
    this.version++;
    this.previews = [];
    this.selectedCheckpoint = null;
    this.runError = null;
    this.skippedImages = 0;
    this.saved = null;
    this.event = null;
    this.jobId = null;
  }

  private async loadHistory(jobId: string): Promise<void> {
    try {
      const { points } = await api.jobs.history({ jobId });
      if (this.jobId !== jobId) return;
      addPoints(this.table, points);
      this.version++;
    } catch {
      // The live events keep drawing; a missing history only leaves the earlier part out.
    }
  }

  /** How a run ended: its final checkpoint selected in the browser, or its error shown. */
  private async settle(run: Promise<JobResult<'train'>>): Promise<void> {
    try {
      const result = await run;
      await this.refreshCheckpoints();
      const final = this.checkpoints.find(
        (c) => c.jobId === result.checkpoint.jobId && c.step === result.checkpoint.step,
      );
      if (final) this.selectedCheckpoint = final.checkpointId;
      notices.push(`Training finished after ${result.steps} steps`, 'success');
    } catch (e) {
      if (isCancelled(e)) notices.push('Training cancelled', 'info');
      else this.runError = errorText(e);
      void this.refreshCheckpoints();
    }
  }

  private onEvent(e: JobEvent): void {
    // A pause keeps a checkpoint (written before the pause is reported): list it now.
    const paused = e.state === 'paused' && this.event?.state !== 'paused';
    this.jobId = e.jobId;
    this.event = e;
    this.countSkipped(e);
    if (paused) void this.refreshCheckpoints();
    if (e.points?.length) {
      addPoints(this.table, e.points);
      this.version++;
    }
    if (e.preview?.length) this.previews = e.preview;
    const now = Date.now();
    if (now - this.lastCheckpointPoll > 5000) {
      this.lastCheckpointPoll = now;
      void this.refreshCheckpoints();
    }
  }

  /** The worker repeats the count in its metrics events; a heartbeat without metrics keeps it. */
  private countSkipped(e: JobEvent): void {
    const n = e.metrics?.skipped_images;
    if (n !== undefined) this.skippedImages = n;
  }

  /** Reads the browser's list again: every run's kept checkpoints, from the data folder. */
  async refreshCheckpoints(): Promise<void> {
    try {
      const list = await api.checkpoints.list({});
      this.checkpoints = list;
      if (this.selectedCheckpoint && !list.some((c) => c.checkpointId === this.selectedCheckpoint))
        this.selectedCheckpoint = null;
      // The current run's newest, once it has one.
      this.selectedCheckpoint ??= list.find((c) => c.jobId === this.jobId)?.checkpointId ?? null;
    } catch {
      // Checkpoints are a convenience view; the run itself reports real errors.
    }
  }

  async deleteCheckpoint(checkpointId: string): Promise<void> {
    const c = this.checkpoints.find((k) => k.checkpointId === checkpointId);
    if (!c) return;
    try {
      await api.checkpoints.delete({ checkpointId });
      notices.push(`Deleted the checkpoint at step ${c.step} of ${c.run.model}`, 'info');
    } catch (e) {
      notices.failed('Could not delete the checkpoint', e);
    }
    await this.refreshCheckpoints();
  }

  async control(action: 'pause' | 'resume' | 'cancel'): Promise<void> {
    if (!this.jobId) return;
    try {
      await jobs[action](this.jobId);
    } catch (e) {
      notices.failed(`Could not ${action} the training`, e);
    }
  }

  async saveModel(name: string): Promise<void> {
    if (!this.selectedCheckpoint) return;
    try {
      const checkpointId = this.selectedCheckpoint;
      const saved = await clash.resolve((onClash) =>
        jobs.run({ kind: 'save-model', params: { checkpointId, name, onClash } }, `Saving model ${name}`),
      );
      if (!saved) return;
      this.saved = saved;
      await app.refreshModels();
      notices.push(`Saved ${this.saved.name}: it is now in the model list`, 'success');
    } catch (e) {
      notices.failed(`Could not save the model`, e);
    }
  }

  async exportOnnx(): Promise<void> {
    const model = this.saved;
    if (!model) return;
    try {
      const fileName = `${model.name}.onnx`;
      let destination: ExportDestination;
      if (app.webDoor) destination = { kind: 'download', fileName };
      else {
        const path = await api.files.saveAs({
          title: 'Export ONNX',
          defaultName: fileName,
          filters: [{ name: 'ONNX', extensions: ['onnx'] }],
        });
        if (!path) return;
        // The system's save dialog has already asked about replacing.
        destination = { kind: 'path', path, onClash: 'replace' };
      }
      const r = await jobs.run(
        { kind: 'export-onnx', params: { modelId: model.id, destination } },
        `Exporting ${fileName}`,
      );
      if (r.downloadUrl) await api.files.download(r.downloadUrl, r.fileName);
      notices.push(`Exported ${r.fileName}`, 'success');
    } catch (e) {
      notices.failed(`Could not export the ONNX file`, e);
    }
  }

  useInDenoise(): void {
    if (!this.saved || !canUse(this.saved, 'denoise')) return;
    app.denoiseModelId = this.saved.id;
    app.workspace = 'denoise';
  }
}

export const lab = new Lab();
