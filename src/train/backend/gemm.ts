// gemm.wat bound to the wasm backend's heap: C (+)= A B over float32 tensors in place, for
// products whose right factor is used once (so XNNPACK's packing of it would not pay off).
import type { TensorInfo } from '@tensorflow/tfjs';
import { GEMM_WASM } from './gemm.wasm.js';
import { heapModule } from './heap-wasm.js';
import { heapAddress, type WasmBackend } from './wasm-heap.js';

interface GemmWasm {
  gemm(
    a: number, lda: number, b: number, ldb: number, c: number, ldc: number, m: number, n: number, k: number, acc: number,
    kh: number, kw: number, rowShift: number, colShift: number,
  ): void;
}

/** A row-major matrix inside a tensor: `offset` and leading dimension `ld` in elements. */
export interface MatrixView {
  tensor: TensorInfo;
  offset?: number;
  ld: number;
}

/**
 * A as a sum of shifted copies: tap (i, j) of a kh x kw grid reads A from element
 * i * rowShift + j * colShift on, times the next k rows of B (B holds kh * kw * k rows).
 */
export interface Taps {
  kh: number;
  kw: number;
  rowShift: number;
  colShift: number;
}

export type Gemm = (a: MatrixView, b: MatrixView, c: MatrixView, m: number, n: number, k: number, accumulate?: boolean, taps?: Taps) => void;

const ONE_TAP: Taps = { kh: 1, kw: 1, rowShift: 0, colShift: 0 };

/** C[m, n] = A[m, k] B[k, n] (or +=, or over taps) on `backend`'s heap; null where the module cannot run. */
export function gemmFor(backend: WasmBackend): Gemm | null {
  const wasm = heapModule<GemmWasm>(backend, GEMM_WASM);
  if (!wasm) return null;
  const at = (v: MatrixView): number => heapAddress(backend, v.tensor) + 4 * (v.offset ?? 0);
  return (a, b, c, m, n, k, accumulate = false, t = ONE_TAP) =>
    wasm.gemm(at(a), a.ld, at(b), b.ld, at(c), c.ld, m, n, k, accumulate ? 1 : 0, t.kh, t.kw, 4 * t.rowShift, 4 * t.colShift);
}
