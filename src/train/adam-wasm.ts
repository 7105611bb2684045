import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapModule } from './backend/heap-wasm.js';
import { ADAM_WASM } from './adam.wasm.js';

/** adam.wat's exports, bound to one backend's heap; arguments are byte offsets into it. */
export interface AdamWasm {
  adam(
    p: number, g: number, m: number, v: number, pOut: number, mOut: number, vOut: number, n: number,
    scale: number, beta1: number, oneMinusBeta1: number, beta2: number, oneMinusBeta2: number, stepSize: number, epsilonHat: number,
  ): void;
  sumSquares(g: number, n: number): number;
}

/** adam.wat on the wasm backend's heap, or null (then the JS loop of adam-kernel.ts serves). */
export function adamWasmFor(backend: BackendWasm): AdamWasm | null {
  return heapModule<AdamWasm>(backend, ADAM_WASM);
}
