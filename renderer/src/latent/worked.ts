// The seeds' tiny worked examples, computed in plain TypeScript so the step-through view can show
// every number of a forward pass and of one backpropagation step, recompute them all when a reader
// edits an input or a weight, and take one gradient-descent step at a time. The networks are a few dense
// layers (weights given as rows: W[j][i] connects input i to unit j), so doing the arithmetic here
// is clearer than asking the engine; test/unit/renderer/worked.test.ts checks the results against
// /work/shared/reference/worked-examples.md.

export type TinyActivation = 'linear' | 'relu' | 'sigmoid';
/** half-se: ½Σ(ŷ−t)² (seed 004); mse: mean (ŷ−t)²; bce: mean binary cross-entropy (natural log). */
export type TinyLoss = 'half-se' | 'mse' | 'bce';

export interface TinyLayer {
  name: string;
  W: number[][];
  b?: number[];
  activation: TinyActivation;
}

export interface TinyExample {
  id: string;
  title: string;
  source: string;
  input: number[];
  target: number[];
  layers: TinyLayer[];
  loss: TinyLoss;
  lr: number;
  /** An autoencoder's target is its own input: editing an input edits the target with it. */
  targetIsInput?: true;
}

export interface LayerTrace {
  name: string;
  input: number[];
  /** Pre-activation W·x + b. */
  pre: number[];
  out: number[];
}

export interface GradTrace {
  name: string;
  /** ∂L/∂out of this layer, then ∂L/∂pre after the activation's derivative. */
  dOut: number[];
  dPre: number[];
  dW: number[][];
  db: number[] | null;
  /** Weights after one SGD step W − lr·∂L/∂W. */
  Wnext: number[][];
  bnext: number[] | null;
}

export interface StepTrace {
  forward: LayerTrace[];
  output: number[];
  loss: number;
  dLoss: number[];
  backward: GradTrace[];
}

const act = (a: TinyActivation, x: number) =>
  a === 'relu' ? Math.max(0, x) : a === 'sigmoid' ? 1 / (1 + Math.exp(-x)) : x;
/** Derivative of the activation, written in terms of its pre-activation x and output y. */
const dact = (a: TinyActivation, x: number, y: number) =>
  a === 'relu' ? (x > 0 ? 1 : 0) : a === 'sigmoid' ? y * (1 - y) : 1;

export function lossOf(kind: TinyLoss, y: number[], t: number[]): { loss: number; grad: number[] } {
  const n = y.length;
  if (kind === 'half-se')
    return { loss: 0.5 * y.reduce((s, v, i) => s + (v - t[i]!) ** 2, 0), grad: y.map((v, i) => v - t[i]!) };
  if (kind === 'mse')
    return { loss: y.reduce((s, v, i) => s + (v - t[i]!) ** 2, 0) / n, grad: y.map((v, i) => (2 * (v - t[i]!)) / n) };
  return {
    loss: -y.reduce((s, v, i) => s + t[i]! * Math.log(v) + (1 - t[i]!) * Math.log(1 - v), 0) / n,
    grad: y.map((v, i) => (v - t[i]!) / (v * (1 - v)) / n),
  };
}

/** One forward pass, the loss, and one SGD step, with every intermediate number kept. */
export function traceStep(ex: TinyExample): StepTrace {
  const forward: LayerTrace[] = [];
  let x = ex.input;
  for (const layer of ex.layers) {
    const pre = layer.W.map((row, j) => row.reduce((s, w, i) => s + w * x[i]!, layer.b?.[j] ?? 0));
    const out = pre.map((v) => act(layer.activation, v));
    forward.push({ name: layer.name, input: x, pre, out });
    x = out;
  }
  const { loss, grad } = lossOf(ex.loss, x, ex.target);
  const backward: GradTrace[] = [];
  let dOut = grad;
  for (let l = ex.layers.length - 1; l >= 0; l--) {
    const layer = ex.layers[l]!;
    const f = forward[l]!;
    const dPre = dOut.map((d, j) => d * dact(layer.activation, f.pre[j]!, f.out[j]!));
    const dW = layer.W.map((row, j) => row.map((_, i) => dPre[j]! * f.input[i]!));
    const dIn = f.input.map((_, i) => layer.W.reduce((s, row, j) => s + row[i]! * dPre[j]!, 0));
    backward.unshift({
      name: layer.name,
      dOut,
      dPre,
      dW,
      db: layer.b ? dPre : null,
      Wnext: layer.W.map((row, j) => row.map((w, i) => w - ex.lr * dW[j]![i]!)),
      bnext: layer.b ? layer.b.map((b, j) => b - ex.lr * dPre[j]!) : null,
    });
    dOut = dIn;
  }
  return { forward, output: x, loss, dLoss: grad, backward };
}

/** A number one can edit in the step-through: an input, or weight W[j][i] of layer `layer`. */
export type Cell = { kind: 'input'; i: number } | { kind: 'weight'; layer: number; j: number; i: number };

/** The example with one input or weight changed; everything derived is recomputed by traceStep. */
export function withValue(ex: TinyExample, cell: Cell, value: number): TinyExample {
  if (cell.kind === 'input') {
    const input = ex.input.map((v, i) => (i === cell.i ? value : v));
    return { ...ex, input, target: ex.targetIsInput ? input : ex.target };
  }
  const layers = ex.layers.map((layer, l) =>
    l === cell.layer
      ? { ...layer, W: layer.W.map((row, j) => row.map((w, i) => (j === cell.j && i === cell.i ? value : w))) }
      : layer,
  );
  return { ...ex, layers };
}

/** What one typed entry means: a finite number, or a sentence saying what to type instead. */
export function parseEntry(text: string): { value: number } | { error: string } {
  // Number('') is 0 and Number('0x1f') is 31: accept only plain decimals (a comma as the point, too).
  const t = text.trim().replace(',', '.').replace('\u2212', '-');
  const value = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(t) ? Number(t) : NaN;
  return Number.isFinite(value) ? { value } : { error: 'Type a number, e.g. 0.25' };
}

export interface SgdStep {
  lossBefore: number;
  lossAfter: number;
  /** The example with its weights (and biases) replaced by those after the step. */
  next: TinyExample;
}

/**
 * Exactly one step of gradient descent (the example's learning rate) from its current weights, or
 * null when the loss or the new weights are not finite numbers (a saturated sigmoid under BCE, or
 * weights so large that they overflow): stepping on from there would only spread NaN.
 */
export function sgdStep(ex: TinyExample): SgdStep | null {
  const before = traceStep(ex);
  const layers = ex.layers.map((layer, l) => {
    const g = before.backward[l]!;
    return { ...layer, W: g.Wnext, ...(g.bnext ? { b: g.bnext } : {}) };
  });
  const next = { ...ex, layers };
  const lossAfter = traceStep(next).loss;
  const finite = [before.loss, lossAfter, ...layers.flatMap((l) => [...l.W.flat(), ...(l.b ?? [])])].every(
    Number.isFinite,
  );
  return finite ? { lossBefore: before.loss, lossAfter, next } : null;
}

export const EXAMPLES: TinyExample[] = [
  {
    id: 'seed-004',
    title: 'One step of backpropagation',
    source: 'seed 004: two inputs, two linear hidden units, one linear output, no biases',
    input: [2, 3],
    target: [1],
    layers: [
      {
        name: 'hidden',
        W: [
          [0.11, 0.21],
          [0.12, 0.08],
        ],
        activation: 'linear',
      },
      { name: 'output', W: [[0.14, 0.15]], activation: 'linear' },
    ],
    loss: 'half-se',
    lr: 0.05,
  },
  {
    id: 'seed-002',
    title: 'ReLU autoencoder from scratch',
    source: 'seed 002: 3 → 2 → 3, ReLU after encoder and decoder, no biases',
    input: [1.0, 0.8, 0.5],
    target: [1.0, 0.8, 0.5],
    layers: [
      {
        name: 'encoder',
        W: [
          [0.8, 0.3, 0.5],
          [0.4, 0.7, 0.2],
        ],
        activation: 'relu',
      },
      {
        name: 'decoder',
        W: [
          [0.9, 0.4],
          [0.2, 0.7],
          [0.5, 0.3],
        ],
        activation: 'relu',
      },
    ],
    loss: 'mse',
    lr: 0.1,
    targetIsInput: true,
  },
  {
    id: 'seed-001',
    title: 'Sigmoid autoencoder with binary cross-entropy',
    source: 'seed 001: 2 → 2 → 2, sigmoid on both layers, decoder = identity',
    input: [1, 0],
    target: [1, 0],
    layers: [
      {
        name: 'encoder',
        W: [
          [1, -1],
          [0, 1],
        ],
        activation: 'sigmoid',
      },
      {
        name: 'decoder',
        W: [
          [1, 0],
          [0, 1],
        ],
        activation: 'sigmoid',
      },
    ],
    loss: 'bce',
    lr: 0.1,
    targetIsInput: true,
  },
];
