// Conv2D for wasm, stride 1: gemm.wat's shifted products (shifted-conv.ts) instead of XNNPACK.
// XNNPACK packs each new filter before its first use (~9 ns per weight here) and caches the
// packing per filter tensor, which pays when a filter is reused, as in inference (FusedConv2D,
// left to XNNPACK). In training every filter is new each step: Adam replaces it, and tfjs's
// fused conv runs as this plain Conv2D plus bias and activation while a gradient is recorded.
// Strided, dilated and NCHW convolutions stay with the builtin.
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
  const gemm = gemmFor(backend);
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filter.shape as [number, number, number, number],
    attrs.strides,
    attrs.dilations,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    attrs.dataFormat === 'NCHW' ? 'channelsFirst' : 'channelsLast',
  );
  const plain = info.strideHeight === 1 && info.strideWidth === 1 && info.dilationHeight === 1 && info.dilationWidth === 1;
  if (!gemm || !plain || attrs.dataFormat === 'NCHW' || x.dtype !== 'float32') {
    return runBuiltin(backend, tf.Conv2D, args.inputs, args.attrs);
  }
  const { top, bottom, left, right } = info.padInfo;
  return shiftedConv(backend, gemm, x, filter, [top, bottom, left, right]);
}

export const conv2DConfig: KernelConfig = {
  kernelName: tf.Conv2D,
  backendName: 'wasm',
  kernelFunc: conv2D as unknown as KernelConfig['kernelFunc'],
};
