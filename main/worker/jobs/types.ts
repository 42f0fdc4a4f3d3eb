// The shape of a job handler: validated params in, a result of the contract's type out. One file
// per job kind in this folder; registry.ts lists them.
import type { JobKind, JobParams, JobResult } from '../../../common/contract/index.js';
import type { JobContext } from '../job-context.js';

export type JobHandler<K extends JobKind> = (params: JobParams<K>, ctx: JobContext) => Promise<JobResult<K>>;
export type HandlerTable = { [K in JobKind]?: JobHandler<K> };
