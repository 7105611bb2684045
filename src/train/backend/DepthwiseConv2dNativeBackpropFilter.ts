// DepthwiseConv2dNativeBackpropFilter for wasm, which has none.
//
// dW[kh,kw,c,q] = sum_{n,oh,ow} x[n, oh*s+kh-pt, ow*s+kw-pl, c] * dy[n,oh,ow,c*m+q]: per (n, c)
// a depthwise correlation, so one XNNPACK depthwise conv over x^T [1, H, W, N*C] with dy^T
// [Ho, Wo, N*C, m] as the filter (dilation = stride) gives [1, kh, kw, N*C*m]; then sum over n.
import * as tf from '@tensorflow/tfjs';
import type { DepthwiseConv2dNativeBackpropFilterAttrs, KernelConfig, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import { depthwiseConv2d, transpose } from './builtin-kernels.js';
import { filterGradAxis } from './conv-geometry.js';
import { sliceHeap } from './Slice.js';
import { f32, reshaped, withScratch, type WasmBackend } from './wasm-heap.js';

function depthwiseConv2dNativeBackpropFilter(args: {
  inputs: tf.NamedTensorInfoMap;
  backend: unknown;
  attrs?: NamedAttrMap;
}): TensorInfo {
  const backend = args.backend as WasmBackend;
  const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
  const attrs = args.attrs as unknown as DepthwiseConv2dNativeBackpropFilterAttrs;
  const [batch, height, width, channels] = x.shape as [number, number, number, number];
  const [kh, kw, , multiplier] = attrs.filterShape;
  const info = tf.backend_util.computeConv2DInfo(
    [batch, height, width, channels],
    attrs.filterShape,
    attrs.strides,
    attrs.dilations,
    attrs.pad,
    attrs.dimRoundingMode,
    true,
  );
  if (info.dilationHeight !== 1 || info.dilationWidth !== 1) {
    throw new Error('wasm DepthwiseConv2dNativeBackpropFilter supports dilation 1 only');
  }
  const rows = filterGradAxis(height, info.outHeight, kh, info.strideHeight, info.padInfo.top);
  const cols = filterGradAxis(width, info.outWidth, kw, info.strideWidth, info.padInfo.left);
  const out = backend.makeOutput(attrs.filterShape, 'float32');
  if (rows.keep === 0 || cols.keep === 0) {
    f32(backend, out).fill(0);
    return out;
  }
  try {
    withScratch(backend, (s) => {
      const cropped =
        rows.keep < height || cols.keep < width
          ? s.own(sliceHeap(backend, x, [0, 0, 0, 0], [batch, rows.keep, cols.keep, channels]))
          : x;
      const xT = s.own(transpose(backend, cropped, [1, 2, 0, 3]));
      const dyT = s.own(transpose(backend, dy, [1, 2, 0, 3]));
      const perImage = s.own(
        depthwiseConv2d(
          backend,
          reshaped(xT, [1, rows.keep, cols.keep, batch * channels]),
          reshaped(dyT, [info.outHeight, info.outWidth, batch * channels, multiplier]),
          [rows.padBefore, rows.padAfter, cols.padBefore, cols.padAfter],
          [info.strideHeight, info.strideWidth],
        ),
      );
      // perImage is [kh*kw, N, C*m]; the filter gradient sums it over N.
      const src = f32(backend, perImage);
      const dst = f32(backend, out);
      const block = channels * multiplier;
      dst.fill(0);
      for (let t = 0; t < kh * kw; t++) {
        for (let n = 0; n < batch; n++) {
          const from = (t * batch + n) * block;
          for (let j = 0; j < block; j++) dst[t * block + j] += src[from + j];
        }
      }
    });
    return out;
  } catch (err) {
    backend.disposeData(out.dataId);
    throw err;
  }
}

export const depthwiseConv2dNativeBackpropFilterConfig: KernelConfig = {
  kernelName: tf.DepthwiseConv2dNativeBackpropFilter,
  backendName: 'wasm',
  kernelFunc: depthwiseConv2dNativeBackpropFilter as unknown as KernelConfig['kernelFunc'],
};
