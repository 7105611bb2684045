import * as ort from 'onnxruntime-node';
import { createOrtSession } from '../onnx/ort.js';
import { AttributeType, DataType, encodeModel, type ModelProto } from '../onnx/onnx-proto.js';

/**
 * X^T X of an n x k row-major float32 matrix, as float64 (k x k). One Gemm (transA) on ONNX
 * Runtime: its SGEMM is two orders of magnitude faster than a JS loop, and a second moment over a
 * few thousand samples needs no more than float32 accumulation.
 */
export async function gramMatrix(rows: Float32Array, n: number, k: number): Promise<Float64Array> {
  if (rows.length !== n * k) throw new Error(`gramMatrix: ${rows.length} values are not ${n} x ${k}`);
  if (n === 0) return new Float64Array(k * k);
  const session = await gramSession();
  const x = new ort.Tensor('float32', rows, [n, k]);
  const out = await session.run({ x });
  return Float64Array.from(out.g.data as Float32Array);
}

/** A (m x k) times B (k x n), row-major float32, on ONNX Runtime: G R for every channel's residual at once. */
export async function matMul(a: Float32Array, m: number, k: number, b: Float32Array, n: number): Promise<Float32Array> {
  if (a.length !== m * k || b.length !== k * n) throw new Error(`matMul: ${a.length} and ${b.length} values are not ${m} x ${k} and ${k} x ${n}`);
  const session = await (productSession ??= createOrtSession(encodeModel(productModel())));
  const out = await session.run({ a: new ort.Tensor('float32', a, [m, k]), b: new ort.Tensor('float32', b, [k, n]) });
  return out.c.data as Float32Array;
}

let cached: Promise<ort.InferenceSession> | null = null;
let productSession: Promise<ort.InferenceSession> | null = null;

function gramSession(): Promise<ort.InferenceSession> {
  cached ??= createOrtSession(encodeModel(gramModel()));
  return cached;
}

const dims = (...names: string[]) => ({ dim: names.map((dim_param) => ({ dim_param })) });

function productModel(): ModelProto {
  return {
    ir_version: 8,
    opset_import: [{ domain: '', version: 17 }],
    producer_name: 'hilbertq',
    metadata_props: [],
    graph: {
      name: 'product',
      node: [{ name: 'product', op_type: 'MatMul', input: ['a', 'b'], output: ['c'], attribute: [] }],
      initializer: [],
      input: [
        { name: 'a', type: { tensor_type: { elem_type: DataType.FLOAT, shape: dims('m', 'k') } } },
        { name: 'b', type: { tensor_type: { elem_type: DataType.FLOAT, shape: dims('k', 'n') } } },
      ],
      output: [{ name: 'c', type: { tensor_type: { elem_type: DataType.FLOAT, shape: dims('m', 'n') } } }],
    },
  };
}

function gramModel(): ModelProto {
  return {
    ir_version: 8,
    opset_import: [{ domain: '', version: 17 }],
    producer_name: 'hilbertq',
    metadata_props: [],
    graph: {
      name: 'gram',
      node: [{ name: 'gram', op_type: 'Gemm', input: ['x', 'x'], output: ['g'], attribute: [{ name: 'transA', type: AttributeType.INT, i: 1 }] }],
      initializer: [],
      input: [{ name: 'x', type: { tensor_type: { elem_type: DataType.FLOAT, shape: dims('n', 'k') } } }],
      output: [{ name: 'g', type: { tensor_type: { elem_type: DataType.FLOAT, shape: dims('k', 'k') } } }],
    },
  };
}
