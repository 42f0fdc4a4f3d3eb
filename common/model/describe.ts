// A model's architecture in one line, as model cards and the checkpoints browser show it.
import type { Architecture } from './architecture.js';

/** One line for the model picker: "dense 64-32-2-32-64, variational (β 1)". */
export function describeArchitecture(arch: Architecture): string {
  const net = arch.network;
  let text: string;
  if (net.type === 'dense') text = `dense ${net.widths.join('-')}`;
  else if (net.type === 'conv-ae')
    text = `conv autoencoder ${net.channels}→${net.stages.join('→')}, bottleneck ${net.bottleneck} channels`;
  else if (net.type === 'estimator')
    text = `noise-level estimator, ${net.depth} layers × ${net.features}, ${net.channels === 1 ? 'grey' : `${net.channels} channels`}`;
  else
    text = `residual conv denoiser, ${net.depth} layers × ${net.features}, ${net.channels === 1 ? 'grey' : `${net.channels} channels`}${net.noiseLevelInput ? ', noise-level input' : ''}`;
  const v = arch.variant;
  if (v.type === 'sparse') text += `, sparse (${v.penalty} λ ${v.weight})`;
  else if (v.type === 'contractive') text += `, contractive (λ ${v.weight})`;
  else if (v.type === 'variational') text += `, variational (β ${v.beta})`;
  return text;
}
