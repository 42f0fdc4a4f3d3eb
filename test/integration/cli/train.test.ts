import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { encodeNpy } from '../../../main/files/npy.js';
import { Rng } from '../../../common/rng.js';
import { importEngineModel } from '../../../main/ml/model-file.js';
import { graphThreadScript } from '../../../main/files/app-paths.js';
import { cli } from '../../helpers/cli.js';
import { tempDir } from '../../helpers/temp-dir.js';

const tmp = () => tempDir('dl-cli-train-');
const lines = (out: string) =>
  out
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

/** 12 grey 8×8 "images" with smooth ramps, on a [0, 1] scale. */
function tinyNpy(dir: string): string {
  const rng = new Rng(3);
  const data = new Float32Array(12 * 64);
  for (let n = 0; n < 12; n++) {
    const a = rng.uniform();
    const b = rng.uniform();
    for (let i = 0; i < 64; i++) data[n * 64 + i] = 0.2 + 0.3 * a * ((i % 8) / 8) + (0.3 * b * Math.floor(i / 8)) / 8;
  }
  const file = path.join(dir, 'tiny.npy');
  writeFileSync(file, encodeNpy(data, [12, 1, 8, 8]));
  return file;
}

describe('denoise-lab train', () => {
  it('--json prints one line per step (loss before the update) and a summary; the loss decreases', async () => {
    const dir = tmp();
    const out = path.join(dir, 'm.onnx');
    const r = await cli(
      'train',
      '--arch',
      'dense:64-16-64',
      '--data',
      'digits',
      '--out',
      out,
      '--steps',
      '40',
      '--batch',
      '16',
      '--lr',
      '0.01',
      '--seed',
      '1',
      '--json',
    );
    expect(r.code, r.err).toBe(0);
    const rows = lines(r.out);
    expect(rows).toHaveLength(41);
    rows.slice(0, 40).forEach((row, i) => {
      expect(Object.keys(row)).toEqual(['step', 'loss']);
      expect(row.step).toBe(i + 1);
    });
    expect(rows[40]).toMatchObject({
      done: true,
      status: 'completed',
      steps: 40,
      params: 64 * 16 + 16 + 16 * 64 + 64,
      out,
    });
    const loss = rows.slice(0, 40).map((row) => row.loss as number);
    expect(loss[39]!).toBeLessThan(0.5 * loss[0]!);
    expect(importEngineModel(readFileSync(out)).arch.network).toMatchObject({ widths: [64, 16, 64] });
  });

  it('--steps 0 writes the initial model (a function of --seed); step 1 loss = that model on the first batch', async () => {
    const dir = tmp();
    const npy = tinyNpy(dir);
    const a = path.join(dir, 'a.onnx');
    const b = path.join(dir, 'b.onnx');
    const c = path.join(dir, 'c.onnx');
    expect(
      (await cli('train', '--arch', 'ref-dae', '--data', npy, '--out', a, '--steps', '0', '--seed', '5')).code,
    ).toBe(0);
    expect(
      (
        await cli(
          'train',
          '--arch',
          'ref-dae',
          '--data',
          npy,
          '--out',
          b,
          '--steps',
          '0',
          '--seed',
          '5',
          '--noise',
          'none',
        )
      ).code,
    ).toBe(0);
    expect(
      (await cli('train', '--arch', 'ref-dae', '--data', npy, '--out', c, '--steps', '0', '--seed', '6')).code,
    ).toBe(0);
    const pa = importEngineModel(readFileSync(a)).params;
    const pb = importEngineModel(readFileSync(b)).params;
    const pc = importEngineModel(readFileSync(c)).params;
    expect(Array.from(pa.get('conv3.weight')!.data as Float32Array)).toEqual(
      Array.from(pb.get('conv3.weight')!.data as Float32Array),
    );
    expect(Array.from(pa.get('conv3.weight')!.data as Float32Array)).not.toEqual(
      Array.from(pc.get('conv3.weight')!.data as Float32Array),
    );

    // Independent check with onnxruntime on the exported file: MSE of the first 4 samples (file order, no noise).
    const r = await cli(
      'train',
      '--arch',
      'ref-dae',
      '--data',
      npy,
      '--out',
      path.join(dir, 'd.onnx'),
      '--steps',
      '3',
      '--batch',
      '4',
      '--seed',
      '5',
      '--noise',
      'none',
      '--no-shuffle',
      '--optimizer',
      'sgd',
      '--lr',
      '0.01',
      '--json',
    );
    expect(r.code, r.err).toBe(0);
    const first = lines(r.out)[0]!.loss as number;
    const session = await ort.InferenceSession.create(a);
    const x = readFileSync(npy);
    const data = new Float32Array(
      x.buffer.slice(x.byteOffset + x.length - 12 * 64 * 4, x.byteOffset + x.length),
    ).subarray(0, 4 * 64);
    const y = (await session.run({ input: new ort.Tensor('float32', data, [4, 1, 8, 8]) })).output!
      .data as Float32Array;
    let se = 0;
    for (let i = 0; i < y.length; i++) se += (y[i]! - data[i]!) ** 2;
    expect(Math.abs(first - se / y.length)).toBeLessThan(1e-6 + 1e-5 * first);
    // The export runs at another size: dynamic N, H, W.
    const big = (
      await session.run({ input: new ort.Tensor('float32', new Float32Array(2 * 20 * 24).fill(0.5), [2, 1, 20, 24]) })
    ).output!;
    expect(big.dims).toEqual([2, 1, 20, 24]);
    await session.release();
  });

  it('--init continues from an exported model; checkpoint + resume equals one run', async () => {
    const dir = tmp();
    const npy = tinyNpy(dir);
    const base = [
      '--arch',
      'conv-ae-b2',
      '--data',
      npy,
      '--batch',
      '4',
      '--seed',
      '2',
      '--noise',
      'gaussian:25',
      '--json',
      '--lr',
      '0.01',
    ];
    const whole = await cli('train', ...base, '--out', path.join(dir, 'w.onnx'), '--steps', '8');
    const ck = path.join(dir, 'run.ckpt');
    const part = await cli('train', ...base, '--out', path.join(dir, 'p.onnx'), '--steps', '3', '--checkpoint', ck);
    const rest = await cli('train', ...base, '--out', path.join(dir, 'r.onnx'), '--steps', '8', '--resume', ck);
    expect([whole.code, part.code, rest.code]).toEqual([0, 0, 0]);
    const losses = (out: string) =>
      lines(out)
        .filter((l) => 'step' in l && !('done' in l))
        .map((l) => l.loss);
    expect([...losses(part.out), ...losses(rest.out)]).toEqual(losses(whole.out));
    expect(readFileSync(path.join(dir, 'r.onnx')).equals(readFileSync(path.join(dir, 'w.onnx')))).toBe(true);
    const init = await cli(
      'train',
      ...base,
      '--out',
      path.join(dir, 'i.onnx'),
      '--steps',
      '1',
      '--init',
      path.join(dir, 'w.onnx'),
      '--no-shuffle',
    );
    expect(init.code, init.err).toBe(0);
  });

  it('--threads 2 splits a big enough batch over two threads: the same run up to rounding, resumable', async () => {
    // The threads run the built worker (out/worker/ort-node-thread.js), which npm install builds.
    expect(existsSync(graphThreadScript), 'run npm run build first').toBe(true);
    const dir = tmp();
    const rng = new Rng(8);
    const crops = Float32Array.from({ length: 32 * 48 * 48 }, () => 0.3 + 0.4 * rng.uniform());
    const npy = path.join(dir, 'crops.npy');
    writeFileSync(npy, encodeNpy(crops, [32, 1, 48, 48]));
    const base = ['--arch', 'ref-dae', '--data', npy, '--batch', '16', '--seed', '5', '--json', '--steps', '4'];
    const run = (threads: string, ...more: string[]) =>
      cli('train', ...base, '--threads', threads, '--out', path.join(dir, `t${threads}${more.length}.onnx`), ...more);
    const [one, two] = [await run('1'), await run('2')];
    expect([one.code, two.code], one.err + two.err).toEqual([0, 0]);
    const summary = (out: string) => lines(out).at(-1)!;
    expect(summary(one.out).batchSlices).toBe(1);
    expect(summary(two.out).batchSlices).toBe(2);
    const losses = (out: string) =>
      lines(out)
        .filter((l) => 'step' in l && !('done' in l))
        .map((l) => l.loss as number);
    const [a, b] = [losses(one.out), losses(two.out)];
    expect(b).toHaveLength(4);
    expect(a[3]!).toBeLessThan(a[0]!);
    b.forEach((l, i) => expect(Math.abs(l - a[i]!) / a[i]!, `step ${i + 1}`).toBeLessThan(1e-4));
    // A split run's checkpoint resumes as a split run to the same end.
    const ck = path.join(dir, 'split.ckpt');
    const part = await run('2', '--checkpoint', ck, '--steps', '2');
    const rest = await run('2', '--resume', ck, '--steps', '4');
    expect([part.code, rest.code]).toEqual([0, 0]);
    expect([...losses(part.out), ...losses(rest.out)]).toEqual(b);
  });

  it('--lr-schedule cosine decays the learning rate over --steps', async () => {
    const dir = tmp();
    const run = (schedule: string) =>
      cli(
        'train',
        '--arch',
        'dense:64-16-64',
        '--data',
        'digits',
        '--out',
        path.join(dir, `${schedule}.onnx`),
        '--steps',
        '3',
        '--batch',
        '8',
        '--optimizer',
        'sgd',
        '--lr',
        '0.5',
        '--lr-schedule',
        schedule,
        '--json',
      );
    const constant = lines((await run('constant')).out)
      .slice(0, 3)
      .map((r) => r.loss as number);
    const cosine = lines((await run('cosine')).out)
      .slice(0, 3)
      .map((r) => r.loss as number);
    // Step 1's update uses lr(0) = --lr in both runs; step 2's uses lr(1) = lr/100 + (lr − lr/100)·(1 + cos(π/3))/2.
    expect(cosine[0]).toBe(constant[0]);
    expect(cosine[1]).toBe(constant[1]);
    expect(cosine[2]).not.toBe(constant[2]);
    const noSteps = await cli(
      'train',
      '--arch',
      'dense:64-16-64',
      '--data',
      'digits',
      '--out',
      path.join(dir, 'x.onnx'),
      '--lr-schedule',
      'cosine',
    );
    expect(noSteps.code).toBe(2);
    expect(noSteps.err).toMatch(/--lr-schedule cosine needs --steps/);
    const bad = await cli(
      'train',
      '--arch',
      'dense:64-16-64',
      '--data',
      'digits',
      '--out',
      path.join(dir, 'x.onnx'),
      '--steps',
      '1',
      '--lr-schedule',
      'warp',
    );
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/constant or cosine/);
  });

  it('bad input: clear message, non-zero exit, no output file', async () => {
    const dir = tmp();
    const npy = tinyNpy(dir);
    const out = path.join(dir, 'x.onnx');
    const cases: [string[], RegExp][] = [
      [
        ['--arch', 'ref-dae', '--data', npy, '--out', out, '--noise', 'gaussian'],
        /--noise must be 'none' or <type>:<level>/,
      ],
      [['--arch', 'ref-dae', '--data', npy, '--out', out, '--noise', 'purple:3'], /unknown noise type 'purple'/],
      [
        ['--arch', 'ref-dae', '--data', npy, '--out', out, '--steps=-1'],
        /--steps must be an integer from 0 to 10000000 \(got -1\)\./,
      ],
      [['--arch', 'ref-dae', '--data', npy, '--out', out, '--optimizer', 'rmsprop'], /--optimizer must be sgd or adam/],
      [['--arch', 'ref-dae', '--data', path.join(dir, 'none.npy'), '--out', out], /no such file/],
      [['--arch', 'ref-dae', '--data', npy, '--out', path.join(dir, 'nodir', 'x.onnx')], /does not exist/],
      [['--arch', 'ref-dae', '--data', npy, '--out', path.join(dir, 'x.txt')], /\.onnx/],
      [['--arch', 'dense:10-4-10', '--data', npy, '--out', out], /does not fit the architecture/],
      [['--arch', 'ref-dae', '--data', npy, '--out', out, '--init', npy], /--init/],
      [['--arch', 'ref-dae', '--data', npy, '--out', out, '--resume', npy], /not a Denoise Lab checkpoint/],
      [['--arch', 'ref-dae', '--data', 'digits', '--out', out, '--patch', '4'], /--patch does not apply/],
    ];
    for (const [args, message] of cases) {
      const r = await cli('train', ...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err).toMatch(message);
    }
    const nan = await cli(
      'train',
      '--arch',
      'dense:64-16-64',
      '--data',
      'digits',
      '--out',
      out,
      '--steps',
      '30',
      '--optimizer',
      'sgd',
      '--lr',
      '1000',
      '--json',
    );
    expect(nan.code).toBe(1);
    expect(nan.err).toMatch(/training diverged/);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir)).toEqual(['tiny.npy']);
  });
});
