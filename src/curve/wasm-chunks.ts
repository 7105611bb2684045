import { reserveMemory, type WasmMemory } from '../util/wasm.js';

/** Samples per copy-in / decode / copy-out round of the decoders' WebAssembly modules. */
const CHUNK = 4096;

/** Planar decoder input: 8- or 16-bit codes, or float32 values. */
export type PlanarSamples = Uint8Array | Uint16Array | Float32Array;

/**
 * Runs a decoder module over the first n samples of planar input (`total` samples per plane) in
 * chunks small enough to stay in cache: each chunk's planes are copied in at `codesAt` one after
 * another, in the input's own element type, `run(codesAt, m, outAt, listAt)` decodes m samples into float32 at `outAt`,
 * and the floats are copied out. A module that cannot vouch for some samples writes their
 * indices (i32, within the chunk) at `listAt` and returns how many; they come back as indices
 * into `out`, for the caller's exact decode. The copies are plain memcpys; the module is where
 * the time goes.
 */
export function decodeInChunks(
  memory: WasmMemory,
  codesAt: number,
  planes: number,
  codes: PlanarSamples,
  total: number,
  n: number,
  out: Float32Array,
  run: (codesAt: number, m: number, outAt: number, listAt: number) => number | void,
): number[] {
  const chunk = Math.min(n, CHUNK);
  const size = codes.BYTES_PER_ELEMENT;
  const outAt = codesAt + Math.ceil((planes * chunk * size) / 16) * 16;
  const listAt = outAt + 4 * chunk;
  reserveMemory(memory, listAt + 4 * chunk);
  // codesAt is 16-aligned and every plane's chunk starts at a multiple of its element size.
  const input = new (codes.constructor as new (buffer: ArrayBufferLike) => PlanarSamples)(memory.buffer);
  const floats = new Float32Array(memory.buffer, outAt, chunk);
  const list = new Int32Array(memory.buffer, listAt, chunk);
  const beyond: number[] = [];
  for (let start = 0; start < n; start += chunk) {
    const m = Math.min(chunk, n - start);
    for (let c = 0; c < planes; c++) input.set(codes.subarray(c * total + start, c * total + start + m), codesAt / size + c * m);
    const count = run(codesAt, m, outAt, listAt) ?? 0;
    out.set(m === chunk ? floats : floats.subarray(0, m), start);
    for (let k = 0; k < count; k++) beyond.push(start + list[k]);
  }
  return beyond;
}
