// `denoise-lab info <model.onnx> [--json]`: what an ONNX model is — its architecture (the embedded
// architecture JSON when the model was made by Denoise Lab, else a histogram of its ops), parameter
// count, inputs and outputs with their (possibly symbolic) shapes, and opset.
import { readFile, stat } from 'node:fs/promises';
import { type Command, UsageError } from '../command.js';
import { type OnnxSummary, type OnnxValueInfo, inspectOnnx } from '../../engine/onnx/index.js';
import { ARCH_FORMAT, type Architecture, validateArchitecture } from '../../../common/model/index.js';

/** protobuf cannot hold more than 2 GiB; anything bigger is not a (single-file) ONNX model. */
const MAX_BYTES = 2 ** 31;

export interface ModelInfo extends OnnxSummary {
  file: string;
  /** Where `architecture` comes from: the model's own metadata, or its op histogram. */
  architecture:
    { source: 'metadata'; key: string; name: string | null; spec: Architecture } | { source: 'ops'; ops: string };
}

/** The architecture document a Denoise Lab export carries in one of its metadata values, if any. */
function embeddedArchitecture(metadata: Record<string, string>): ModelInfo['architecture'] | null {
  for (const [key, text] of Object.entries(metadata)) {
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch {
      continue;
    }
    // Either the architecture itself or a model card holding it (architectureSpec / architecture).
    const candidates = [
      doc,
      (doc as Record<string, unknown>)?.architectureSpec,
      (doc as Record<string, unknown>)?.architecture,
    ];
    for (const c of candidates) {
      if (c && typeof c === 'object' && (c as { format?: unknown }).format === ARCH_FORMAT) {
        const spec = validateArchitecture(c, `metadata '${key}'`);
        return { source: 'metadata', key, name: spec.name ?? null, spec };
      }
    }
  }
  return null;
}

function opHistogram(counts: Record<string, number>): string {
  return Object.entries(counts)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([op, n]) => `${op} ×${n}`)
    .join(', ');
}

export async function modelInfo(file: string): Promise<ModelInfo> {
  let size: number;
  try {
    const s = await stat(file);
    if (!s.isFile()) throw new UsageError(`${file} is not a file`);
    size = s.size;
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  if (size >= MAX_BYTES) throw new UsageError(`${file} is ${size} bytes; an ONNX model is smaller than 2 GiB`);
  let summary: OnnxSummary;
  try {
    summary = inspectOnnx(new Uint8Array(await readFile(file)));
  } catch (e) {
    throw new UsageError(`${file}: ${(e as Error).message}`);
  }
  const architecture = embeddedArchitecture(summary.metadata) ?? {
    source: 'ops' as const,
    ops: opHistogram(summary.opCounts),
  };
  return { file, ...summary, architecture };
}

const shapeText = (v: OnnxValueInfo) => `${v.name}  ${v.elemType} [${v.dims.join(', ')}]`;

function describe(info: ModelInfo): string {
  const arch = info.architecture;
  const lines = [
    info.file,
    `  architecture  ${
      arch.source === 'metadata'
        ? `${arch.name ?? '(unnamed)'}: ${arch.spec.network.type} network, ${arch.spec.variant.type} variant (embedded)`
        : arch.ops || '(no nodes)'
    }`,
    `  parameters    ${info.parameterCount.toLocaleString('en-US')}`,
    `  opset         ${info.opset ?? 'none'} (IR version ${info.irVersion})${info.producer ? `, made by ${info.producer}` : ''}`,
    ...info.inputs.map((v, i) => `  ${i === 0 ? 'inputs ' : '       '}       ${shapeText(v)}`),
    ...info.outputs.map((v, i) => `  ${i === 0 ? 'outputs' : '       '}       ${shapeText(v)}`),
  ];
  const keys = Object.keys(info.metadata);
  if (keys.length > 0) lines.push(`  metadata      ${keys.join(', ')}`);
  return lines.join('\n') + '\n';
}

export const infoCommand: Command = {
  name: 'info',
  summary: 'describe an ONNX model: architecture, parameters, inputs/outputs, opset',
  usage: `Usage: denoise-lab info <model.onnx> [--json]

Shows the model's architecture (as embedded by Denoise Lab, otherwise a histogram of its ops),
its parameter count (elements of its weight initializers), its inputs and outputs with their
shapes (symbolic dimensions by name, e.g. [N, 1, H, W]) and its opset.

  --json  one JSON document: {"file", "architecture", "parameterCount", "inputs", "outputs",
          "opset", "irVersion", "producer", "opCounts", "metadata", …}`,
  options: { json: { type: 'boolean' } },
  allowPositionals: true,
  async run({ values, positionals }, io) {
    if (positionals.length !== 1)
      throw new UsageError('expected exactly one model file: denoise-lab info <model.onnx>');
    const info = await modelInfo(positionals[0]!);
    io.out(values.json ? JSON.stringify(info) + '\n' : describe(info));
    return 0;
  },
};
