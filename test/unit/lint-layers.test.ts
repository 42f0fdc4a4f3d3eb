// The layer rule (scripts/lint/layers.mjs, wired in eslint.config.js) fails `npm run lint` on an
// import against the layers. Each case lints a planted file in memory (nothing is written to the
// tree) at a path inside a layer, so the real tree and the rule are tested with the same config.
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint();

async function layerErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages.filter((m) => m.ruleId === 'layers/imports-point-down').map((m) => m.message);
}

const importOf = (spec: string) => `import * as m from '${spec}';\nvoid m;\n`;

/** Messages of the rules that keep onnxruntime-node inside the engine's ort-node executor. */
async function ortNodeErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages
    .filter((m) => m.ruleId === 'no-restricted-imports' || m.ruleId === 'no-restricted-syntax')
    .map((m) => m.message);
}

describe('lint enforces the layers', () => {
  it('refuses an import that points up, however it is spelled', async () => {
    expect(await layerErrors('common/planted.ts', importOf('../main/imaging/codec.js'))).toEqual([
      'Import against the layers: common/ may not import main/imaging/; common/ is process-neutral (no node:, no DOM, no app code): every process, the renderer included, loads it.',
    ]);
    const up: [string, string][] = [
      ['main/engine/grad/planted.ts', '../../imaging/codec.js'],
      ['main/engine/grad/planted.ts', '../../ml/train/trainer.js'],
      ['main/engine/grad/planted.ts', '../../files/atomic-write.js'],
      ['main/imaging/planted.ts', '../ml/inference/onnx-runner.js'],
      ['main/ml/train/planted.ts', '../../service/job-service.js'],
      ['main/service/planted.ts', '../cli/options.js'],
      ['main/electron/planted.ts', '../host/server.js'],
      ['main/host/planted.ts', '../ml/train/trainer.js'],
      ['main/cli/planted.ts', '../../bench/real.js'],
      ['preload/planted.ts', '../main/service/job-service.js'],
      ['renderer/src/lab/planted.ts', '../../../main/imaging/noise.js'],
    ];
    for (const [file, spec] of up) expect(await layerErrors(file, importOf(spec)), `${file} → ${spec}`).toHaveLength(1);
  });

  it('keeps common/ free of Node and of packages other than zod; the preload may use electron', async () => {
    expect(await layerErrors('common/planted.ts', importOf('node:fs'))).toHaveLength(1);
    expect(await layerErrors('common/planted.ts', importOf('sharp'))).toHaveLength(1);
    expect(await layerErrors('common/planted.ts', importOf('zod'))).toEqual([]);
    expect(await layerErrors('preload/planted.ts', importOf('electron'))).toEqual([]);
    expect(await layerErrors('preload/planted.ts', importOf('node:fs'))).toHaveLength(1);
  });

  it('lets each layer import what lies below it, and the renderer take types from the preload', async () => {
    const down: [string, string][] = [
      ['main/engine/nn/planted.ts', '../../../common/rng.js'],
      ['main/engine/grad/planted.ts', '../ir/index.js'],
      ['main/imaging/planted.ts', '../files/atomic-write.js'],
      ['main/ml/train/planted.ts', '../../imaging/codec.js'],
      ['main/ml/train/planted.ts', '../../engine/nn/index.js'],
      ['main/worker/planted.ts', '../service/contract.js'],
      ['main/cli/planted.ts', '../ml/train/trainer.js'],
      ['bench/planted.ts', '../main/cli/options.js'],
      ['renderer/src/lab/planted.ts', '../../../common/model/index.js'],
    ];
    for (const [file, spec] of down) expect(await layerErrors(file, importOf(spec)), `${file} → ${spec}`).toEqual([]);
    expect(
      await layerErrors(
        'renderer/src/planted.ts',
        "import type { X } from '../../preload/index.js';\nexport type Y = X;\n",
      ),
    ).toEqual([]);
    expect(await layerErrors('renderer/src/planted.ts', importOf('../../preload/index.js'))).toHaveLength(1);
  });

  it('lets only the engine ort-node executor import onnxruntime-node, however it is imported', async () => {
    const opens = [
      importOf('onnxruntime-node'),
      "import { InferenceSession } from 'onnxruntime-node';\nvoid InferenceSession;\n",
      "export { Tensor } from 'onnxruntime-node';\n",
      "const ort = await import('onnxruntime-node');\nvoid ort;\n",
    ];
    for (const file of ['main/ml/inference/planted.ts', 'main/worker/jobs/planted.ts', 'main/engine/onnx/planted.ts', 'bench/planted.ts'])
      for (const code of opens) {
        const errors = await ortNodeErrors(file, code);
        expect(errors, `${file}: ${code}`).toHaveLength(1);
        expect(errors[0]).toMatch(/onnxruntime-node is opened only by main\/engine\/exec\/ort-node\.ts/);
      }
    for (const code of opens) expect(await ortNodeErrors('main/engine/exec/ort-node.ts', code)).toEqual([]);
    // Types shared by both runtimes come from onnxruntime-common, which stays open to the engine.
    expect(await ortNodeErrors('main/engine/onnx/planted.ts', importOf('onnxruntime-common'))).toEqual([]);
  });
});
