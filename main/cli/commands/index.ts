// The one list of CLI commands. A command's issue adds its file here.
import type { Command } from '../command.js';

export const commands: Command[] = [];
