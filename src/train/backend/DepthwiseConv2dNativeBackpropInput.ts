// DepthwiseConv2dNativeBackpropInput for wasm, which has none. Same residue-class scheme as
// Conv2DBackpropInput, with XNNPACK depthwise convs; a channel multiplier m > 1 is folded by
// summing each input channel's m conv outputs while scattering.
import * as tf from '@tensorflow/tfjs';
import type { DepthwiseConv2dNativeBackpropInputAttrs, KernelConfig, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import { depthwiseConv2d } from './builtin-kernels.js';
import { convGeometry, gatherTaps, inputGradByPhases } from './input-grad.js';
import type { Scratch, WasmBackend } from './wasm-heap.js';

function depthwiseConv2dNativeBackpropInput(args: {
  inputs: tf.NamedTensorInfoMap;
  backend: unknown;
  attrs?: NamedAttrMap;
}): TensorInfo {
  const backend = args.backend as WasmBackend;
  const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
  const attrs = args.attrs as unknown as DepthwiseConv2dNativeBackpropInputAttrs;
  const [kh, kw, channels, multiplier] = filter.shape as [number, number, number, number];
  const info = tf.backend_util.computeConv2DInfo(
    attrs.inputShape,
    [kh, kw, channels, multiplier],
    attrs.strides,
    attrs.dilations,
    attrs.pad,
    attrs.dimRoundingMode,
    true,
  );
  // tfjs itself refuses dilated depthwise gradients, so this only guards direct op calls.
  if (info.dilationHeight !== 1 || info.dilationWidth !== 1) {
    throw new Error('wasm DepthwiseConv2dNativeBackpropInput supports dilation 1 only');
  }
  return inputGradByPhases(backend, {
    ...convGeometry(dy, attrs.inputShape, info),
    group: multiplier,
    // Depthwise weights are [kh, kw, C, m] and dy channels are c*m+q, so each tap is one
    // contiguous block that becomes a multiplier-1 filter over the C*m channels of dy.
    subFilter: (s: Scratch, tapsH: number[], tapsW: number[]): TensorInfo =>
      gatherTaps(backend, s, filter, tapsH, tapsW, kw, channels * multiplier, [tapsH.length, tapsW.length, channels * multiplier, 1]),
    conv: (x, f, pad) => depthwiseConv2d(backend, x, f, pad),
  });
}

export const depthwiseConv2dNativeBackpropInputConfig: KernelConfig = {
  kernelName: tf.DepthwiseConv2dNativeBackpropInput,
  backendName: 'wasm',
  kernelFunc: depthwiseConv2dNativeBackpropInput as unknown as KernelConfig['kernelFunc'],
};
