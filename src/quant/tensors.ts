import { DataType, type TensorProto } from '../onnx/onnx-proto.js';

/**
 * Typed views of initializers and builders for the quantized ones. Everything is written as
 * little-endian raw_data, like the float exporter; float32 is also read from float_data, which
 * other ONNX writers use.
 */

// Reading float initializers is the exporter's business too (re-export for int8); it lives there.
export { floatValues, tensorSize } from '../onnx/initializers.js';
import { floatValues, tensorSize } from '../onnx/initializers.js';

/** Bytes an initializer takes in the file (raw data or typed lists). */
export function tensorBytes(t: TensorProto): number {
  if (t.raw_data && t.raw_data.byteLength > 0) return t.raw_data.byteLength;
  const width: Record<number, number> = { [DataType.FLOAT]: 4, [DataType.INT32]: 4, [DataType.INT64]: 8, [DataType.UINT8]: 1, [DataType.INT8]: 1, [DataType.UINT16]: 2 };
  return tensorSize(t) * (width[t.data_type] ?? 4);
}

const WRITERS: Record<number, { bytes: number; write: (v: DataView, i: number, x: number) => void }> = {
  [DataType.FLOAT]: { bytes: 4, write: (v, i, x) => v.setFloat32(i * 4, x, true) },
  [DataType.UINT8]: { bytes: 1, write: (v, i, x) => v.setUint8(i, x) },
  [DataType.INT8]: { bytes: 1, write: (v, i, x) => v.setInt8(i, x) },
  [DataType.UINT16]: { bytes: 2, write: (v, i, x) => v.setUint16(i * 2, x, true) },
  [DataType.INT32]: { bytes: 4, write: (v, i, x) => v.setInt32(i * 4, x, true) },
};

/** An initializer of `dataType` (FLOAT, UINT8, INT8, UINT16 or INT32); values must already fit the type. */
export function makeTensor(name: string, dataType: number, dims: readonly number[], values: ArrayLike<number>): TensorProto {
  const writer = WRITERS[dataType];
  if (!writer) throw new Error(`initializer ${name}: unsupported data_type ${dataType}`);
  const size = dims.reduce((a, b) => a * b, 1);
  if (values.length !== size) throw new Error(`initializer ${name}: ${values.length} values for shape [${dims}]`);
  const raw = new Uint8Array(size * writer.bytes);
  const view = new DataView(raw.buffer);
  for (let i = 0; i < size; i++) writer.write(view, i, values[i]);
  return { name, dims: [...dims], data_type: dataType, raw_data: raw };
}

/** Reads back what `makeTensor` wrote (scales, zero points, quantized weights), as numbers. */
export function numericValues(t: TensorProto): number[] {
  if (t.data_type === DataType.FLOAT) return Array.from(floatValues(t));
  const raw = t.raw_data ?? new Uint8Array(0);
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const size = tensorSize(t);
  const out: number[] = [];
  for (let i = 0; i < size; i++) {
    switch (t.data_type) {
      case DataType.UINT8: out.push(view.getUint8(i)); break;
      case DataType.INT8: out.push(view.getInt8(i)); break;
      case DataType.UINT16: out.push(view.getUint16(i * 2, true)); break;
      case DataType.INT32: out.push(view.getInt32(i * 4, true)); break;
      case DataType.INT64: out.push(Number(view.getBigInt64(i * 8, true))); break;
      default: throw new Error(`initializer ${t.name}: unsupported data_type ${t.data_type}`);
    }
  }
  return out;
}
