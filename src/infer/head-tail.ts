import { compileWasm, reserveMemory, WASM, type WasmMemory } from '../util/wasm.js';
import { HEAD_TAIL_WASM } from './head-tail.wasm.js';

// Browser-safe (no node: imports): the web page runs the same tail.

/**
 * The head's tail (models/heads.ts HEAD_TAIL: a half-pixel bilinear x2 with edge clamp, then a
 * sigmoid) for graphs exported with ExportOptions.headTail 'decoder', whose output is the head's
 * logits at half resolution. In the graph, the tail of a 4-channel head cost 0.45-0.55 ms per
 * 128x256 w8a8 run (a float Resize between DequantizeLinear and QuantizeLinear, then the
 * sigmoid), a 1-channel head's 0.10-0.17 ms.
 *
 * The x2 weights are 3/4 and 1/4 along each axis, so on 8-bit logit codes every output is
 * (9a + 3b + 3c + d) / 16 of four codes: an integer sum in 0..4080, and the sigmoid of its logit
 * one look-up in a 4081-entry table. The result is 8-bit codes of the sigmoid in (0, 1) (scale
 * 1/255, zero point 0, as the graph's calibrated output would be up to a few per cent), which the
 * curve's code decoders read as before; it skips the graph's rounding of the upsampled logits.
 */
export const SIGMOID_CODES = { scale: 1 / 255, zeroPoint: 0 } as const;

/** Source rows (or columns) of output row y of a half-pixel x2: the nearer one (weight 3/4) and the other (1/4), clamped. */
function sources(y: number, size: number): [number, number] {
  const near = y >> 1;
  const far = y & 1 ? Math.min(size - 1, near + 1) : Math.max(0, near - 1);
  return [near, far];
}

/**
 * The tail reads channels x h x w logits: a shorter input would read past it (into whatever the
 * WebAssembly memory holds), a longer one would be cut without notice.
 */
function checkShape(length: number, channels: number, h: number, w: number): void {
  const whole = (n: number): boolean => Number.isInteger(n) && n >= 1;
  if (!whole(channels) || !whole(h) || !whole(w) || length !== channels * h * w) {
    throw new RangeError(`head tail: ${length} logits for ${channels} x ${h} x ${w}`);
  }
}

/** Float logits [channels, h, w] to the sigmoid of their bilinear x2, [channels, 2h, 2w]. */
export function floatTail(logits: Float32Array, channels: number, h: number, w: number): Float32Array {
  checkShape(logits.length, channels, h, w);
  const H = 2 * h;
  const W = 2 * w;
  const out = new Float32Array(channels * H * W);
  const row = new Float32Array(w);
  for (let c = 0; c < channels; c++) {
    const plane = c * h * w;
    for (let y = 0; y < H; y++) {
      const [near, far] = sources(y, h);
      for (let x = 0; x < w; x++) row[x] = 0.75 * logits[plane + near * w + x] + 0.25 * logits[plane + far * w + x];
      const o = c * H * W + y * W;
      for (let x = 0; x < W; x++) {
        const [nx, fx] = sources(x, w);
        out[o + x] = 1 / (1 + Math.exp(-(0.75 * row[nx] + 0.25 * row[fx])));
      }
    }
  }
  return out;
}

/** Where head-tail.wat keeps its table and the row of sums. */
const TABLE_BYTES = 4096;

/**
 * The tail for 8-bit logit codes of one quantized graph (its output scale and zero point):
 * 8-bit sigmoid codes in SIGMOID_CODES, from the integer x2 sums and a table, in WebAssembly
 * (head-tail.wat) where it runs, else in JS (expandJs, the reference the tests hold it to).
 */
export class CodeTail {
  /** Sigmoid code of each sum 9a + 3b + 3c + d of four logit codes. */
  private readonly table = new Uint8Array(16 * 255 + 1);
  private readonly wasm: { memory: WasmMemory; run: (src: number, planes: number, h: number, w: number, row: number, out: number) => void } | null = null;

  constructor(scale: number, zeroPoint: number) {
    for (let s = 0; s < this.table.length; s++) {
      const sigmoid = 1 / (1 + Math.exp(-scale * (s / 16 - zeroPoint)));
      this.table[s] = Math.round(sigmoid / SIGMOID_CODES.scale) + SIGMOID_CODES.zeroPoint;
    }
    const module = compileWasm(HEAD_TAIL_WASM);
    if (module && WASM) {
      const { exports } = new WASM.Instance(module, {}) as { exports: Record<string, unknown> };
      this.wasm = { memory: exports.memory as WasmMemory, run: exports.expand as (src: number, planes: number, h: number, w: number, row: number, out: number) => void };
      new Uint8Array(this.wasm.memory.buffer).set(this.table);
    }
  }

  /** Whether expand() runs in WebAssembly (else JS: about 4x slower). */
  get simd(): boolean {
    return this.wasm !== null;
  }

  expand(codes: Uint8Array, channels: number, h: number, w: number): Uint8Array {
    checkShape(codes.length, channels, h, w);
    if (!this.wasm) return this.expandJs(codes, channels, h, w);
    const { memory, run } = this.wasm;
    const row = TABLE_BYTES;
    const src = row + Math.ceil((2 * w + 16) / 16) * 16;
    const out = src + Math.ceil(codes.length / 16) * 16;
    reserveMemory(memory, out + 4 * codes.length);
    new Uint8Array(memory.buffer).set(codes, src);
    run(src, channels, h, w, row, out);
    return new Uint8Array(memory.buffer, out, 4 * codes.length).slice();
  }

  expandJs(codes: Uint8Array, channels: number, h: number, w: number): Uint8Array {
    checkShape(codes.length, channels, h, w);
    const H = 2 * h;
    const W = 2 * w;
    const out = new Uint8Array(channels * H * W);
    const table = this.table;
    // 3 a + b per column of the two source rows: 0..1020.
    const row = new Uint16Array(w);
    for (let c = 0; c < channels; c++) {
      const plane = c * h * w;
      for (let y = 0; y < H; y++) {
        const [near, far] = sources(y, h);
        const a = plane + near * w;
        const b = plane + far * w;
        for (let x = 0; x < w; x++) row[x] = 3 * codes[a + x] + codes[b + x];
        const o = c * H * W + y * W;
        out[o] = table[4 * row[0]];
        for (let x = 0; x + 1 < w; x++) {
          const p = row[x];
          const q = row[x + 1];
          out[o + 2 * x + 1] = table[3 * p + q];
          out[o + 2 * x + 2] = table[p + 3 * q];
        }
        out[o + W - 1] = table[4 * row[w - 1]];
      }
    }
    return out;
  }
}

/** Codes dequantized to floats: 16-bit logit codes for the float tail, any codes for OutputDecoder.points. */
export function dequantizeCodes(codes: Uint16Array | Uint8Array, scale: number, zeroPoint: number): Float32Array {
  const out = new Float32Array(codes.length);
  for (let i = 0; i < codes.length; i++) out[i] = (codes[i] - zeroPoint) * scale;
  return out;
}

