// A whole training step (small residual conv denoiser with a noise-level map, MSE, Adam) gives the
// same loss, parameters and optimizer state on ORT-node, ORT-web and the reference interpreter,
// over three steps with each step's outputs fed back as the next step's inputs.
import { describe, expect, it } from 'vitest';
import { createExecutor, type ExecutorName } from '../../../main/engine/exec/index.js';
import { Tensor } from '../../../main/engine/ir/tensor.js';
import { buildTrainingModel } from '../../../main/engine/nn/index.js';
import { buildTrainStep } from '../../../main/engine/optim/index.js';
import { seededFeeds, smallDenoiser } from '../../helpers/small-denoiser.js';

const arch = smallDenoiser;
const [N, H, W] = [3, 7, 9];

async function train(executor: ExecutorName, steps: number) {
  const model = buildTrainingModel(arch, { batch: N, sampleShape: [1, H, W] });
  const step = buildTrainStep({ graph: model.forward.graph, loss: model.loss, optimizer: { kind: 'adam' } });
  const feeds = seededFeeds(step, model.target.name, [N, H, W], 0.01);
  const compiled = await (await createExecutor(executor, { threads: 1 })).compile(step.graph);
  const losses: number[] = [];
  for (let t = 1; t <= steps; t++) {
    feeds[step.t] = Tensor.scalar(t);
    const out = await compiled.run(feeds);
    losses.push(Number(out.loss!.data[0]));
    for (const f of step.feedback) feeds[f.input] = out[f.output]!;
  }
  await compiled.dispose();
  return { losses, state: Object.fromEntries(step.feedback.map((f) => [f.input, feeds[f.input]!])) };
}

describe('a training step on three executors', () => {
  it('ORT-node and ORT-web follow the reference interpreter step for step', async () => {
    const reference = await train('reference', 3);
    // The step really trains: the loss goes down.
    expect(reference.losses[2]!).toBeLessThan(reference.losses[0]!);
    for (const executor of ['ort-node', 'ort-web'] as const) {
      const r = await train(executor, 3);
      r.losses.forEach((l, i) =>
        expect(Math.abs(l - reference.losses[i]!), `${executor} loss ${i}`).toBeLessThan(1e-5 * (1 + Math.abs(l))),
      );
      for (const [name, expected] of Object.entries(reference.state)) {
        const actual = r.state[name]!;
        let worst = 0;
        for (let i = 0; i < expected.size; i++) {
          const e = Number(expected.data[i]);
          worst = Math.max(worst, Math.abs(Number(actual.data[i]) - e) / (1e-6 + 1e-4 * Math.abs(e)));
        }
        expect(worst, `${executor} ${name}`).toBeLessThanOrEqual(1);
      }
    }
  });
});
