// Unpack (tf.unstack, and the gradient of tf.stack) for wasm: the builtin slices through the
// builtin Slice, copying the whole input once per output, and element-wise above rank 4
// (stack of two [4,32,64,32] maps took 0.4 s to differentiate). Same algorithm, our sliceHeap.
import * as tf from '@tensorflow/tfjs';
import type { KernelConfig, NamedAttrMap, TensorInfo, UnpackAttrs } from '@tensorflow/tfjs';
import { runBuiltinOutputs } from './builtin-kernels.js';
import { sliceHeap } from './Slice.js';
import { reshaped, type WasmBackend } from './wasm-heap.js';

function unpack(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: NamedAttrMap }): TensorInfo[] {
  const backend = args.backend as WasmBackend;
  const value = args.inputs.value as TensorInfo;
  if (value.dtype === 'string' || value.dtype === 'complex64') {
    return runBuiltinOutputs(backend, tf.Unpack, { value }, args.attrs) as TensorInfo[];
  }
  const rank = value.shape.length;
  let { axis } = args.attrs as unknown as UnpackAttrs;
  if (axis < 0) axis += rank;
  const outShape = value.shape.filter((_, i) => i !== axis);
  const begin = new Array<number>(rank).fill(0);
  const size = value.shape.slice();
  size[axis] = 1;
  const outs: TensorInfo[] = [];
  for (let i = 0; i < value.shape[axis]; i++) {
    begin[axis] = i;
    outs.push(reshaped(sliceHeap(backend, value, begin, size), outShape));
  }
  return outs;
}

export const unpackConfig: KernelConfig = {
  kernelName: tf.Unpack,
  backendName: 'wasm',
  kernelFunc: unpack as unknown as KernelConfig['kernelFunc'],
};
