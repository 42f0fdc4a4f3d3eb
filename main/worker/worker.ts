// The worker thread: runs every heavy job (imaging, inference, training) so the main process stays
// responsive. It is stateless between jobs (images are snapshot files, see image-store.ts), so the
// service can replace it after a crash. Several jobs may run here at once; they interleave at
// their checkpoint() calls (sharp works on its own threads meanwhile; an onnxruntime run holds
// this thread until it returns, which is why tiled inference keeps its tiles short).
import { parentPort, workerData } from 'node:worker_threads';
import path from 'node:path';
import { rm } from 'node:fs/promises';
import sharp from 'sharp';
import { describeIssues, jobKinds, ServiceError, type JobKind } from '../../common/contract/index.js';
import { toWorkerSchema, workerConfigSchema, type FromWorker, type WorkerModel } from '../service/worker-protocol.js';
import { endMetadataTool } from '../imaging/metadata.js';
import { ImageStore } from './image-store.js';
import { collectSoon } from './memory.js';
import { JobContext } from './job-context.js';
import { RunCancelled } from '../ml/train/control.js';
import { handlers, pending } from './jobs/registry.js';
import type { JobHandler } from './jobs/types.js';
import { callErrorOf } from '../../common/errors.js';

if (!parentPort) throw new Error('worker.ts must run in a worker thread');
const port = parentPort;
const config = workerConfigSchema.parse(workerData);
// libvips' operation cache (up to 50 MB) only pays off when the same operation runs twice on the
// same input; a job never does, so here it is memory held for nothing.
sharp.cache(false);
const images = new ImageStore(path.join(config.sessionDir, 'images'));
const running = new Map<string, JobContext>();

function post(message: FromWorker): void {
  port.postMessage(message);
}

/** Any error → what the service is told (the one mapper, common/errors.ts). */
function failure(e: unknown): {
  code: 'bad-request' | 'not-found' | 'unavailable' | 'failed' | 'exists';
  error: string;
} {
  const { code, message } = callErrorOf(e);
  // Refusing a caller is the doors' business; a job that hits it has simply failed.
  return { code: code === 'forbidden' ? 'failed' : code, error: message };
}

async function run(
  jobId: string,
  kind: JobKind,
  rawParams: unknown,
  models: WorkerModel[],
  pixelLimit: number,
  hostRoots: readonly string[] | undefined,
): Promise<void> {
  const ctx = new JobContext(
    jobId,
    config,
    images,
    models,
    { post: (m) => port.postMessage(m) },
    pixelLimit,
    hostRoots,
  );
  running.set(jobId, ctx);
  try {
    const handler = handlers[kind] as JobHandler<JobKind> | undefined;
    if (!handler) {
      const why = pending[kind] ?? 'no handler';
      throw new ServiceError('unavailable', `'${kind}' is not available in this build yet (${why})`);
    }
    if (kind === 'debug' && !config.debugJobs) throw new ServiceError('bad-request', `unknown job kind '${kind}'`);
    // The service validated already; the worker checks again because this is a process boundary.
    const parsed = jobKinds[kind].params.safeParse(rawParams);
    if (!parsed.success)
      throw new ServiceError('bad-request', `invalid ${kind} request: ${describeIssues(parsed.error).join('; ')}`);
    const result = await handler(parsed.data as never, ctx);
    ctx.flushProgress();
    post({ type: 'done', jobId, result });
  } catch (e) {
    ctx.flushProgress();
    // After a cancel, whatever stopped the job (RunCancelled at a pause point, or an error on the
    // way out of one) is the cancel: the user asked for it, it is not a failure.
    if (e instanceof RunCancelled || ctx.control.cancelled)
      post({ type: 'failed', jobId, code: 'cancelled', error: 'cancelled' });
    else post({ type: 'failed', jobId, ...failure(e) });
  } finally {
    running.delete(jobId);
    // A job's scratch folder never outlives it: a cancelled or failed job leaves nothing behind.
    await rm(ctx.scratchDir, { recursive: true, force: true }).catch(() => undefined);
  }
}

port.on('message', (raw: unknown) => {
  const parsed = toWorkerSchema.safeParse(raw);
  if (!parsed.success) {
    // Nothing to answer to: the service only sends valid messages; log for the developer.
    console.error(`worker: ignoring an invalid message: ${describeIssues(parsed.error).join('; ')}`);
    return;
  }
  const msg = parsed.data;
  if (msg.type === 'run')
    void run(msg.jobId, msg.spec.kind, msg.spec.params, msg.models, msg.pixelLimit, msg.hostRoots);
  else if (msg.type === 'release') {
    images.forget(msg.imageId);
    collectSoon();
  } else if (msg.type === 'shutdown')
    // A terminated thread cannot end the ExifTool it started, and an orphaned one never exits.
    void endMetadataTool().finally(() => process.exit(0));
  else running.get(msg.jobId)?.control[msg.action]();
});

const available = (Object.keys(jobKinds) as JobKind[]).filter(
  (k) => handlers[k] && (k !== 'debug' || config.debugJobs),
);
post({ type: 'ready', kinds: available });
