import { reserveMemory, type WasmMemory } from '../util/wasm.js';

/** Samples per copy-in / decode / copy-out round of the decoders' WebAssembly modules. */
const CHUNK = 4096;

/**
 * Runs a decoder module over the first n samples of planar 8-bit codes (`total` samples per
 * plane) in chunks small enough to stay in cache: each chunk's planes are copied in at `codesAt`
 * one after another, `run(codesAt, m, outAt)` decodes m samples into float32 at `outAt`, and the
 * floats are copied out. The copies are plain memcpys; the module is where the time goes.
 */
export function decodeInChunks(
  memory: WasmMemory,
  codesAt: number,
  planes: number,
  codes: Uint8Array,
  total: number,
  n: number,
  out: Float32Array,
  run: (codesAt: number, m: number, outAt: number) => void,
): void {
  const chunk = Math.min(n, CHUNK);
  const outAt = codesAt + Math.ceil((planes * chunk) / 16) * 16;
  reserveMemory(memory, outAt + 4 * chunk);
  const bytes = new Uint8Array(memory.buffer);
  const floats = new Float32Array(memory.buffer, outAt, chunk);
  for (let start = 0; start < n; start += chunk) {
    const m = Math.min(chunk, n - start);
    for (let c = 0; c < planes; c++) bytes.set(codes.subarray(c * total + start, c * total + start + m), codesAt + c * m);
    run(codesAt, m, outAt);
    out.set(m === chunk ? floats : floats.subarray(0, m), start);
  }
}
