// Dense tensors: a dtype, a static shape and a flat row-major typed array.

// int8 and uint8 hold quantised tensors (QuantizeLinear / DequantizeLinear; see quant/).
export type DType = 'float32' | 'float64' | 'int64' | 'bool' | 'int8' | 'uint8';
export type FloatType = 'float32' | 'float64';
export type Shape = readonly number[];

export type TensorData = Float32Array | Float64Array | BigInt64Array | Uint8Array | Int8Array;

export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function allocate(dtype: DType, size: number): TensorData {
  switch (dtype) {
    case 'float32':
      return new Float32Array(size);
    case 'float64':
      return new Float64Array(size);
    case 'int64':
      return new BigInt64Array(size);
    case 'bool':
    case 'uint8':
      return new Uint8Array(size);
    case 'int8':
      return new Int8Array(size);
  }
}

export function isFloat(dtype: DType): dtype is FloatType {
  return dtype === 'float32' || dtype === 'float64';
}

export class Tensor {
  readonly dtype: DType;
  readonly shape: Shape;
  readonly data: TensorData;

  constructor(dtype: DType, shape: Shape, data?: TensorData | ArrayLike<number>) {
    for (const d of shape) {
      if (!Number.isInteger(d) || d < 0) throw new RangeError(`Tensor: bad dimension ${d} in shape [${shape}]`);
    }
    this.dtype = dtype;
    this.shape = [...shape];
    const size = sizeOf(shape);
    if (data === undefined) {
      this.data = allocate(dtype, size);
    } else if (isTypedFor(dtype, data)) {
      this.data = data;
    } else {
      const out = allocate(dtype, size);
      if (out instanceof BigInt64Array) {
        for (let i = 0; i < size; i++) out[i] = BigInt((data as ArrayLike<number>)[i]!);
      } else {
        out.set(data as ArrayLike<number>);
      }
      this.data = out;
    }
    if (this.data.length !== size) {
      throw new RangeError(`Tensor: shape [${shape}] needs ${size} elements, got ${this.data.length}`);
    }
  }

  get size(): number {
    return this.data.length;
  }

  static scalar(value: number, dtype: DType = 'float32'): Tensor {
    return new Tensor(dtype, [], [value]);
  }

  static fromArray(dtype: DType, shape: Shape, values: ArrayLike<number>): Tensor {
    return new Tensor(dtype, shape, values);
  }

  static zeros(dtype: DType, shape: Shape): Tensor {
    return new Tensor(dtype, shape);
  }

  /** Elements as JS numbers (int64 converted; fine for shapes and indices). */
  toNumbers(): number[] {
    return Array.from(this.data as ArrayLike<number | bigint>, (x) => Number(x));
  }

  /** A copy converted to another float type (or the same). */
  cast(dtype: DType): Tensor {
    const out = allocate(dtype, this.size);
    if (out instanceof BigInt64Array) {
      for (let i = 0; i < this.size; i++) out[i] = BigInt(Math.trunc(Number(this.data[i])));
    } else if (this.data instanceof BigInt64Array) {
      for (let i = 0; i < this.size; i++) out[i] = Number(this.data[i]);
    } else {
      out.set(this.data);
    }
    return new Tensor(dtype, this.shape, out);
  }
}

function isTypedFor(dtype: DType, data: TensorData | ArrayLike<number>): data is TensorData {
  switch (dtype) {
    case 'float32':
      return data instanceof Float32Array;
    case 'float64':
      return data instanceof Float64Array;
    case 'int64':
      return data instanceof BigInt64Array;
    case 'bool':
    case 'uint8':
      return data instanceof Uint8Array;
    case 'int8':
      return data instanceof Int8Array;
  }
}
