// ORT-node's NCHWc conv rewrite (main/engine/onnx/nchwc.ts, on by default) gives the same
// training steps as the plain ORT-node session: a residual denoiser whose convs take
// both filter layouts (1 input channel, and a multiple of the block), with fused Relus and the
// gradient rules' stride-1 fast path. Runs where the CPU has NCHWc kernels (x86-64, AVX2/512).
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../common/rng.js';
import type { CompiledGraph } from '../../../main/engine/exec/executor.js';
import { OrtNodeExecutor } from '../../../main/engine/exec/ort-node.js';
import { Tensor } from '../../../main/engine/ir/tensor.js';
import { buildTrainingModel, initParams } from '../../../main/engine/nn/index.js';
import { architecture, paramSpecs } from '../../../common/model/index.js';
import { buildTrainStep } from '../../../main/engine/optim/index.js';
import { nchwcBlockSize, withNchwcConvs } from '../../../main/engine/onnx/nchwc.js';

const block = nchwcBlockSize();

describe.skipIf(block === null)('NCHWc conv rewrite on ORT-node', () => {
  const B = block ?? 8;
  const arch = architecture({ network: { type: 'residual', channels: 1, features: B, depth: 3, kernel: 3 } });
  const [N, H, W] = [2, 9, 7];
  const model = buildTrainingModel(arch, { batch: N, sampleShape: [1, H, W] });
  const step = buildTrainStep({ graph: model.forward.graph, loss: model.loss, optimizer: { kind: 'adam' } });

  it('rewrites the convs with B-multiple outputs (forward and input gradients), not the 1-output ones', () => {
    // Forward: 1→B and B→B (B→1 stays); backward ∂x: B→B and (of the B→1 layer) 1→B.
    expect(withNchwcConvs(step.graph, B).rewritten).toBe(4);
  });

  it('three Adam steps match the plain session', async () => {
    const run = async (compiled: CompiledGraph) => {
      const rng = new Rng(21);
      const feeds: Record<string, Tensor> = {
        ...Object.fromEntries(initParams(paramSpecs(arch), rng)),
        ...step.initialSlots(),
      };
      const uniform = () =>
        Tensor.fromArray(
          'float32',
          [N, 1, H, W],
          Array.from({ length: N * H * W }, () => rng.uniform()),
        );
      feeds[model.forward.x.name] = uniform();
      feeds[model.target.name] = uniform();
      feeds[step.lr] = Tensor.scalar(0.01);
      const losses: number[] = [];
      for (let t = 1; t <= 3; t++) {
        feeds[step.t] = Tensor.scalar(t);
        const out = await compiled.run(feeds);
        losses.push(Number(out[step.outputs.loss]!.data[0]));
        for (const f of step.feedback) feeds[f.input] = out[f.output]!;
      }
      await compiled.dispose();
      return { losses, state: Object.fromEntries(step.feedback.map((f) => [f.input, feeds[f.input]!])) };
    };
    const plain = await run(await new OrtNodeExecutor({ threads: 1, nchwc: false }).compile(step.graph));
    const nchwc = await run(await new OrtNodeExecutor({ threads: 1, nchwc: true }).compile(step.graph));
    expect(plain.losses[2]!).toBeLessThan(plain.losses[0]!);
    nchwc.losses.forEach((l, i) => expect(Math.abs(l - plain.losses[i]!)).toBeLessThan(1e-5 * (1 + plain.losses[i]!)));
    for (const [name, expected] of Object.entries(plain.state)) {
      let worst = 0;
      for (let i = 0; i < expected.size; i++) {
        const e = Number(expected.data[i]);
        worst = Math.max(worst, Math.abs(Number(nchwc.state[name]!.data[i]) - e) / (1e-6 + 1e-4 * Math.abs(e)));
      }
      expect(worst, name).toBeLessThanOrEqual(1);
    }
  });
});
