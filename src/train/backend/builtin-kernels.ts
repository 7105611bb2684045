// Calls into the wasm backend's own kernels, including ones this package replaces.
//
// Our replacements are assembled from the backend's fast kernels (XNNPACK conv, transpose, ...),
// and a replacement sometimes falls back to the kernel it replaced. The original must therefore be
// captured before `registerKernel` overwrites the registry entry.
import * as tf from '@tensorflow/tfjs';
import type { NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs';
import type { WasmBackend } from './wasm-heap.js';

type KernelFunc = tf.KernelConfig['kernelFunc'];

const originals = new Map<string, tf.KernelConfig>();
/** Backends each captured kernel's setupFunc has run on (keyed by kernel name). */
const setUp = new Map<string, WeakSet<object>>();
/** Kernel functions this package registered, so a second capture never mistakes one for a builtin. */
export const ownKernelFuncs = new WeakSet<KernelFunc>();

/** Remembers the currently registered wasm kernel `name` as the builtin one. Idempotent. */
export function captureBuiltin(name: string): void {
  const config = tf.getKernel(name, 'wasm');
  if (config === undefined || originals.has(name) || ownKernelFuncs.has(config.kernelFunc)) return;
  originals.set(name, config);
}

/** Runs the wasm backend's own kernel `name`, bypassing any replacement of ours. */
export function runBuiltinOutputs(
  backend: WasmBackend,
  name: string,
  inputs: NamedTensorInfoMap,
  attrs: NamedAttrMap = {},
): TensorInfo | TensorInfo[] {
  const config = originals.get(name) ?? tf.getKernel(name, 'wasm');
  if (config === undefined) throw new Error(`wasm kernel ${name} is not registered`);
  if (originals.has(name)) ensureSetUp(name, config, backend);
  return config.kernelFunc({ inputs, backend, attrs });
}

/** `runBuiltinOutputs` for the usual single-output kernel. */
export function runBuiltin(
  backend: WasmBackend,
  name: string,
  inputs: NamedTensorInfoMap,
  attrs: NamedAttrMap = {},
): TensorInfo {
  const out = runBuiltinOutputs(backend, name, inputs, attrs);
  if (Array.isArray(out)) throw new Error(`wasm kernel ${name} returned several outputs`);
  return out;
}

/**
 * The engine runs setupFuncs (which bind the C++ entry points) only for kernels registered when
 * the backend initialises, and a replaced builtin no longer is: bind it ourselves, once per backend.
 */
function ensureSetUp(name: string, config: tf.KernelConfig, backend: WasmBackend): void {
  if (config.setupFunc === undefined) return;
  let done = setUp.get(name);
  if (done === undefined) setUp.set(name, (done = new WeakSet()));
  if (done.has(backend)) return;
  config.setupFunc(backend);
  done.add(backend);
}

/** The builtin kernels our kernels are assembled from, with typed attributes. */
export function conv2d(
  backend: WasmBackend,
  x: TensorInfo,
  filter: TensorInfo,
  pad: [number, number, number, number],
  dilations: [number, number] = [1, 1],
): TensorInfo {
  return stride1Conv(backend, 'Conv2D', x, filter, pad, dilations);
}

export function depthwiseConv2d(
  backend: WasmBackend,
  x: TensorInfo,
  filter: TensorInfo,
  pad: [number, number, number, number],
  dilations: [number, number] = [1, 1],
): TensorInfo {
  return stride1Conv(backend, 'DepthwiseConv2dNative', x, filter, pad, dilations);
}

function stride1Conv(
  backend: WasmBackend,
  kernel: 'Conv2D' | 'DepthwiseConv2dNative',
  x: TensorInfo,
  filter: TensorInfo,
  [top, bottom, left, right]: [number, number, number, number],
  dilations: [number, number],
): TensorInfo {
  return runBuiltin(backend, kernel, { x, filter }, {
    strides: [1, 1],
    pad: [[0, 0], [top, bottom], [left, right], [0, 0]],
    dataFormat: 'NHWC',
    dilations,
    dimRoundingMode: 'floor',
  } as unknown as NamedAttrMap);
}

export function transpose(backend: WasmBackend, x: TensorInfo, perm: number[]): TensorInfo {
  return runBuiltin(backend, 'Transpose', { x }, { perm });
}

/** Zero padding, `paddings` as [before, after] per axis. */
export function pad(backend: WasmBackend, x: TensorInfo, paddings: [number, number][]): TensorInfo {
  return runBuiltin(backend, 'PadV2', { x }, { paddings, constantValue: 0 } as unknown as NamedAttrMap);
}
