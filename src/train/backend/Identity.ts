// Identity for wasm without a copy: the builtin copies the tensor into a new buffer. The engine
// calls Identity for every tensor an op saves for its gradient (tf.customGrad's save, clone), so
// each save cost a copy and a new buffer; sharing the data with a reference count, as the cpu
// backend and wasm's own Reshape do, costs nothing. No wasm kernel writes into its inputs.
import * as tf from '@tensorflow/tfjs';
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs';
import { runBuiltin } from './builtin-kernels.js';
import type { WasmBackend } from './wasm-heap.js';

function identity(args: { inputs: tf.NamedTensorInfoMap; backend: unknown }): TensorInfo {
  const backend = args.backend as WasmBackend;
  const x = args.inputs.x as TensorInfo;
  if (x.dtype === 'string') return runBuiltin(backend, tf.Identity, { x });
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

export const identityConfig: KernelConfig = {
  kernelName: tf.Identity,
  backendName: 'wasm',
  kernelFunc: identity as unknown as KernelConfig['kernelFunc'],
};
