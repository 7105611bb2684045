// transpose.wat bound to the wasm backend's heap: swaps the last two axes of a float32 tensor.
import type { TensorInfo } from '@tensorflow/tfjs';
import { transpose } from './builtin-kernels.js';
import { heapModule } from './heap-wasm.js';
import { TRANSPOSE_WASM } from './transpose.wasm.js';
import { alloc, heapAddress, type WasmBackend } from './wasm-heap.js';

interface TransposeWasm {
  transpose(src: number, dst: number, batch: number, rows: number, cols: number): void;
}

/**
 * [..., rows, cols] -> [..., cols, rows] as a new tensor: transpose.wat where it can run (4x4 SIMD
 * blocks, several times faster than the builtin's element-wise strided copy), else the builtin.
 */
export function swapLastAxes(backend: WasmBackend, x: TensorInfo): TensorInfo {
  const rank = x.shape.length;
  const [rows, cols] = x.shape.slice(-2);
  const lead = x.shape.slice(0, -2);
  const wasm = x.dtype === 'float32' ? heapModule<TransposeWasm>(backend, TRANSPOSE_WASM) : null;
  if (!wasm) return transpose(backend, x, [...lead.map((_, i) => i), rank - 1, rank - 2]);
  const out = alloc(backend, [...lead, cols, rows]);
  const batch = lead.reduce((a, b) => a * b, 1);
  wasm.transpose(heapAddress(backend, x), heapAddress(backend, out), batch, rows, cols);
  return out;
}
