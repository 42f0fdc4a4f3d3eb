// Over/undercomplete for a model from its card: the architecture JSON the trainer writes (or an
// `--arch`-style dense spec string) says what its code size is; an imported ONNX without one is
// unknown.
import type { ModelCard } from '../api/index.js';
import { completeness, compressionRatio, type Completeness, type NetworkDesign } from '../lab/architecture.js';

export interface ModelShape extends Completeness {
  network: NetworkDesign;
  /** Conv autoencoders: input values per bottleneck value. */
  compression: number | null;
}

export function networkOf(card: ModelCard): NetworkDesign | null {
  const spec = card.architectureSpec;
  if (typeof spec === 'string') {
    const m = /^dense:(\d+(?:-\d+)+)/.exec(spec);
    if (!m) return null;
    return { type: 'dense', widths: m[1]!.split('-').map(Number), hidden: 'relu', output: 'linear', bias: true };
  }
  if (spec && typeof spec === 'object' && 'network' in spec) {
    const net = (spec as { network: unknown }).network as NetworkDesign | undefined;
    if (net && (net.type === 'dense' || net.type === 'conv-ae' || net.type === 'residual')) return net;
  }
  return null;
}

export function shapeOf(card: ModelCard): ModelShape | null {
  const network = networkOf(card);
  if (!network) return null;
  return {
    ...completeness(network),
    network,
    compression: network.type === 'conv-ae' ? compressionRatio(network) : null,
  };
}
