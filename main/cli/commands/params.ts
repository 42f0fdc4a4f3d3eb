// `denoise-lab params --arch <spec> [--json]`: how many trainable parameters an architecture has.
import { type Command, UsageError } from '../command.js';
import { summarize } from '../../engine/nn/index.js';
import { ArchitectureError, type Architecture, countParams, layerParams, planLayers, planOf } from '../../../common/model/index.js';
import { resolveArchSpec } from '../../ml/architecture-file.js';

/** Resolves --arch for any command, turning architecture mistakes into usage errors. */
export async function archFromOption(value: unknown): Promise<Architecture> {
  if (typeof value !== 'string' || value === '')
    throw new UsageError('--arch <spec> is required (dense:W0-W1-…-Wn, a preset name, or an architecture .json file)');
  try {
    return await resolveArchSpec(value);
  } catch (e) {
    if (e instanceof ArchitectureError) throw new UsageError(e.message);
    throw e;
  }
}

export const paramsCommand: Command = {
  name: 'params',
  summary: 'count the trainable parameters of an architecture',
  usage: `Usage: denoise-lab params --arch <spec> [--json]

Prints the number of trainable parameters (weights and biases).

  --arch <spec>  dense:W0-W1-…-Wn[:hidden_act[,out_act]] (ReLU hidden, linear output, biases on),
                 a preset (ref-dae, dncnn-gray, dncnn-color, dncnn-color-nl, small-color-nl,
                 conv-ae-b2/b4/b8, conv-vae-b4, digits-ae, digits-dae, digits-vae, digits-sparse,
                 digits-contractive), or a path to an architecture .json file
  --json         one JSON document: {"arch", "params", "layers": [{"name", "params"}], …}

Examples: denoise-lab params --arch dense:8-3-8        → 59
          denoise-lab params --arch ref-dae            → 46849`,
  options: {
    arch: { type: 'string' },
    json: { type: 'boolean' },
  },
  async run({ values }, io) {
    const arch = await archFromOption(values.arch);
    const layers = planLayers(planOf(arch)).map((l) => ({
      name: l.name,
      kind: l.kind,
      params: countParams(layerParams(l)),
    }));
    const params = layers.reduce((a, l) => a + l.params, 0);
    if (values.json) {
      io.out(JSON.stringify({ arch: values.arch, name: arch.name ?? null, params, layers, ...summarize(arch) }) + '\n');
    } else {
      io.out(`${params}\n`);
    }
    return 0;
  },
};
