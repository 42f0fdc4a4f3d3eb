// What a model can do in each list of the app, derived once from its card so that the Denoise
// picker, the Latent model list and the Lab's "Use in Denoise" agree, and the service refuses a
// job with the same words the lists show. A photo denoiser takes an image and gives back an image
// of the same channels: the residual (denoiser) networks with 1 or 3 channels, and imported ONNX
// models (the engine checks their shapes when they run). Conv autoencoders also map image to
// image, but squeeze it through a bottleneck: on a photo they only blur, so they belong to the
// Latent workspace (whose reconstructions still run them on photos through the denoise job, so
// `image` says what the job accepts and `denoise` what the Denoise picker offers). Dense networks
// take fixed 8×8 digit vectors, never photos.
import { ServiceError, type JobKind, type ModelCapabilities, type ModelCard } from '../../common/contract/index.js';

type CardFacts = Pick<ModelCard, 'architectureSpec' | 'inputChannels'>;

const NOT_PHOTOS = 'works on 8×8 digit vectors, not photos';
const BLURS = 'only blurs photos: an autoencoder made for the Latent workspace';
const NO_CODE = 'has no latent code to show';

/** The network type the trainer wrote into the card, if any. */
function networkType(card: CardFacts): string | null {
  const spec = card.architectureSpec;
  if (!spec || typeof spec !== 'object' || !('network' in spec)) return null;
  const net = (spec as { network: unknown }).network;
  if (!net || typeof net !== 'object' || !('type' in net)) return null;
  return typeof net.type === 'string' ? net.type : null;
}

export function modelCapabilities(card: CardFacts): ModelCapabilities {
  const type = networkType(card);
  const channels = card.inputChannels;
  const wrongChannels =
    channels !== null && channels !== 1 && channels !== 3
      ? { ok: false as const, reason: `takes ${channels}-channel input, not grey or colour photos` }
      : null;
  switch (type) {
    case 'dense':
      return {
        image: { ok: false, reason: NOT_PHOTOS },
        denoise: { ok: false, reason: NOT_PHOTOS },
        latent: { ok: true },
      };
    case 'conv-ae':
      return { image: wrongChannels ?? { ok: true }, denoise: { ok: false, reason: BLURS }, latent: { ok: true } };
    default:
      // Residual denoisers, and imported models without a trainer's spec.
      return {
        image: wrongChannels ?? { ok: true },
        denoise: wrongChannels ?? { ok: true },
        latent: { ok: false, reason: NO_CODE },
      };
  }
}

/** A card as the service sends it: its capabilities filled in from the rest. */
export function withCapabilities(card: Omit<ModelCard, 'capabilities'>): ModelCard {
  return { ...card, capabilities: modelCapabilities(card) };
}

/** Which capability each model-taking job needs; jobs not listed take any model. */
const jobNeeds: Partial<Record<JobKind, keyof ModelCapabilities>> = {
  denoise: 'image',
  'batch-denoise': 'image',
  'latent-encode': 'latent',
  'latent-decode': 'latent',
  'latent-traversal': 'latent',
  'latent-interpolate': 'latent',
  'latent-probe': 'latent',
};

/**
 * Refuses a job whose model cannot do it, in the words the lists show (instead of an engine error
 * about tensor shapes halfway through the job).
 */
export function refuseIncapable(kind: JobKind, card: ModelCard): void {
  const need = jobNeeds[kind];
  const can = need ? card.capabilities[need] : null;
  if (can && !can.ok) throw new ServiceError('bad-request', `“${card.name}” cannot do this: it ${can.reason}`);
}
