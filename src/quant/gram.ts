import * as ort from 'onnxruntime-node';
import { createOrtSession } from '../onnx/ort.js';
import { AttributeType, DataType, encodeModel, type ModelProto, type NodeProto, type ValueInfoProto } from '../onnx/onnx-proto.js';

/**
 * X^T X of an n x k row-major float32 matrix, as float64 (k x k). One Gemm (transA) on ONNX
 * Runtime: its SGEMM is two orders of magnitude faster than a JS loop, and a second moment over a
 * few thousand samples needs no more than float32 accumulation.
 */
export async function gramMatrix(rows: Float32Array, n: number, k: number): Promise<Float64Array> {
  if (rows.length !== n * k) throw new Error(`gramMatrix: ${rows.length} values are not ${n} x ${k}`);
  if (n === 0) return new Float64Array(k * k);
  const session = await sessionOf(GRAM);
  const out = await session.run({ x: new ort.Tensor('float32', rows, [n, k]) });
  return Float64Array.from(out.g.data as Float32Array);
}

/** A (m x k) times B (k x n), row-major float32, on ONNX Runtime: G R for every channel's residual at once. */
export async function matMul(a: Float32Array, m: number, k: number, b: Float32Array, n: number): Promise<Float32Array> {
  if (a.length !== m * k || b.length !== k * n) throw new Error(`matMul: ${a.length} and ${b.length} values are not ${m} x ${k} and ${k} x ${n}`);
  const session = await sessionOf(PRODUCT);
  const out = await session.run({ a: new ort.Tensor('float32', a, [m, k]), b: new ort.Tensor('float32', b, [k, n]) });
  return out.c.data as Float32Array;
}

/** A graph of one float32 op with symbolic dims, e.g. ['x', ['n', 'k']]. */
interface OneOp {
  node: NodeProto;
  inputs: [string, string[]][];
  output: [string, string[]];
}

const GRAM: OneOp = {
  node: { name: 'gram', op_type: 'Gemm', input: ['x', 'x'], output: ['g'], attribute: [{ name: 'transA', type: AttributeType.INT, i: 1 }] },
  inputs: [['x', ['n', 'k']]],
  output: ['g', ['k', 'k']],
};

const PRODUCT: OneOp = {
  node: { name: 'product', op_type: 'MatMul', input: ['a', 'b'], output: ['c'], attribute: [] },
  inputs: [['a', ['m', 'k']], ['b', ['k', 'n']]],
  output: ['c', ['m', 'n']],
};

const sessions = new Map<OneOp, Promise<ort.InferenceSession>>();

/** One session per op for the process: each is created on first use. */
function sessionOf(op: OneOp): Promise<ort.InferenceSession> {
  let session = sessions.get(op);
  if (!session) {
    session = createOrtSession(encodeModel(oneOpModel(op)));
    sessions.set(op, session);
  }
  return session;
}

function oneOpModel({ node, inputs, output }: OneOp): ModelProto {
  const value = ([name, dims]: [string, string[]]): ValueInfoProto => ({
    name,
    type: { tensor_type: { elem_type: DataType.FLOAT, shape: { dim: dims.map((dim_param) => ({ dim_param })) } } },
  });
  return {
    ir_version: 8,
    opset_import: [{ domain: '', version: 17 }],
    producer_name: 'hilbertq',
    metadata_props: [],
    graph: { name: node.name, node: [node], initializer: [], input: inputs.map(value), output: [value(output)] },
  };
}
