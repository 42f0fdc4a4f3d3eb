// `--arch <spec>`: one string naming an architecture, in one of three forms:
//   dense:W0-W1-…-Wn[:hidden_act[,out_act]]   e.g. dense:8-3-8, dense:64-32-2-32-64:relu,sigmoid
//                                            (defaults: ReLU hidden, linear output, biases on)
//   <preset>                                 e.g. ref-dae, conv-ae-b4 (see presets.ts)
//   <path to an architecture .json file>

import { readFile, stat } from 'node:fs/promises';
import {
  ACTIVATIONS,
  type Activation,
  type Architecture,
  ArchitectureError,
  architecture,
  parseArchitectureJson,
} from '../../common/model/architecture.js';
import { PRESET_NAMES, preset } from '../../common/model/presets.js';

/** Architecture files are a few hundred bytes; refuse anything absurd before reading it. */
const MAX_ARCH_FILE_BYTES = 1 << 20;

function parseActivation(s: string, where: string): Activation {
  if ((ACTIVATIONS as readonly string[]).includes(s)) return s as Activation;
  throw new ArchitectureError(`${where}: unknown activation '${s}' (one of ${ACTIVATIONS.join(', ')})`);
}

/** Parses the `dense:` form (synchronous: no file access). */
export function parseDenseSpec(spec: string): Architecture {
  const parts = spec.split(':');
  if (parts[0] !== 'dense' || parts.length < 2 || parts.length > 3)
    throw new ArchitectureError(`'${spec}': expected dense:W0-W1-…-Wn[:hidden_act[,out_act]]`);
  const widths = parts[1]!.split('-').map((w) => {
    if (!/^[1-9][0-9]*$/.test(w)) throw new ArchitectureError(`'${spec}': width '${w}' is not a positive integer`);
    return Number(w);
  });
  if (widths.length < 3)
    throw new ArchitectureError(`'${spec}': needs at least 3 widths (input, latent, output), got ${widths.length}`);
  let hidden: Activation = 'relu';
  let output: Activation = 'linear';
  if (parts.length === 3) {
    const acts = parts[2]!.split(',');
    if (acts.length > 2 || acts.some((a) => a === ''))
      throw new ArchitectureError(`'${spec}': activations must be 'hidden' or 'hidden,output'`);
    hidden = parseActivation(acts[0]!, spec);
    if (acts[1] !== undefined) output = parseActivation(acts[1], spec);
  }
  try {
    return architecture({ network: { type: 'dense', widths, hidden, output, bias: true } });
  } catch (e) {
    throw new ArchitectureError(
      `'${spec}': ${(e as Error).message.replace(/^architecture: invalid architecture:\s*/, '')}`,
    );
  }
}

/** Resolves any `--arch` form to a validated architecture. */
export async function resolveArchSpec(spec: string): Promise<Architecture> {
  const s = spec.trim();
  if (s === '') throw new ArchitectureError('empty architecture spec');
  if (s.startsWith('dense:')) return parseDenseSpec(s);
  const p = preset(s);
  if (p) return p;
  const st = await stat(s).catch(() => undefined);
  if (!st) {
    throw new ArchitectureError(
      `unknown architecture '${s}': expected dense:W0-W1-…-Wn[:hidden_act[,out_act]], a preset (${PRESET_NAMES.join(', ')}), or a path to an architecture .json file`,
    );
  }
  if (!st.isFile()) throw new ArchitectureError(`${s}: not a file`);
  if (st.size === 0) throw new ArchitectureError(`${s}: empty file`);
  if (st.size > MAX_ARCH_FILE_BYTES)
    throw new ArchitectureError(`${s}: ${st.size} bytes is too large for an architecture file`);
  return parseArchitectureJson(await readFile(s, 'utf8'), s);
}
