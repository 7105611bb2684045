// Conv2DBackpropInput for wasm: the builtin is a naive loop, ~10x slower than the forward conv it
// differentiates. This one runs stride-1 forward convs over dy with sub-filters (input-grad.ts):
// gemm.wat's shifted products where it can run (shifted-conv.ts; no filter packing, which XNNPACK
// would redo for each new sub-filter), else XNNPACK. It also serves tf.conv2dTranspose, whose
// forward pass is this kernel.
import * as tf from '@tensorflow/tfjs';
import type { Conv2DBackpropInputAttrs, KernelConfig, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import { conv2d } from './builtin-kernels.js';
import { gemmFor } from './gemm.js';
import { convGeometry, gatherTaps, inputGradByPhases } from './input-grad.js';
import { shiftedConv } from './shifted-conv.js';
import { swapLastAxes } from './fast-transpose.js';
import { reshaped, type Scratch, type WasmBackend } from './wasm-heap.js';

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
  const gemm = gemmFor(backend);
  // Every tap's [inC, outC] block transposed once: sub-filters then copy whole blocks.
  const transposed = swapLastAxes(backend, reshaped(filter, [kh * kw, inC, outC]));
  try {
    return inputGradByPhases(backend, {
      ...convGeometry(dy, attrs.inputShape, info),
      group: 1,
      // The forward conv maps inC -> outC; its adjoint maps outC -> inC with taps reversed.
      subFilter: (s: Scratch, tapsH: number[], tapsW: number[]): TensorInfo =>
        gatherTaps(backend, s, transposed, tapsH, tapsW, kw, inC * outC, [tapsH.length, tapsW.length, outC, inC]),
      conv: (x, f, pad) => (gemm ? shiftedConv(backend, gemm, x, f, pad) : conv2d(backend, x, f, pad)),
    });
  } finally {
    backend.disposeData(transposed.dataId);
  }
}

export const conv2DBackpropInputConfig: KernelConfig = {
  kernelName: tf.Conv2DBackpropInput,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropInput as unknown as KernelConfig['kernelFunc'],
};
