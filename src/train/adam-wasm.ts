import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { ADAM_WASM } from './adam.wasm.js';

/** The slice of the WebAssembly API used here (the project's TypeScript libs do not declare it). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}
const WASM = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

/** adam.wat's exports, bound to one backend's heap; arguments are byte offsets into it. */
export interface AdamWasm {
  adam(
    p: number, g: number, m: number, v: number, pOut: number, mOut: number, vOut: number, n: number,
    scale: number, beta1: number, oneMinusBeta1: number, beta2: number, oneMinusBeta2: number, stepSize: number, epsilonHat: number,
  ): void;
  sumSquares(g: number, n: number): number;
}

const instances = new WeakMap<object, AdamWasm | null>();

/**
 * adam.wat instantiated on the wasm backend's own memory (Emscripten exposes it as asm.memory),
 * once per backend; null where that memory or WebAssembly SIMD is unavailable, and the JS loop
 * of adam-kernel.ts serves instead.
 */
export function adamWasmFor(backend: BackendWasm): AdamWasm | null {
  const cached = instances.get(backend);
  if (cached !== undefined) return cached;
  let instance: AdamWasm | null = null;
  const memory = (backend.wasm as unknown as { asm?: { memory?: unknown } }).asm?.memory;
  if (WASM && memory) {
    try {
      const module = new WASM.Module(Buffer.from(ADAM_WASM, 'base64'));
      instance = new WASM.Instance(module, { tfjs: { memory } }).exports as unknown as AdamWasm;
    } catch {
      instance = null;
    }
  }
  instances.set(backend, instance);
  return instance;
}
