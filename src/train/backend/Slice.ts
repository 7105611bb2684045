// Slice for wasm: the builtin first copies the *whole* input out of the heap (readSync) and goes
// element by element above rank 4. A correlation layer slices the same padded map once per
// displacement, so that copy dominated it. This version copies only the selected rows, in place.
import * as tf from '@tensorflow/tfjs';
import type { KernelConfig, NamedAttrMap, SliceAttrs, TensorInfo } from '@tensorflow/tfjs';
import { runBuiltin } from './builtin-kernels.js';
import { heapOf, type WasmBackend } from './wasm-heap.js';

/** Copies x[begin : begin+size] (all dims) into a new tensor. Any rank; numeric dtypes. */
export function sliceHeap(backend: WasmBackend, x: TensorInfo, begin: number[], size: number[]): TensorInfo {
  const out = backend.makeOutput(size, x.dtype);
  if (tf.util.sizeFromShape(size) === 0) return out;
  const src = backend.typedArrayFromHeap(x);
  const dst = backend.typedArrayFromHeap(out);
  const rank = size.length;
  if (rank === 0) {
    dst[0] = src[0];
    return out;
  }
  const strides = [...tf.util.computeStrides(x.shape), 1];
  // Merge trailing dims taken whole into one contiguous run.
  let inner = rank - 1;
  while (inner > 0 && size[inner] === x.shape[inner]) inner--;
  const run = size[inner] * strides[inner];
  let offset = 0;
  for (let d = 0; d < rank; d++) offset += begin[d] * strides[d];
  const { heap, base: srcBase } = heapOf(src);
  const dstBase = heapOf(dst).base;
  // Odometer over dims [0, inner): copy one run per index tuple.
  const idx = new Array<number>(inner).fill(0);
  const rows = tf.util.sizeFromShape(size.slice(0, inner));
  for (let r = 0, o = dstBase; r < rows; r++, o += run) {
    if (run >= 16) {
      heap.copyWithin(o, srcBase + offset, srcBase + offset + run);
    } else {
      for (let k = 0; k < run; k++) heap[o + k] = heap[srcBase + offset + k];
    }
    for (let d = inner - 1; d >= 0; d--) {
      offset += strides[d];
      if (++idx[d] < size[d]) break;
      offset -= size[d] * strides[d];
      idx[d] = 0;
    }
  }
  return out;
}

function slice(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: NamedAttrMap }): TensorInfo {
  const backend = args.backend as WasmBackend;
  const x = args.inputs.x as TensorInfo;
  const attrs = args.attrs as unknown as SliceAttrs;
  if (x.dtype === 'string' || x.dtype === 'complex64') {
    return runBuiltin(backend, tf.Slice, { x }, args.attrs);
  }
  const [begin, size] = tf.slice_util.parseSliceParams(x as tf.Tensor, attrs.begin, attrs.size);
  return sliceHeap(backend, x, begin, size);
}

export const sliceConfig: KernelConfig = {
  kernelName: tf.Slice,
  backendName: 'wasm',
  kernelFunc: slice as unknown as KernelConfig['kernelFunc'],
};
