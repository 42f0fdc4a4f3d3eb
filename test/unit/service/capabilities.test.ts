import { describe, expect, it } from 'vitest';
import { modelCapabilities, refuseIncapable } from '../../../main/service/capabilities.js';
import { listShippedModels } from '../../../main/service/models.js';
import { modelsDir } from '../../../main/files/app-paths.js';

describe('model capabilities', () => {
  it('sorts the shipped cards into photo denoisers and latent models, with the reason for each "no"', async () => {
    const byId = Object.fromEntries((await listShippedModels(modelsDir)).map((c) => [c.id, c.capabilities]));
    const blurs = { ok: false, reason: 'only blurs photos: an autoencoder made for the Latent workspace' };
    const noCode = { ok: false, reason: 'has no latent code to show' };
    const digits = { ok: false, reason: 'works on 8×8 digit vectors, not photos' };
    expect(byId).toEqual({
      'shipped/default': { image: { ok: true }, denoise: { ok: true }, latent: noCode },
      // The int8 twin is the same photo denoiser (the Denoise picker reaches it through "Fast").
      'shipped/default-int8': { image: { ok: true }, denoise: { ok: true }, latent: noCode },
      'shipped/camera': { image: { ok: true }, denoise: { ok: true }, latent: noCode },
      'shipped/camera-int8': { image: { ok: true }, denoise: { ok: true }, latent: noCode },
      'shipped/conv-ae-b2': { image: { ok: true }, denoise: blurs, latent: { ok: true } },
      'shipped/conv-ae-b4': { image: { ok: true }, denoise: blurs, latent: { ok: true } },
      'shipped/conv-ae-b8': { image: { ok: true }, denoise: blurs, latent: { ok: true } },
      'shipped/digits-vae': { image: digits, denoise: digits, latent: { ok: true } },
    });
  });

  it('reads a Lab-trained dense card (no input channels) as a digits model', () => {
    const card = {
      architectureSpec: { network: { type: 'dense', widths: [64, 16, 2, 16, 64] } },
      inputChannels: null,
    };
    expect(modelCapabilities(card).denoise).toEqual({ ok: false, reason: 'works on 8×8 digit vectors, not photos' });
  });

  it('offers an imported model without a spec for denoising unless its channels cannot be a photo', () => {
    expect(modelCapabilities({ architectureSpec: undefined, inputChannels: null }).denoise).toEqual({ ok: true });
    expect(modelCapabilities({ architectureSpec: undefined, inputChannels: 3 }).denoise).toEqual({ ok: true });
    expect(modelCapabilities({ architectureSpec: undefined, inputChannels: 4 }).denoise).toEqual({
      ok: false,
      reason: 'takes 4-channel input, not grey or colour photos',
    });
  });

  it('refuses a job with a model that cannot do it, in the words the lists show', async () => {
    const cards = await listShippedModels(modelsDir);
    const card = (id: string) => cards.find((c) => c.id === id)!;
    expect(() => refuseIncapable('denoise', card('shipped/digits-vae'))).toThrow(
      'cannot do this: it works on 8×8 digit vectors, not photos',
    );
    expect(() => refuseIncapable('latent-encode', card('shipped/default'))).toThrow(
      'cannot do this: it has no latent code to show',
    );
    // Conv autoencoders still reconstruct photos for the Latent workspace's comparison.
    expect(() => refuseIncapable('denoise', card('shipped/conv-ae-b4'))).not.toThrow();
    expect(() => refuseIncapable('denoise', card('shipped/default'))).not.toThrow();
    expect(() => refuseIncapable('latent-encode', card('shipped/digits-vae'))).not.toThrow();
  });
});
