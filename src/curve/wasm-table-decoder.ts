import { compileWasm, WASM, type WasmMemory } from '../util/wasm.js';
import { TABLE_DECODER_WASM } from './table-decoder.wasm.js';
import { decodeInChunks } from './wasm-chunks.js';

const TABLE_BYTES = 65536 * 4;
/** Samples per SIMD step of table-decoder.wat. */
export const WASM_BLOCK = 16;

/**
 * One instance per decoder, its table copied into the instance's memory once. decode() copies a
 * block-aligned prefix of the codes in, runs the SIMD loop, and copies the floats out: the copies
 * are plain memcpys, the look-ups are where the time goes.
 */
export class WasmTableDecoder {
  private readonly memory: WasmMemory;
  private readonly run: (codes: number, n: number, out: number) => void;

  private constructor(instance: { exports: Record<string, unknown> }, table: Float32Array) {
    this.memory = instance.exports.memory as WasmMemory;
    this.run = instance.exports.decode as (codes: number, n: number, out: number) => void;
    new Float32Array(this.memory.buffer, 0, 65536).set(table);
  }

  static create(table: Float32Array): WasmTableDecoder | null {
    const module = compileWasm(TABLE_DECODER_WASM);
    if (!module || !WASM || table.length !== 65536) return null;
    return new WasmTableDecoder(new WASM.Instance(module, {}), table);
  }

  /**
   * Decodes the first n samples (n a multiple of WASM_BLOCK) of planar codes with `total` samples
   * per plane, in chunks small enough that codes and output stay in cache beside the 256 KiB table
   * between the copy in, the look-ups and the copy out.
   */
  decode(codes: Uint8Array, total: number, n: number, out: Float32Array): void {
    decodeInChunks(this.memory, TABLE_BYTES, 2, codes, total, n, out, this.run);
  }
}
