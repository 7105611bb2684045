// Conv2D for wasm, stride 1: gemm.wat's shifted products (shifted-conv.ts) instead of XNNPACK.
// XNNPACK packs each new filter before its first use (~9 ns per weight here) and caches the
// packing per filter tensor, which pays when a filter is reused, as in inference. In training every
// filter is new each step (Adam replaces it), and while a gradient is recorded tfjs runs a fused
// conv with a ReLU as this plain Conv2D plus bias and activation. Fused convs with a linear
// activation stay FusedConv2D, on XNNPACK, in training too. Strided, dilated and NCHW convs stay
// with the builtin.
import * as tf from '@tensorflow/tfjs';
import type { Conv2DAttrs, KernelConfig, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import { runBuiltin } from './builtin-kernels.js';
import { gemmFor } from './gemm.js';
import { shiftedConv } from './shifted-conv.js';
import type { WasmBackend } from './wasm-heap.js';

function conv2D(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: NamedAttrMap }): TensorInfo {
  const backend = args.backend as WasmBackend;
  const { x, filter } = args.inputs as { x: TensorInfo; filter: TensorInfo };
  const attrs = args.attrs as unknown as Conv2DAttrs;
  const builtin = (): TensorInfo => runBuiltin(backend, tf.Conv2D, args.inputs, args.attrs);
  const gemm = gemmFor(backend);
  if (!gemm || attrs.dataFormat === 'NCHW' || x.dtype !== 'float32') return builtin();
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filter.shape as [number, number, number, number],
    attrs.strides,
    attrs.dilations,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const { top, left } = info.padInfo;
  const plain = info.strideHeight === 1 && info.strideWidth === 1 && info.dilationHeight === 1 && info.dilationWidth === 1;
  const [, height, width] = x.shape;
  // Bottom and right padding as tfjs's output size implies; they differ from padInfo's when a
  // numeric pad meets a non-square filter (tfjs then sizes both axes by the filter height, and
  // the builtin's XNNPACK conv writes past its output: the cpu backend is the reference).
  const bottom = info.outHeight - 1 + info.filterHeight - height - top;
  const right = info.outWidth - 1 + info.filterWidth - width - left;
  if (!plain || bottom < 0 || right < 0 || info.outHeight < 1 || info.outWidth < 1) return builtin();
  return shiftedConv(backend, gemm, x, filter, [top, bottom, left, right]);
}

export const conv2DConfig: KernelConfig = {
  kernelName: tf.Conv2D,
  backendName: 'wasm',
  kernelFunc: conv2D as unknown as KernelConfig['kernelFunc'],
};
