// Sum for wasm over leading axes, as in every bias gradient (dy summed over batch and pixels):
// the builtin transposes the reduced axes innermost, a full copy, then sums each row; 0.2-0.4 ms
// for a 1/4-resolution map, ~100 times per ViT step. This is one pass of gemm.wat: a row of
// ones times dy viewed as [pixels, channels].
import * as tf from '@tensorflow/tfjs';
import type { KernelConfig, NamedAttrMap, SumAttrs, TensorInfo } from '@tensorflow/tfjs';
import { runBuiltin } from './builtin-kernels.js';
import { gemmFor } from './gemm.js';
import { f32, withScratch, written, type WasmBackend } from './wasm-heap.js';

/** Fewer columns than a SIMD lane run the gemm's scalar path: the builtin is as good there. */
const MIN_COLUMNS = 4;

function sum(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: NamedAttrMap }): TensorInfo {
  const backend = args.backend as WasmBackend;
  const x = args.inputs.x as TensorInfo;
  const { axis, keepDims } = args.attrs as unknown as SumAttrs;
  const builtin = (): TensorInfo => runBuiltin(backend, tf.Sum, { x }, args.attrs);
  const axes = tf.util.parseAxisParam(axis, x.shape).sort((a, b) => a - b);
  const leading = axes.length > 0 && axes.every((a, i) => a === i);
  const gemm = gemmFor(backend);
  if (x.dtype !== 'float32' || !leading || !gemm) return builtin();
  const rows = tf.util.sizeFromShape(x.shape.slice(0, axes.length));
  const columns = tf.util.sizeFromShape(x.shape.slice(axes.length));
  if (columns < MIN_COLUMNS || rows === 0) return builtin();

  const kept = x.shape.slice(axes.length);
  return withScratch(backend, (s) => {
    const ones = s.alloc([rows]);
    f32(backend, ones).fill(1);
    return written(backend, keepDims ? [...axes.map(() => 1), ...kept] : kept, (out) =>
      gemm({ tensor: ones, ld: rows }, { tensor: x, ld: columns }, { tensor: out, ld: columns }, 1, columns, rows),
    );
  });
}

export const sumConfig: KernelConfig = {
  kernelName: tf.Sum,
  backendName: 'wasm',
  kernelFunc: sum as unknown as KernelConfig['kernelFunc'],
};
