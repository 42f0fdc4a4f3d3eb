// Encoder reuse: how well a softmax head classifies the digits from the model's frozen latent
// code, against the same head on raw pixels (engine/train/classify.ts trains both identically).
import { encoderClassification } from '../../ml/train/index.js';
import { asBadRequest, latentSpace } from './latent-space.js';
import type { JobHandler } from './types.js';

export const latentProbe: JobHandler<'latent-probe'> = async (params, ctx) => {
  ctx.progress({ fraction: 0.05, message: 'encoding the digits' });
  const space = await latentSpace(ctx, params.modelId);
  await ctx.checkpoint();
  ctx.progress({ fraction: 0.2, message: `training two classifier heads (${params.steps} steps each)` });
  const report = await asBadRequest(
    () =>
      encoderClassification(space.model, {
        executor: space.executor,
        data: space.digits,
        steps: params.steps,
        seed: params.seed,
      }),
    'classification probe',
  );
  return {
    latentAccuracy: report.encoder.testAccuracy,
    pixelAccuracy: report.rawPixels.testAccuracy,
    latentFeatures: report.encoder.features,
    pixelFeatures: report.rawPixels.features,
    classes: report.classes,
    trainSamples: report.trainSamples,
    testSamples: report.testSamples,
  };
};
