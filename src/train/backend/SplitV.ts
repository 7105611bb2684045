// SplitV for wasm (tf.split, and the gradient of tf.concat): the builtin slices through the
// builtin Slice, which copies the whole input out of the heap once per output.
import * as tf from '@tensorflow/tfjs';
import type { KernelConfig, NamedAttrMap, SplitVAttrs, TensorInfo } from '@tensorflow/tfjs';
import { runBuiltinOutputs } from './builtin-kernels.js';
import { sliceHeap } from './Slice.js';
import type { WasmBackend } from './wasm-heap.js';

function splitV(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: NamedAttrMap }): TensorInfo[] {
  const backend = args.backend as WasmBackend;
  const x = args.inputs.x as TensorInfo;
  if (x.dtype === 'string' || x.dtype === 'complex64') {
    return runBuiltinOutputs(backend, tf.SplitV, { x }, args.attrs) as TensorInfo[];
  }
  const { numOrSizeSplits, axis } = args.attrs as unknown as SplitVAttrs;
  const $axis = tf.util.parseAxisParam(axis, x.shape)[0];
  const sizes = tf.backend_util.prepareSplitSize(x as tf.Tensor, numOrSizeSplits, $axis);
  const begin = new Array<number>(x.shape.length).fill(0);
  return sizes.map((s) => {
    const size = x.shape.slice();
    size[$axis] = s;
    const part = sliceHeap(backend, x, begin, size);
    begin[$axis] += s;
    return part;
  });
}

export const splitVConfig: KernelConfig = {
  kernelName: tf.SplitV,
  backendName: 'wasm',
  kernelFunc: splitV as unknown as KernelConfig['kernelFunc'],
};
