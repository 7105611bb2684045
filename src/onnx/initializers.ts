import { DataType, type TensorProto } from './onnx-proto.js';

/**
 * Initializer tensors, always as little-endian raw_data: int64 values such as Slice's
 * "to the end" (INT64_MAX) do not fit a JS number, and raw_data is what ONNX tools themselves
 * write for weights.
 */
export function floatTensor(name: string, dims: readonly number[], values: ArrayLike<number>): TensorProto {
  const size = dims.reduce((a, b) => a * b, 1);
  if (values.length !== size) throw new Error(`initializer ${name}: ${values.length} values for shape [${dims}]`);
  const raw = new Uint8Array(size * 4);
  const view = new DataView(raw.buffer);
  for (let i = 0; i < size; i++) view.setFloat32(i * 4, values[i], true);
  return { name, dims: [...dims], data_type: DataType.FLOAT, raw_data: raw };
}

/** A 1-D int64 tensor (shapes, pads, axes, slice bounds). */
export function int64Tensor(name: string, values: readonly (number | bigint)[]): TensorProto {
  const raw = new Uint8Array(values.length * 8);
  const view = new DataView(raw.buffer);
  values.forEach((v, i) => view.setBigInt64(i * 8, BigInt(v), true));
  return { name, dims: [values.length], data_type: DataType.INT64, raw_data: raw };
}

/** HWIO [kh, kw, cin, cout] (tfjs, the IR) -> OIHW [cout, cin, kh, kw] (ONNX Conv). */
export function hwioToOihw(values: Float32Array, shape: readonly number[]): { dims: number[]; values: Float32Array } {
  const [kh, kw, cin, cout] = shape;
  const out = new Float32Array(values.length);
  for (let y = 0; y < kh; y++) {
    for (let x = 0; x < kw; x++) {
      for (let i = 0; i < cin; i++) {
        for (let o = 0; o < cout; o++) {
          out[((o * cin + i) * kh + y) * kw + x] = values[((y * kw + x) * cin + i) * cout + o];
        }
      }
    }
  }
  return { dims: [cout, cin, kh, kw], values: out };
}

type FloatDataTensor = TensorProto & { float_data?: number[] };

export function tensorSize(t: Pick<TensorProto, 'dims'>): number {
  return (t.dims ?? []).reduce((a, b) => a * Number(b), 1);
}

export function floatValues(t: TensorProto): Float32Array {
  if (t.data_type !== DataType.FLOAT) throw new Error(`initializer ${t.name} is not float32 (data_type ${t.data_type})`);
  const size = tensorSize(t);
  const fromList = (t as FloatDataTensor).float_data;
  if ((!t.raw_data || t.raw_data.byteLength === 0) && fromList && fromList.length === size) return Float32Array.from(fromList);
  const raw = t.raw_data ?? new Uint8Array(0);
  if (raw.byteLength !== size * 4) throw new Error(`initializer ${t.name}: ${raw.byteLength} bytes for ${size} float32 values`);
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}
