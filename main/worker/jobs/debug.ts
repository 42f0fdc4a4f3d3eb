// Test-only job kind (accepted only by a service created with `debugJobs: true`): a counter that
// exercises progress, pause/resume and cancel without the engine, and ways to kill the worker.
import { appendFile, mkdir, rename } from 'node:fs/promises';
import path from 'node:path';
import type { JobHandler } from './types.js';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export const debug: JobHandler<'debug'> = async (params, ctx) => {
  switch (params.action) {
    case 'crash-exit':
      // Ends the worker thread abruptly, as a native crash would.
      process.exit(70);
      break;
    case 'crash-oom': {
      // Grows the heap until the worker's resourceLimits stop it.
      const hoard: number[][] = [];
      for (;;) hoard.push(new Array(1_000_000).fill(hoard.length));
    }
    case 'throw':
      throw new Error('debug job failed on purpose');
    case 'count':
      break;
  }
  const scratch = params.writeFile ? await ctx.makeScratchDir() : null;
  const partial = scratch ? path.join(scratch, 'count.txt') : null;
  for (let step = 1; step <= params.steps; step++) {
    await sleep(params.stepMs);
    if (partial) await appendFile(partial, `${step}\n`);
    ctx.progress({
      step,
      total: params.steps,
      fraction: step / params.steps,
      message: `step ${step}`,
      metrics: { step },
    });
    await ctx.checkpoint();
  }
  let outputFile: string | null = null;
  if (partial) {
    // Only a finished job publishes its file (outside the scratch folder, which is removed).
    const outDir = path.join(ctx.config.sessionDir, 'outputs');
    await mkdir(outDir, { recursive: true });
    outputFile = path.join(outDir, `${ctx.jobId}.txt`);
    await rename(partial, outputFile);
  }
  return { steps: params.steps, outputFile };
};
