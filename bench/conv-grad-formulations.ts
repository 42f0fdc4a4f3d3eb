// Formulation study for convolution training on ONNX Runtime (`npm run bench -- --formulations`).
//
// 1. One 32→32 3×3 layer, batch 16×48×48 (the ref-dae body), each gradient piece as a standalone
//    graph on ORT-node: the formulations of grad/conv.ts next to other candidates.
// 2. The whole ref-dae training step with the gradient rules as they are, and with tables that
//    swap other rules in (what-if; passed to the step builder, so the engine's own table in
//    grad/rules.ts is never changed), next to PyTorch's step.
// 3. ORT session options on the whole step.
// The variants of each study are timed in alternating rounds (medians), so load from other
// processes drifting during the study does not favour one of them.
//
// Adopted (grad/conv.ts, fast path for 2-D convs with stride 1, dilation 1, group 1, pads ≤ k−1):
//   ∂x as Conv      Conv(dy, W̃) with W̃ = W transposed to [C, O, k…] and flipped spatially, pads
//                   k−1−p: the same product as ConvTranspose, through ORT's faster Conv kernel.
//   ∂W flat shifts  pad x (one spare row), flatten H·W; the window of a kernel offset (i, j) is
//                   one contiguous range, so each of the K slices is a plain copy per (n, c) row;
//                   dy gets k−1 zero columns so the wrap-around columns contribute nothing.
//                   The copies are of x or of dy, whichever has fewer channels, and are stacked
//                   into one MatMul when they are no bigger than the other operand (1↔32 layers).
//   ReLU backward   dy · Cast(y > 0), from the output (grad/rules.ts): ORT then fuses Conv + Relu.
// ORT-node's NCHWc compile pass (main/engine/onnx/nchwc.ts, adopted as ORT-node's default where
// the CPU has the kernels): Convs on ORT's NCHWc kernels with the filter reordered in the graph.
// The studies below run the plain sessions ({ nchwc: false }) and time the rewrite as its own row.
// Measured and not adopted:
//   ∂W row windows × dy shifts (kh slices of x, kw − 1 shifted copies of dy): fewer copies, but
//   each transposed operand feeds kw MatMuls, so ORT cannot fold the Transpose into them and
//   materialises it; 25% slower on the whole step. Transposing x once ([N, Lx, C], windows as
//   contiguous blocks) is slower still (ORT's Transpose of [16, 32, 2500] dominates).

import { startTorchPeer, torchVersion } from './peers.js';
import { alternateRounds, roundsOf } from './rounds.js';
import { Rng } from '../common/rng.js';
import { OrtNodeExecutor } from '../main/engine/exec/ort-node.js';
import {
  biasGrad,
  convGeometry,
  inputGradByConvTranspose,
  inputGradByFlippedConv,
  weightGradByFlatShifts,
  flatPadded,
  isDenseStrideOneConv2d,
  weightGradByIm2col,
} from '../main/engine/grad/conv.js';
import { type GradRule, type GradRules, gradRules } from '../main/engine/grad/rules.js';
import { Graph, type Value } from '../main/engine/ir/graph.js';
import { Tensor } from '../main/engine/ir/tensor.js';
import type { Op } from '../main/engine/ir/ops.js';
import { buildTrainingModel, initParams } from '../main/engine/nn/index.js';
import { paramSpecs, preset } from '../common/model/index.js';
import type { OrtSessionOptions } from '../main/engine/onnx/runtime.js';
import { buildTrainStep } from '../main/engine/optim/index.js';
import { nchwcBlockSize } from '../main/engine/onnx/nchwc.js';

export interface ProbeOptions {
  threads: number;
  seconds: number;
  log: (line: string) => void;
}

export interface ProbeRow {
  study: 'layer' | 'step' | 'session';
  piece: string;
  formulation: string;
  ms: number;
  /** Largest difference from the first formulation of the same piece (layer study). */
  maxAbsDiff?: number;
}

/** Median ms of each of `runs`, timed in alternating rounds (see alternateRounds). */
async function alternatingMedians(
  runs: (() => Promise<unknown>)[],
  seconds: number,
  extra: ((k: number) => Promise<number[]>)[] = [],
): Promise<number[]> {
  const all = [...runs.map(roundsOf), ...extra];
  const timings = await alternateRounds(all, { seconds: seconds * all.length, round: 2, minRuns: 6, gapMs: 100 });
  return timings.map((t) => t.median);
}

// ---- candidate formulations --------------------------------------------------------------------

/**
 * ∂W by flat shifts with fewer copies: window (i, j) of x times dy equals row-window i of x times
 * dy shifted right by j (Σ_p dy[p]·x[p + i·Wp + j] = Σ_q dy[q − j]·x[q + i·Wp]; the shifted-in
 * values are the zero wrap-around columns), so kh slices of x and kw − 1 shifted copies of dy
 * feed the kh·kw MatMuls instead of kh·kw slices of x.
 */
export function convWeightGradRowShifts(
  g: Graph,
  x: Value,
  dy: Value,
  kernel: readonly number[],
  pads: readonly number[],
): Value {
  const [N, C] = x.shape as [number, number];
  const [, O, Ho, Wo] = dy.shape as [number, number, number, number];
  const [kh, kw] = kernel as [number, number];
  const { flat: xFlat, Wp } = flatPadded(g, x, pads);
  const L = Ho * Wp;
  const dyWide = g.reshape(Wp > Wo ? g.pad(dy, [0, 0, 0, 0, 0, 0, 0, Wp - Wo]) : dy, [N, O, L]);
  const dyFront = kw > 1 ? g.pad(dyWide, [0, 0, kw - 1, 0, 0, 0]) : dyWide;
  const dyShift = [...Array(kw).keys()].map((j) =>
    j === 0 ? dyWide : g.slice(dyFront, [kw - 1 - j], [kw - 1 - j + L], [2]),
  );
  const pieces: Value[] = [];
  for (let i = 0; i < kh; i++) {
    const rows = g.transpose(g.slice(xFlat, [i * Wp], [i * Wp + L], [2]), [0, 2, 1]);
    for (let j = 0; j < kw; j++) pieces.push(g.reshape(g.matmul(dyShift[j]!, rows), [N, O, C, 1]));
  }
  return g.reshape(g.reduceSum(g.concat(pieces, 3), [0], false), [O, C, kh, kw]);
}

/** The ReLU rule before: a mask of the INPUT, which then has two readers (no Conv + Relu fusion). */
const reluFromInput: GradRule = ({ g, dy, inputs }) => [
  g.where(g.greater(inputs[0]!, g.scalar(0, dy.dtype)), dy, g.scalar(0, dy.dtype)),
];

/** The Conv rule with the general formulations everywhere (ConvTranspose ∂x, im2col ∂W): no fast path. */
const generalConvRule: GradRule = (ctx) => {
  const { g, dy, node } = ctx;
  const [x, w, b] = ctx.inputs;
  const geo = convGeometry(node.attrs, x!.shape.length - 2);
  return [
    ctx.needs[0] ? inputGradByConvTranspose(g, dy, w!, x!.shape, geo) : null,
    ctx.needs[1] ? weightGradByIm2col(g, x!, dy, w!.shape.slice(2), geo) : null,
    b && ctx.needs[2] ? biasGrad(g, dy) : null,
  ];
};

/** The Conv rule as it is, with ∂W by row windows × dy shifts on stride-1 2-D layers. */
function rowShiftsConvRule(current: GradRule): GradRule {
  return (ctx) => {
    const [x, w] = ctx.inputs;
    const geo = convGeometry(ctx.node.attrs, x!.shape.length - 2);
    const out = current(ctx);
    const fast = isDenseStrideOneConv2d(x!.shape.slice(2), ctx.dy.shape.slice(2), w!.shape.slice(2), geo);
    if (fast && ctx.needs[1]) out[1] = convWeightGradRowShifts(ctx.g, x!, ctx.dy, w!.shape.slice(2), geo.pads);
    return out;
  };
}

// ---- studies -------------------------------------------------------------------------------------

async function layerStudy(o: ProbeOptions, rows: ProbeRow[]): Promise<void> {
  const [N, C, O, H, W] = [16, 32, 32, 48, 48];
  const rng = new Rng(3);
  const normal = (shape: number[]) =>
    new Tensor(
      'float32',
      shape,
      Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal()),
    );
  const feeds = { x: normal([N, C, H, W]), dy: normal([N, O, H, W]), w: normal([O, C, 3, 3]) };
  const geo = convGeometry({ pads: [1, 1, 1, 1] }, 2);
  const pads = [1, 1, 1, 1];
  type Build = (g: Graph, x: Value, dy: Value, w: Value) => Value;
  const pieces: [string, [string, Build][]][] = [
    ['forward', [['Conv', (g, x, _dy, w) => g.conv(x, w, null, { pads })]]],
    [
      '∂x',
      [
        ['ConvTranspose(dy, W) (general)', (g, _x, dy, w) => inputGradByConvTranspose(g, dy, w, [N, C, H, W], geo)],
        ['Conv(dy, flipped Wᵀ) (fast path)', (g, _x, dy, w) => inputGradByFlippedConv(g, dy, w, pads)],
      ],
    ],
    [
      '∂W',
      [
        ['im2col 2-D slices + MatMul (general)', (g, x, dy) => weightGradByIm2col(g, x, dy, [3, 3], geo)],
        ['flat shifts, 9 batched MatMuls (fast path)', (g, x, dy) => weightGradByFlatShifts(g, x, dy, [3, 3], pads)],
        ['row windows × dy shifts, 9 batched MatMuls', (g, x, dy) => convWeightGradRowShifts(g, x, dy, [3, 3], pads)],
        [
          'Conv over transposed tensors',
          (g, x, dy) =>
            g.transpose(
              g.conv(g.transpose(x, [1, 0, 2, 3]), g.transpose(dy, [1, 0, 2, 3]), null, { pads }),
              [1, 0, 2, 3],
            ),
        ],
      ],
    ],
    [
      'ReLU backward',
      [
        ['Where(x > 0, dy, 0) (before)', (g, x, dy) => g.where(g.greater(x, g.scalar(0)), dy, g.scalar(0))],
        ['dy · Cast(y > 0) (grad/rules.ts)', (g, x, dy) => g.mul(dy, g.cast(g.greater(x, g.scalar(0)), 'float32'))],
      ],
    ],
    [
      'Conv + ReLU',
      [
        [
          'pre-activation also read (before)',
          (g, x, _dy, w) => {
            const pre = g.conv(x, w, null, { pads });
            g.output(pre, 'pre');
            return g.relu(pre);
          },
        ],
        ['ReLU the only reader (fused by ORT)', (g, x, _dy, w) => g.relu(g.conv(x, w, null, { pads }))],
      ],
    ],
  ];
  const executor = new OrtNodeExecutor({ threads: o.threads, nchwc: false });
  for (const [piece, forms] of pieces) {
    const compiled = [];
    const diffs: (number | undefined)[] = [];
    let first: Tensor | undefined;
    for (const [, build] of forms) {
      const g = new Graph();
      const x = g.input('x', [N, C, H, W]);
      const dy = g.input('dy', [N, O, H, W]);
      const w = g.input('w', [O, C, 3, 3]);
      g.output(build(g, x, dy, w), 'out');
      const c = await executor.compile(g);
      const used = Object.fromEntries(g.inputs.map((v) => [v.name, feeds[v.name as keyof typeof feeds]]));
      const out = (await c.run(used)).out!;
      let diff: number | undefined;
      if (first) {
        diff = 0;
        for (let i = 0; i < out.size; i++) diff = Math.max(diff, Math.abs(Number(out.data[i]) - Number(first.data[i])));
      } else first = out;
      diffs.push(diff);
      compiled.push({ c, run: () => c.run(used) });
    }
    const ms = await alternatingMedians(
      compiled.map((x) => x.run),
      o.seconds,
    );
    forms.forEach(([formulation], i) => {
      const maxAbsDiff = diffs[i];
      rows.push({
        study: 'layer',
        piece,
        formulation,
        ms: ms[i]!,
        ...(maxAbsDiff !== undefined ? { maxAbsDiff } : {}),
      });
      o.log(`  layer ${piece}: ${formulation} ${ms[i]!.toFixed(2)} ms`);
    });
    for (const x of compiled) await x.c.dispose();
  }
}

/** The ref-dae training step (forward, backward, Adam) compiled on ORT-node; run() does one step. */
async function prepareStep(
  o: ProbeOptions,
  session: Partial<OrtSessionOptions> = {},
  nchwc = false,
  rules: GradRules = gradRules,
) {
  const arch = preset('ref-dae')!;
  const model = buildTrainingModel(arch, { batch: 16, sampleShape: [1, 48, 48] });
  const step = buildTrainStep({ graph: model.forward.graph, loss: model.loss, optimizer: { kind: 'adam' }, rules });
  const rng = new Rng(5);
  const feeds: Record<string, Tensor> = {
    ...Object.fromEntries(initParams(paramSpecs(arch), rng)),
    ...step.initialSlots(),
  };
  const batch = () =>
    new Tensor(
      'float32',
      [16, 1, 48, 48],
      Float32Array.from({ length: 16 * 48 * 48 }, () => rng.uniform()),
    );
  feeds[model.forward.x.name] = batch();
  feeds[model.target.name] = batch();
  feeds[step.lr] = Tensor.scalar(1e-3);
  const compiled = await new OrtNodeExecutor({ threads: o.threads, session, nchwc }).compile(step.graph);
  let t = 0;
  return {
    run: async () => {
      feeds[step.t] = Tensor.scalar(++t);
      const out = await compiled.run(feeds);
      for (const f of step.feedback) feeds[f.input] = out[f.output]!;
    },
    dispose: () => compiled.dispose(),
  };
}

export async function probeFormulations(o: ProbeOptions): Promise<ProbeRow[]> {
  const rows: ProbeRow[] = [];
  o.log(`one 32→32 3×3 layer, batch 16×48×48, ${o.threads} thread(s):`);
  await layerStudy(o, rows);

  const conv = gradRules.Conv as GradRule;
  const variants: [string, Partial<Record<Op, GradRule>>][] = [
    ['rules as they are (fast path, ReLU from the output)', {}],
    ['general conv formulations', { Conv: generalConvRule }],
    ['ReLU backward from the input', { Relu: reluFromInput }],
    ['before: general conv, ReLU from the input', { Conv: generalConvRule, Relu: reluFromInput }],
    ['∂W row windows × dy shifts', { Conv: rowShiftsConvRule(conv) }],
  ];
  o.log(`ref-dae training step, ${o.threads} thread(s):`);
  // The rule table is swapped only while each step graph is built; the steps then run in alternation.
  // PyTorch's step on the same model joins the alternation when /usr/bin/python3 has torch.
  const steps = [];
  for (const [, replace] of variants) steps.push(await prepareStep(o, {}, false, { ...gradRules, ...replace }));
  // The rules as they are, with the Convs on ORT's NCHWc kernels (where this CPU has them).
  const block = nchwcBlockSize();
  if (block) {
    variants.push([`rules as they are, Convs rewritten to NCHWc (block ${block})`, {}]);
    steps.push(await prepareStep(o, {}, true));
  }
  const torch = torchVersion() ? await startTorchPeer(o.threads, 64) : null;
  try {
    const stepTimes = await alternatingMedians(
      steps.map((s) => s.run),
      o.seconds,
      torch ? [torch.rounds('train')] : [],
    );
    const names = [
      ...variants.map(([name]) => name),
      ...(torch ? [`PyTorch ${torchVersion()}, same model and threads`] : []),
    ];
    names.forEach((name, i) => {
      rows.push({ study: 'step', piece: 'ref-dae step', formulation: name, ms: stepTimes[i]! });
      o.log(`  step ${name}: ${stepTimes[i]!.toFixed(1)} ms`);
    });
  } finally {
    await torch?.close();
  }
  for (const s of steps) await s.dispose();

  const sessions: [string, Partial<OrtSessionOptions>][] = [
    ['defaults (optimisation all, arena on, sequential)', {}],
    ['graphOptimizationLevel extended', { graphOptimizationLevel: 'extended' }],
    ['graphOptimizationLevel basic', { graphOptimizationLevel: 'basic' }],
    ['enableCpuMemArena off', { enableCpuMemArena: false }],
    ['enableMemPattern off', { enableMemPattern: false }],
    ['executionMode parallel', { executionMode: 'parallel', interOpNumThreads: o.threads }],
    ['denormals as zero', { extra: { session: { set_denormal_as_zero: '1' } } }],
  ];
  if (o.threads > 1) {
    sessions.push(['no spinning in the thread pool', { extra: { session: { intra_op: { allow_spinning: '0' } } } }]);
  }
  o.log(`session options on the step as it is, ${o.threads} thread(s):`);
  const sessionSteps = [];
  for (const [, session] of sessions) sessionSteps.push(await prepareStep(o, session));
  const sessionTimes = await alternatingMedians(
    sessionSteps.map((s) => s.run),
    o.seconds,
  );
  sessions.forEach(([name], i) => {
    rows.push({ study: 'session', piece: 'ref-dae step', formulation: name, ms: sessionTimes[i]! });
    o.log(`  session ${name}: ${sessionTimes[i]!.toFixed(1)} ms`);
  });
  for (const s of sessionSteps) await s.dispose();
  return rows;
}

export function formatProbe(rows: ProbeRow[], threads: number): string {
  const out = [`Formulation study on ORT-node, ${threads} thread(s) (median ms)`];
  for (const study of ['layer', 'step', 'session'] as const) {
    out.push(
      '',
      study === 'layer'
        ? 'one 32→32 3×3 conv layer, batch 16×48×48'
        : study === 'step'
          ? 'ref-dae training step with candidate gradient rules'
          : 'ref-dae training step, ORT session options',
    );
    for (const r of rows.filter((x) => x.study === study)) {
      const diff = r.maxAbsDiff !== undefined ? `  (max |Δ| ${r.maxAbsDiff.toExponential(1)})` : '';
      out.push(`  ${r.piece.padEnd(14)} ${r.formulation.padEnd(52)} ${r.ms.toFixed(2).padStart(9)}${diff}`);
    }
  }
  return out.join('\n') + '\n';
}
