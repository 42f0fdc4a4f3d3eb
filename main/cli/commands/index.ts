// The one list of CLI commands. A command's issue adds its file here.
import type { Command } from '../command.js';
import { paramsCommand } from './params.js';
import { trainCommand } from './train.js';
import { noiseCommand } from './noise.js';
import { metricsCommand } from './metrics.js';
import { denoiseCommand } from './denoise.js';
import { infoCommand } from './info.js';

export const commands: Command[] = [paramsCommand, trainCommand, noiseCommand, metricsCommand, denoiseCommand, infoCommand];
