// Low-level access to the wasm backend's tensor storage.
//
// Kernels here work on TensorInfos, not Tensors: intermediates never enter the engine, so the
// engine's tensor count and refcounts only ever see the one output a kernel returns. The price is
// that every intermediate must be freed by hand; `Scratch` does that.
import type { DataType, TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { forgetBorrowedData } from './tfjs-internals.js';

export type WasmBackend = BackendWasm;

/** Allocates an uninitialised tensor on the wasm heap (malloc does not zero it). */
export function alloc(backend: WasmBackend, shape: number[], dtype: DataType = 'float32'): TensorInfo {
  return backend.makeOutput(shape, dtype);
}

/** A new tensor of `shape` filled by `fill`; freed again if `fill` throws. */
export function written(backend: WasmBackend, shape: number[], fill: (out: TensorInfo) => void): TensorInfo {
  const out = alloc(backend, shape);
  try {
    fill(out);
  } catch (err) {
    backend.disposeData(out.dataId);
    throw err;
  }
  return out;
}

/**
 * A live Float32Array view of a tensor's bytes on the heap.
 * Any allocation may grow the heap and detach earlier views (they silently become length 0),
 * so take views only after the last allocation that precedes their use.
 */
export function f32(backend: WasmBackend, info: TensorInfo): Float32Array {
  const view = backend.typedArrayFromHeap(info);
  if (!(view instanceof Float32Array)) {
    throw new Error(`expected a float32 tensor, got ${info.dtype}`);
  }
  return view;
}

/** Byte offset of a tensor's data on the heap: the address the project's WebAssembly modules take. */
export function heapAddress(backend: WasmBackend, info: TensorInfo): number {
  return (backend.typedArrayFromHeap(info) as Float32Array | Int32Array).byteOffset;
}

/** Same storage, another shape: the wasm backend keeps data flat, so a reshape is free. */
export function reshaped(info: TensorInfo, shape: number[]): TensorInfo {
  return { dataId: info.dataId, shape, dtype: info.dtype };
}

/**
 * Owns the intermediates of one kernel call and frees them all at the end, also on throw.
 * Freeing goes through `disposeData`, which decrements the refcount, so tensors that a builtin
 * kernel returned by forwarding its input (refcount bumped) are handled correctly.
 */
export class Scratch {
  private readonly owned: TensorInfo[] = [];

  constructor(readonly backend: WasmBackend) {}

  /** Registers `info` to be freed at `dispose()`; returns it for chaining. */
  own(info: TensorInfo): TensorInfo {
    this.owned.push(info);
    return info;
  }

  alloc(shape: number[], dtype: DataType = 'float32'): TensorInfo {
    return this.own(alloc(this.backend, shape, dtype));
  }

  dispose(): void {
    for (const info of this.owned) this.backend.disposeData(info.dataId);
    this.owned.length = 0;
  }
}

/** Runs `body` with a fresh `Scratch`, freeing its intermediates however `body` exits. */
export function withScratch<T>(backend: WasmBackend, body: (s: Scratch) => T): T {
  const scratch = new Scratch(backend);
  try {
    return body(scratch);
  } finally {
    scratch.dispose();
  }
}

type HeapArray = Float32Array | Int32Array | Uint8Array;

/**
 * A view of the whole heap with the element type of `view`, and `view`'s first index in it.
 * Copies between tensors then become copyWithin calls (a memmove): about 2x faster than
 * subarray().set() or a JS loop for runs of 32 floats, and no garbage per call. Below ~16
 * elements the call overhead dominates and a plain loop over the same view wins.
 */
export function heapOf<T extends HeapArray>(view: T): { heap: T; base: number } {
  const Ctor = view.constructor as new (buffer: ArrayBufferLike) => T;
  return { heap: new Ctor(view.buffer), base: view.byteOffset / view.BYTES_PER_ELEMENT };
}


/**
 * Runs `body` with a float32 tensor of `shape` that aliases `source`'s bytes from element
 * `offset` on: a builtin kernel can then read a slice in place instead of a copy. The alias is
 * registered through makeOutput's memoryOffset (memory owned elsewhere) and unregistered without
 * freeing. It must not outlive `source`, and nothing may write through it.
 */
export function withAlias<T>(backend: WasmBackend, source: TensorInfo, offset: number, shape: number[], body: (alias: TensorInfo) => T): T {
  const alias = backend.makeOutput(shape, 'float32', heapAddress(backend, source) + 4 * offset);
  try {
    return body(alias);
  } finally {
    forgetBorrowedData(backend, alias.dataId);
  }
}
