// A model's fast twin: the same network quantised to int8 (npm run quantize), shipped beside it
// under its name plus "-int8" (models/default-int8.onnx beside models/default.onnx). The CLI's
// --fast and the Denoise workspace's "Fast" option swap a model for its twin by this name alone.

export const INT8_SUFFIX = '-int8';

/** The twin's name (a file stem or a model id: 'default' → 'default-int8'); an int8 model is its own twin. */
export function int8TwinName(name: string): string {
  return isInt8Twin(name) ? name : `${name}${INT8_SUFFIX}`;
}

/** Whether a name (stem or id) is an int8 twin's. */
export function isInt8Twin(name: string): boolean {
  return name.endsWith(INT8_SUFFIX);
}

/** The float model an int8 twin was made from ('default-int8' → 'default'); null for other names. */
export function floatOriginalName(name: string): string | null {
  return isInt8Twin(name) ? name.slice(0, -INT8_SUFFIX.length) : null;
}
