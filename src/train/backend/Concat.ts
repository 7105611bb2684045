// Concat for wasm: the builtin copies with one subarray().set() per row of each input, which for
// a channel concat (U-Net skips: rows of 6-64 floats) costs ~10 ns per element; skip concats
// took 8% of a U-Net train step. Same row walk, with memmove on the heap, and a plain loop for
// runs too short for a call to pay off.
import * as tf from '@tensorflow/tfjs';
import type { ConcatAttrs, KernelConfig, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import { runBuiltin } from './builtin-kernels.js';
import { heapOf, type WasmBackend } from './wasm-heap.js';

function concat(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: NamedAttrMap }): TensorInfo {
  const backend = args.backend as WasmBackend;
  const inputs = Object.values(args.inputs) as TensorInfo[];
  const dtype = inputs[0].dtype;
  // Strings, and the single-input case the builtin forwards without copying, stay with it.
  const nonEmpty = inputs.filter((t) => tf.util.sizeFromShape(t.shape) > 0);
  if (dtype === 'string' || dtype === 'complex64' || nonEmpty.length <= 1) {
    return runBuiltin(backend, tf.Concat, args.inputs, args.attrs);
  }
  const axis = tf.util.parseAxisParam((args.attrs as unknown as ConcatAttrs).axis, inputs[0].shape)[0];
  tf.backend_util.assertParamsConsistent(
    inputs.map((t) => t.shape),
    axis,
  );
  const outShape = tf.backend_util.computeOutShape(
    inputs.map((t) => t.shape),
    axis,
  );
  const out = backend.makeOutput(outShape, dtype);
  const rows = tf.util.sizeFromShape(nonEmpty[0].shape.slice(0, axis));
  const outRow = tf.util.sizeFromShape(outShape.slice(axis));
  const { heap, base: outBase } = heapOf(backend.typedArrayFromHeap(out));
  // Input by input, so that short runs (single-channel planes) get a tight loop, not a call each.
  let offset = outBase;
  for (const input of nonEmpty) {
    const run = tf.util.sizeFromShape(input.shape.slice(axis));
    const inBase = heapOf(backend.typedArrayFromHeap(input)).base;
    if (run >= 16) {
      for (let r = 0; r < rows; r++) heap.copyWithin(offset + r * outRow, inBase + r * run, inBase + (r + 1) * run);
    } else {
      for (let r = 0, from = inBase, to = offset; r < rows; r++, to += outRow) {
        for (let k = 0; k < run; k++) heap[to + k] = heap[from++];
      }
    }
    offset += run;
  }
  return out;
}

export const concatConfig: KernelConfig = {
  kernelName: tf.Concat,
  backendName: 'wasm',
  kernelFunc: concat as unknown as KernelConfig['kernelFunc'],
};
