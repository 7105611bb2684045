// Hand-written WebAssembly modules that work in place on the tfjs wasm backend's heap: they import
// the backend's own memory (Emscripten exposes it as asm.memory), so tensors are read and written
// by byte offset with no copies.
import { compileWasm, WASM } from '../../util/wasm.js';
import type { WasmBackend } from './wasm-heap.js';

const instances = new WeakMap<object, Map<string, unknown>>();
let disabled = false;

/**
 * Runs `body` as on a platform where the modules cannot run (heapModule answers null), so tests
 * can check the kernels' fallback paths, which this machine would otherwise never take.
 */
export async function withoutHeapModules<T>(body: () => T | Promise<T>): Promise<T> {
  disabled = true;
  try {
    return await body();
  } finally {
    disabled = false;
  }
}

/**
 * The module (base64 bytes) instantiated on `backend`'s memory, once per backend; null where that
 * memory or WebAssembly SIMD is unavailable, and callers fall back to JS.
 */
export function heapModule<T>(backend: WasmBackend, base64: string): T | null {
  if (disabled) return null;
  let perBackend = instances.get(backend);
  if (!perBackend) instances.set(backend, (perBackend = new Map()));
  if (perBackend.has(base64)) return perBackend.get(base64) as T | null;
  let exports: T | null = null;
  const memory = (backend.wasm as unknown as { asm?: { memory?: unknown } }).asm?.memory;
  const module = compileWasm(base64);
  if (WASM && memory && module) {
    try {
      exports = new WASM.Instance(module, { tfjs: { memory } }).exports as unknown as T;
    } catch {
      exports = null;
    }
  }
  perBackend.set(base64, exports);
  return exports;
}
