// Compiling the project's own WebAssembly modules (the .wasm.ts files beside their .wat sources).

/** The slice of the WebAssembly API used here (the project's TypeScript libs do not declare it). */
export interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}

/** The runtime's WebAssembly, or undefined where there is none. */
export const WASM = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

const compiled = new Map<string, object | null>();
const failures = new Map<string, string>();

/** Why compileWasm returned null for these bytes, if it did. */
export function compileFailure(base64: string): string | null {
  return failures.get(base64) ?? null;
}

/**
 * The compiled module of base64 bytes, once per process; null where WebAssembly (or the SIMD it
 * needs) is unavailable, and callers fall back to JS.
 */
export function compileWasm(base64: string): object | null {
  if (!compiled.has(base64)) {
    let module: object | null = null;
    try {
      module = WASM ? new WASM.Module(base64Bytes(base64)) : null;
    } catch (err) {
      module = null;
      failures.set(base64, err instanceof Error ? err.message : String(err));
    }
    compiled.set(base64, module);
  }
  return compiled.get(base64) ?? null;
}

/** Base64 to bytes with atob, which Node and browsers both have (the curve decoders run in the web page too). */
function base64Bytes(base64: string): Uint8Array {
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

/** The slice of WebAssembly.Memory the decoders use. */
export interface WasmMemory {
  buffer: ArrayBuffer;
  grow(pages: number): number;
}

/** Grows a module's memory to hold at least `bytes` (64 KiB pages). */
export function reserveMemory(memory: WasmMemory, bytes: number): void {
  const have = memory.buffer.byteLength;
  if (bytes > have) memory.grow(Math.ceil((bytes - have) / 65536));
}
