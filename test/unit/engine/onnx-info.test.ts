// `denoise-lab info`: architecture, parameter count, inputs/outputs and opset of ONNX files, and
// clear errors for files that are not ONNX models.
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Rng } from '../../../common/rng.js';
import { buildInference, initParams } from '../../../main/engine/nn/index.js';
import { architectureToJson, paramSpecs, preset } from '../../../common/model/index.js';
import { toOnnx } from '../../../main/engine/onnx/index.js';
import { cli } from '../../helpers/cli.js';
import { tempDir } from '../../helpers/temp-dir.js';

const fixtures = path.join(import.meta.dirname, '../../fixtures/engine/onnx');
const dir = tempDir('info-test-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('denoise-lab info', () => {
  it('shows the op histogram, parameters and symbolic shapes of a PyTorch export', async () => {
    const r = await cli('info', path.join(fixtures, 'torch_denoiser.onnx'));
    expect(r.code).toBe(0);
    expect(r.out).toContain('architecture  Conv ×2, Relu ×1, Sub ×1');
    expect(r.out).toContain('parameters    77'); // 4·1·9 + 4 + 1·4·9 + 1
    expect(r.out).toContain('inputs        noisy  FLOAT [N, 1, H, W]');
    expect(r.out).toContain('opset         17 (IR version 8), made by pytorch');
  });

  it('reads the embedded architecture of a Denoise Lab export (--json)', async () => {
    const arch = preset('ref-dae')!;
    const fg = buildInference(arch, { batch: 1, sampleShape: [1, 16, 16] });
    const bytes = toOnnx(fg.graph, {
      frozenParameters: initParams(paramSpecs(arch), new Rng(1)),
      dynamicAxes: { input: { 0: 'N', 2: 'H', 3: 'W' }, output: { 0: 'N', 2: 'H', 3: 'W' } },
      metadata: { architecture: architectureToJson(arch) },
    });
    const file = path.join(dir, 'ref-dae.onnx');
    writeFileSync(file, bytes);
    const r = await cli('info', file, '--json');
    expect(r.code).toBe(0);
    const info = JSON.parse(r.out);
    expect(info.architecture.source).toBe('metadata');
    expect(info.architecture.name).toBe('ref-dae');
    expect(info.parameterCount).toBe(46849);
    expect(info.opset).toBe(17);
    expect(info.inputs).toEqual([{ name: 'input', elemType: 'FLOAT', dims: ['N', 1, 'H', 'W'] }]);
    expect(info.opCounts).toEqual({ Conv: 7, Relu: 6, Sub: 1, Identity: 1 });
  });

  it('fails clearly on empty, corrupt, missing and non-ONNX files', async () => {
    const empty = path.join(dir, 'empty.onnx');
    writeFileSync(empty, '');
    const text = path.join(dir, 'notes.onnx');
    writeFileSync(text, 'this is not a model at all\n');
    const cases: [string, RegExp][] = [
      [empty, /not an ONNX model: the file is empty/],
      [text, /not an ONNX model/],
      [path.join(dir, 'missing.onnx'), /cannot read .*missing\.onnx: ENOENT/],
      [dir, /is not a file/],
    ];
    for (const [file, message] of cases) {
      const r = await cli('info', file);
      expect(r.code, file).toBe(2);
      expect(r.err).toMatch(message);
      expect(r.out).toBe('');
    }
    expect((await cli('info')).code).toBe(2);
  });
});
