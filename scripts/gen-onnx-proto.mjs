// Regenerates main/engine/onnx/onnx-proto.json from main/engine/onnx/onnx.proto.
// The engine loads the JSON descriptor with protobuf.Root.fromJSON, so neither Node nor the
// browser bundle parses .proto text at run time. Run after updating onnx.proto:
//   node scripts/gen-onnx-proto.mjs
import protobuf from 'protobufjs';
import * as prettier from 'prettier';
import { readFileSync, writeFileSync, renameSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const dir = path.join(path.dirname(path.dirname(fileURLToPath(import.meta.url))), 'main', 'engine', 'onnx');
// keepCase: field names stay as in the ONNX spec (raw_data, data_type, ...), not camelCased.
const { root } = protobuf.parse(readFileSync(path.join(dir, 'onnx.proto'), 'utf8'), { keepCase: true });
root.resolveAll();
const target = path.join(dir, 'onnx-proto.json');
const tmp = `${target}.tmp`;
// Formatted as `npm run format` would, so regenerating gives a byte-identical file.
writeFileSync(
  tmp,
  await prettier.format(JSON.stringify(root.toJSON({ keepComments: false })), {
    ...(await prettier.resolveConfig(target)),
    filepath: target,
  }),
);
renameSync(tmp, target);
console.error(`wrote ${path.relative(process.cwd(), target)}`);
