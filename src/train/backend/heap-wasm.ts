// Hand-written WebAssembly modules that work in place on the tfjs wasm backend's heap: they import
// the backend's own memory (Emscripten's, read in tfjs-internals.ts), so tensors are read and
// written by byte offset with no copies.
import { compileFailure, compileWasm, WASM } from '../../util/wasm.js';
import { wasmBackendMemory } from './tfjs-internals.js';
import type { WasmBackend } from './wasm-heap.js';

const instances = new WeakMap<object, Map<string, unknown>>();
let disabled = false;

/**
 * Runs `body` as on a platform where the modules cannot run (heapModule answers null, and so does
 * the soft loss's module, soft-decoded-l1-wasm.ts), so tests can check the fallback paths, which
 * this machine would otherwise never take.
 */
/** Whether withoutHeapModules is running: the training modules then act as if they could not load. */
export function heapModulesSwitchedOff(): boolean {
  return disabled;
}

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
  const { exports, reason } = instantiate<T>(backend, base64);
  if (reason) failures.set(base64, reason);
  perBackend.set(base64, exports);
  return exports;
}

/** Why each heap module that could not run did not (by its bytes): initTrainingBackend reports them. */
const failures = new Map<string, string>();

export function heapModuleFailure(base64: string): string | null {
  return failures.get(base64) ?? null;
}

function instantiate<T>(backend: WasmBackend, base64: string): { exports: T | null; reason: string | null } {
  if (!WASM) return { exports: null, reason: 'this runtime has no WebAssembly' };
  // A tfjs internal: throws where the installed tfjs is not the pinned version.
  const memory = wasmBackendMemory(backend);
  if (!memory) return { exports: null, reason: "the tfjs wasm backend exposes no 'asm.memory' (another tfjs version?)" };
  const module = compileWasm(base64);
  if (!module) return { exports: null, reason: `WebAssembly (SIMD) could not compile it: ${compileFailure(base64) ?? 'unknown error'}` };
  try {
    return { exports: new WASM.Instance(module, { tfjs: { memory } }).exports as unknown as T, reason: null };
  } catch (err) {
    return { exports: null, reason: `instantiation failed: ${err instanceof Error ? err.message : String(err)}` };
  }
}
