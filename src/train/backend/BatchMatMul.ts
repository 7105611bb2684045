// BatchMatMul for wasm: the builtin uses XNNPACK only for an untransposed, unbatched product and
// otherwise a scalar triple loop ~10x slower. Backprop through any dense layer needs transposes,
// and attention needs batches, so both went slow. This version materialises the transposes
// (cheap, memory-bound) and runs one untransposed product per batch: gemm.wat in place where it
// can run (no packing of the right factor, which XNNPACK redoes for every new right factor, and
// no per-batch copies), else XNNPACK on copied blocks.
import * as tf from '@tensorflow/tfjs';
import type { BatchMatMulAttrs, KernelConfig, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import { runBuiltin } from './builtin-kernels.js';
import { swapLastAxes } from './fast-transpose.js';
import { gemmFor } from './gemm.js';
import { alloc, f32, reshaped, withScratch, written, type WasmBackend } from './wasm-heap.js';

/** Below this many multiply-adds per batch, the builtin loop beats our per-call overhead. */
const MIN_MACS_PER_BATCH = 32 * 32 * 32;

function untransposedProduct(backend: WasmBackend, a: TensorInfo, b: TensorInfo): TensorInfo {
  return runBuiltin(backend, tf.BatchMatMul, { a, b }, { transposeA: false, transposeB: false });
}

/** Copies block `index` of `count`-element blocks of `src` into a new tensor of `shape`. */
function copyBlock(backend: WasmBackend, src: TensorInfo, index: number, shape: number[]): TensorInfo {
  const out = alloc(backend, shape);
  const count = tf.util.sizeFromShape(shape);
  f32(backend, out).set(f32(backend, src).subarray(index * count, (index + 1) * count));
  return out;
}

function batchMatMul(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: NamedAttrMap }): TensorInfo {
  const backend = args.backend as WasmBackend;
  const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
  const { transposeA, transposeB } = args.attrs as unknown as BatchMatMulAttrs;
  const builtin = (): TensorInfo => runBuiltin(backend, tf.BatchMatMul, { a, b }, args.attrs);
  if (a.dtype !== 'float32' || b.dtype !== 'float32') return builtin();

  const ar = a.shape.length;
  const br = b.shape.length;
  const m = transposeA ? a.shape[ar - 1] : a.shape[ar - 2];
  const k = transposeA ? a.shape[ar - 2] : a.shape[ar - 1];
  const n = transposeB ? b.shape[br - 2] : b.shape[br - 1];
  const batchA = tf.util.sizeFromShape(a.shape.slice(0, -2));
  const batchB = tf.util.sizeFromShape(b.shape.slice(0, -2));
  // Mixed broadcasting like [2,1] x [1,3] is rare; leave it (and tiny products) to the builtin.
  if (batchA !== batchB && batchA !== 1 && batchB !== 1) return builtin();
  if (m * n * k < MIN_MACS_PER_BATCH) return builtin();
  const batch = Math.max(batchA, batchB);
  const outShape = [
    ...tf.broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2)),
    m,
    n,
  ];

  const gemm = gemmFor(backend);
  return withScratch(backend, (s) => {
    const a3 = transposeA
      ? s.own(swapLastAxes(backend, reshaped(a, [batchA, k, m])))
      : reshaped(a, [batchA, m, k]);
    const b3 = transposeB
      ? s.own(swapLastAxes(backend, reshaped(b, [batchB, n, k])))
      : reshaped(b, [batchB, k, n]);
    if (batchB === 1) {
      // Shared right factor: stack all of A's batches as rows of a single product.
      const out = gemm
        ? written(backend, [batchA * m, n], (c) =>
            gemm({ tensor: a3, ld: k }, { tensor: b3, ld: n }, { tensor: c, ld: n }, batchA * m, n, k),
          )
        : untransposedProduct(backend, reshaped(a3, [1, batchA * m, k]), reshaped(b3, [1, k, n]));
      return reshaped(out, outShape);
    }

    if (gemm) {
      const out = written(backend, [batch, m, n], (c) => {
        for (let i = 0; i < batch; i++) {
          gemm(
            { tensor: a3, offset: batchA === 1 ? 0 : i * m * k, ld: k },
            { tensor: b3, offset: i * k * n, ld: n },
            { tensor: c, offset: i * m * n, ld: n },
            m, n, k,
          );
        }
      });
      return reshaped(out, outShape);
    }

    const out = alloc(backend, [batch, m, n]);
    try {
      for (let i = 0; i < batch; i++) {
        // A scratch per batch keeps peak memory at one block of each operand.
        withScratch(backend, (t) => {
          const ai = batchA === 1 ? reshaped(a3, [1, m, k]) : t.own(copyBlock(backend, a3, i, [1, m, k]));
          const bi = t.own(copyBlock(backend, b3, i, [1, k, n]));
          const oi = t.own(untransposedProduct(backend, ai, bi));
          f32(backend, out).set(f32(backend, oi), i * m * n);
        });
      }
    } catch (err) {
      backend.disposeData(out.dataId);
      throw err;
    }
    return reshaped(out, outShape);
  });
}

export const batchMatMulConfig: KernelConfig = {
  kernelName: tf.BatchMatMul,
  backendName: 'wasm',
  kernelFunc: batchMatMul as unknown as KernelConfig['kernelFunc'],
};
