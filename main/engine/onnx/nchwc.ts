// ONNX bytes for ORT-node in which 2-D Convs run on ONNX Runtime's NCHWc kernels even though
// their weights are graph inputs. OrtNodeExecutor applies it by default where the CPU has the
// kernels; `new OrtNodeExecutor({ nchwc: false })` or DENOISE_LAB_NCHWC=0 turns it off.
//
// Why: ORT's graph optimiser moves a Conv to its blocked-layout ("NCHWc") direct-convolution
// kernels only when the weights are constant initializers (it reorders them once at load time).
// In a training step the weights are inputs that change every step, so every Conv falls back to
// im2col + GEMM. The NCHWc Conv kernel itself (contrib domain com.microsoft.nchwc) reads its
// filter as an ordinary input, so the filter can be reordered IN the graph (Reshape, Transpose,
// Reshape: a few thousand floats per step) and the activations wrapped in ReorderInput /
// ReorderOutput; a Conv reading another rewritten Conv's output takes its blocked form directly.
// Measured (bench/conv-grad-formulations.ts, one thread): the ref-dae training step from
// 0.82x to 1.05x PyTorch's speed, 1024² inference 888 → 591 ms, losses identical to 7 digits
// (test/unit/engine/exec-nchwc.test.ts holds three Adam steps to the plain session).
//
// The block size is the CPU's vector width in floats (MlasNchwcGetBlockSize: 16 with AVX-512F,
// 8 with AVX2); the filter layout depends on it. Only for ORT-node: the contrib ops exist in
// neither the reference interpreter nor ORT-web, so the IR stays standard ONNX and this rewrites
// only the bytes handed to ORT-node. The switch exists because the pass leans on contrib ops whose
// behaviour ORT may change between releases: a user who meets a refusal can still run plainly.

import { readFileSync } from 'node:fs';
import type { Graph } from '../ir/graph.js';
import { ATTR, type AttributeProto, type NodeProto, decodeModel, encodeModel } from './proto.js';
import { toOnnx } from './writer.js';

const NCHWC = 'com.microsoft.nchwc';

/** MLAS's NCHWc block size on this CPU (x86-64 Linux), or null where the kernels do not apply. */
export function nchwcBlockSize(): number | null {
  if (cachedBlock === undefined) cachedBlock = readBlockSize();
  return cachedBlock;
}

let cachedBlock: number | null | undefined;

function readBlockSize(): number | null {
  if (process.arch !== 'x64' || process.platform !== 'linux') return null;
  let flags: string;
  try {
    flags = readFileSync('/proc/cpuinfo', 'utf8');
  } catch {
    return null;
  }
  if (/\bavx512f\b/.test(flags)) return 16;
  if (/\bavx2\b/.test(flags)) return 8;
  return null;
}

const ints = (name: string, values: number[]): AttributeProto => ({ name, type: ATTR.INTS, ints: values });
const int = (name: string, value: number): AttributeProto => ({ name, type: ATTR.INT, i: value });
const str = (name: string, value: string): AttributeProto => ({
  name,
  type: ATTR.STRING,
  s: new TextEncoder().encode(value),
});
const attr = (n: NodeProto, name: string): AttributeProto | undefined => n.attribute?.find((a) => a.name === name);

/**
 * `graph` as ONNX bytes in which every eligible Conv (2-D, group 1, dilation 1, output channels a
 * multiple of the block, input channels a multiple of it or fewer) runs as an NCHWc Conv, with a
 * Relu that is its only reader fused into it. Returns the bytes and the number of Convs rewritten.
 */
export function withNchwcConvs(graph: Graph, block: number): { bytes: Uint8Array; rewritten: number } {
  const model = decodeModel(toOnnx(graph));
  const nodes = model.graph!.node ?? [];
  const readers = new Map<string, NodeProto[]>();
  for (const n of nodes) for (const i of n.input ?? []) readers.set(i, [...(readers.get(i) ?? []), n]);
  const outputs = new Set(graph.outputs.map((v) => v.name));
  const fused = new Set<NodeProto>();
  const out: NodeProto[] = [];
  const shapeConstants: { name: string; dims: number[] }[] = [];
  const shapeConst = (name: string, dims: number[]): string => {
    shapeConstants.push({ name, dims });
    return name;
  };
  const blockedForm = new Map<string, string>();
  let count = 0;
  for (const n of nodes) {
    if (fused.has(n)) continue;
    const [xName, wName, bName] = n.input ?? [];
    const eligible =
      n.op_type === 'Conv' &&
      !n.domain &&
      graph.value(wName!).shape.length === 4 &&
      (attr(n, 'group')?.i ?? 1) === 1 &&
      (attr(n, 'dilations')?.ints ?? [1, 1]).every((d) => d === 1);
    const [O, C, kh, kw] = eligible ? (graph.value(wName!).shape as [number, number, number, number]) : [0, 0, 0, 0];
    if (!eligible || O % block !== 0 || !(C % block === 0 || C < block)) {
      out.push(n);
      continue;
    }
    const p = `nchwc${++count}`;
    // Filter [O, C, kh, kw] → [O/B, C/B, kh, kw, B(c), B(o)] (or [O/B, C, kh, kw, B(o)] when C < B),
    // kept 4-D for the kernel's shape checks.
    const blockedC = C % block === 0;
    const split = blockedC ? [O / block, block, C / block, block, kh, kw] : [O / block, block, C, kh, kw];
    const perm = blockedC ? [0, 2, 4, 5, 3, 1] : [0, 2, 3, 4, 1];
    out.push(
      { op_type: 'Reshape', input: [wName!, shapeConst(`${p}/split`, split)], output: [`${p}/w_split`] },
      { op_type: 'Transpose', input: [`${p}/w_split`], output: [`${p}/w_perm`], attribute: [ints('perm', perm)] },
      { op_type: 'Reshape', input: [`${p}/w_perm`, shapeConst(`${p}/oihw`, [O, C, kh, kw])], output: [`${p}/w`] },
    );
    // An input that a rewritten Conv produced is read in its blocked form (no ReorderInput).
    let x = xName!;
    if (blockedC) {
      x = blockedForm.get(x) ?? `${p}/x`;
      if (x === `${p}/x`) out.push({ op_type: 'ReorderInput', domain: NCHWC, input: [xName!], output: [x] });
    }
    let y = n.output![0]!;
    const attributes: AttributeProto[] = [
      ints('kernel_shape', [kh, kw]),
      ints('pads', attr(n, 'pads')?.ints ?? [0, 0, 0, 0]),
      ints('strides', attr(n, 'strides')?.ints ?? [1, 1]),
    ];
    const only = readers.get(y);
    if (only?.length === 1 && only[0]!.op_type === 'Relu' && !outputs.has(y)) {
      fused.add(only[0]!);
      y = only[0]!.output![0]!;
      attributes.push(str('activation', 'Relu'));
    }
    out.push(
      {
        op_type: 'Conv',
        domain: NCHWC,
        input: [x, `${p}/w`, ...(bName ? [bName] : [])],
        output: [`${p}/y`],
        attribute: attributes,
      },
      { op_type: 'ReorderOutput', domain: NCHWC, input: [`${p}/y`], output: [y], attribute: [int('channels', O)] },
    );
    blockedForm.set(y, `${p}/y`);
  }
  model.graph!.node = out;
  model.graph!.initializer = [
    ...(model.graph!.initializer ?? []),
    ...shapeConstants.map(({ name, dims }) => ({ name, dims: [dims.length], data_type: 7, int64_data: dims })),
  ];
  model.opset_import = [...(model.opset_import ?? []), { domain: NCHWC, version: 1 }];
  return { bytes: encodeModel(model), rewritten: count };
}
