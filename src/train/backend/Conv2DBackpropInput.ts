// Conv2DBackpropInput for wasm: the builtin is a naive loop, ~10x slower than the forward conv it
// differentiates. This one runs XNNPACK forward convs over dy with sub-filters (see input-grad.ts).
// It also serves tf.conv2dTranspose, whose forward pass is this kernel.
import * as tf from '@tensorflow/tfjs';
import type { Conv2DBackpropInputAttrs, KernelConfig, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import { conv2d } from './builtin-kernels.js';
import { inputGradByPhases } from './input-grad.js';
import { f32, type Scratch, type WasmBackend } from './wasm-heap.js';

function conv2DBackpropInput(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: NamedAttrMap }): TensorInfo {
  const backend = args.backend as WasmBackend;
  const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
  const attrs = args.attrs as unknown as Conv2DBackpropInputAttrs;
  if (attrs.dataFormat === 'NCHW') throw new Error('wasm Conv2DBackpropInput supports only NHWC');
  const [kh, kw, inC, outC] = filter.shape as [number, number, number, number];
  const info = tf.backend_util.computeConv2DInfo(
    attrs.inputShape,
    [kh, kw, inC, outC],
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  return inputGradByPhases(backend, {
    dy,
    inShape: attrs.inputShape,
    filterSize: [kh, kw],
    strides: [info.strideHeight, info.strideWidth],
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
    group: 1,
    // The forward conv maps inC -> outC; its adjoint maps outC -> inC with taps reversed.
    subFilter(s: Scratch, tapsH: number[], tapsW: number[]): TensorInfo {
      const sub = s.alloc([tapsH.length, tapsW.length, outC, inC]);
      const src = f32(backend, filter);
      const dst = f32(backend, sub);
      let d = 0;
      for (const th of tapsH) {
        for (const tw of tapsW) {
          const base = (th * kw + tw) * inC * outC;
          for (let co = 0; co < outC; co++) {
            for (let ci = 0; ci < inC; ci++) dst[d++] = src[base + ci * outC + co];
          }
        }
      }
      return sub;
    },
    conv: (x, f, pad) => conv2d(backend, x, f, pad),
  });
}

export const conv2DBackpropInputConfig: KernelConfig = {
  kernelName: tf.Conv2DBackpropInput,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropInput as unknown as KernelConfig['kernelFunc'],
};
