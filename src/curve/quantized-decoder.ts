import { ConfigError } from '../util/errors.js';
import type { HilbertCurve } from './hilbert-curve.js';
import { CUBE_WALK_BLOCK, CUBE_WALK_SIMD_MAX_DIMS, WasmCubeWalk } from './wasm-cube-walk.js';
import { cornerBlendOf, softFoldOf, type SoftFold } from './cube-walk.js';
import { WASM_BLOCK, WasmTableDecoder } from './wasm-table-decoder.js';

export interface QuantizedDecoderOptions {
  /** Bits per code (1..16); codes are unsigned, as ONNX uint8/uint16 outputs. */
  bits: number;
  /** Per component: code v stands for (v - zeroPoints[c]) * scales[c]. */
  scales: ArrayLike<number>;
  zeroPoints: ArrayLike<number>;
  /** Every decoded q is multiplied by this (default 1), e.g. the largest disparity to decode straight to pixels. */
  outputScale?: number;
  /** As HilbertCurve.decode's option: smooth the cube walk's corners (default 0, the exact nearest point). */
  cornerBlend?: number;
  /** As HilbertCurve.decode's option: the cube walk's soft decode of outputs that hedge between folds (default off). */
  softFold?: SoftFold;
}

/**
 * Planar codes (component c of sample i at c * n + i) to q in [0, 1]. Pass `out` to decode into
 * a reused buffer of n samples.
 */
export interface QuantizedDecoder {
  (codes: Uint8Array | Uint16Array, out?: Float32Array): Float32Array;
  /**
   * Why this decoder is slower than the curve's fast path (WebAssembly SIMD, or one table look-up
   * per sample), or null: a slow path must not be taken silently (the CLI warns with it).
   */
  readonly slowPath: string | null;
}

function withPath(decode: (codes: Uint8Array | Uint16Array, out?: Float32Array) => Float32Array, slowPath: string | null): QuantizedDecoder {
  return Object.assign(decode, { slowPath });
}

/** Above 2^20 entries (4 MiB) a joint table costs more to build than it saves. */
const MAX_TABLE_BITS = 20;
const CHUNK = 4096;

/**
 * A quantized head's output takes only (2^bits)^dims values, so each code tuple is decoded once,
 * into a table, and decoding becomes one look-up per sample. Where the joint table would be too
 * large, codes are dequantized through per-component tables and decoded exactly.
 */
export function buildQuantizedDecoder(curve: HilbertCurve, options: QuantizedDecoderOptions): QuantizedDecoder {
  const { bits, scales, zeroPoints, outputScale = 1 } = options;
  const d = curve.dims;
  validate(bits, scales, zeroPoints, d);
  const blend = cornerBlendOf(options);
  const soft = softFoldOf(options);
  if (!(outputScale > 0 && Number.isFinite(outputScale))) throw new ConfigError('outputScale', outputScale, 'must be a finite number > 0');
  const levels = 2 ** bits;
  const dequant: Float64Array[] = [];
  for (let c = 0; c < d; c++) {
    const table = new Float64Array(levels);
    for (let v = 0; v < levels; v++) table[v] = (v - zeroPoints[c]) * scales[c];
    dequant.push(table);
  }
  if (d * bits <= MAX_TABLE_BITS) return jointTableDecoder(curve, bits, dequant, outputScale, blend, soft);
  if (curve.order === 1) return cubeWalkDecoder(curve, bits, dequant, outputScale, scales, zeroPoints, blend, soft);
  return dequantizingDecoder(curve, bits, dequant, outputScale);
}

function validate(bits: number, scales: ArrayLike<number>, zeroPoints: ArrayLike<number>, dims: number): void {
  if (!Number.isInteger(bits) || bits < 1 || bits > 16) {
    throw new ConfigError('bits', bits, 'must be an integer in 1..16 (uint8 or uint16 codes)');
  }
  if (scales.length !== dims) {
    throw new ConfigError('scales.length', scales.length, `must equal the curve's dims = ${dims}`);
  }
  if (zeroPoints.length !== dims) {
    throw new ConfigError('zeroPoints.length', zeroPoints.length, `must equal the curve's dims = ${dims}`);
  }
  for (let c = 0; c < dims; c++) {
    if (!(scales[c] > 0 && Number.isFinite(scales[c]))) {
      throw new ConfigError(`scales[${c}]`, scales[c], 'must be a finite number > 0');
    }
    if (!(Number.isInteger(zeroPoints[c]) && zeroPoints[c] >= 0 && zeroPoints[c] < 2 ** bits)) {
      throw new ConfigError(`zeroPoints[${c}]`, zeroPoints[c], `must be an integer code in 0..${2 ** bits - 1}`);
    }
  }
}

function checkCodes(codes: Uint8Array | Uint16Array, dims: number, bits: number): number {
  if (codes.length % dims !== 0) {
    throw new ConfigError('codes.length', codes.length, `must be a multiple of dims = ${dims}`);
  }
  if (bits > 8 && !(codes instanceof Uint16Array)) {
    throw new ConfigError('codes', codes.constructor.name, `${bits}-bit codes need a Uint16Array`);
  }
  // A code beyond the quantizer's range would index a wrong entry; refuse it rather than wrap.
  if (codes.BYTES_PER_ELEMENT * 8 > bits) {
    const limit = 2 ** bits;
    for (let i = 0; i < codes.length; i++) {
      if (codes[i] >= limit) throw new ConfigError(`codes[${i}]`, codes[i], `exceeds the ${bits}-bit range`);
    }
  }
  return codes.length / dims;
}

function jointTableDecoder(curve: HilbertCurve, bits: number, dequant: Float64Array[], outputScale: number, blend: number, soft: SoftFold | null): QuantizedDecoder {
  const d = curve.dims;
  const levels = 2 ** bits;
  const entries = levels ** d;
  // Component 0 is the most significant digit of the table index.
  const points = new Float64Array(entries * d);
  for (let e = 0; e < entries; e++) {
    let rest = e;
    for (let c = d - 1; c >= 0; c--) {
      points[c * entries + e] = dequant[c][rest % levels];
      rest = Math.floor(rest / levels);
    }
  }
  const table = curve.decode(points, { cornerBlend: blend, ...(soft ? { softFold: soft } : {}) });
  if (outputScale !== 1) for (let e = 0; e < table.length; e++) table[e] *= outputScale;
  if (d === 2 && bits === 8) return byteTableDecoder(table);
  return withPath((codes, out) => {
    const n = checkCodes(codes, d, bits);
    const result = outputBuffer(out, n);
    for (let i = 0; i < n; i++) {
      let key = 0;
      for (let c = 0; c < d; c++) key = key * levels + codes[c * n + i];
      result[i] = table[key];
    }
    return result;
  }, null);
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * The paper's case (two uint8 channels) is the hot path of every inference. WebAssembly SIMD
 * decodes 16 samples per step (wasm-table-decoder.ts); where it is unavailable, or for the tail,
 * a JS loop reads four codes per 32-bit load where the buffer's alignment allows (about 3x a
 * byte-wise loop in V8).
 */
function byteTableDecoder(table: Float32Array): QuantizedDecoder {
  const wasm = WasmTableDecoder.create(table);
  return withPath((codes, out) => {
    const n = checkCodes(codes, 2, 8);
    const result = outputBuffer(out, n);
    if (!(codes instanceof Uint8Array)) return decodeByteTableJs(codes, n, table, result, 0);
    const done = wasm ? n - (n % WASM_BLOCK) : 0;
    if (wasm && done > 0) wasm.decode(codes, n, done, result);
    return decodeByteTableJs(codes, n, table, result, done);
  }, wasm ? null : 'WebAssembly SIMD cannot run here: the 2 x 8-bit table is read in JS');
}

/** Samples from..n of planar 2 x 8-bit codes through the table, in JS (the fallback and the tail). */
export function decodeByteTableJs(codes: Uint8Array | Uint16Array, n: number, table: Float32Array, result: Float32Array, from: number): Float32Array {
  let done = from;
  if (from === 0 && codes instanceof Uint8Array && LITTLE_ENDIAN && codes.byteOffset % 4 === 0 && n % 4 === 0) {
    const xs = new Uint32Array(codes.buffer, codes.byteOffset, n / 4);
    const ys = new Uint32Array(codes.buffer, codes.byteOffset + n, n / 4);
    copyEntries(xs, ys, result, table);
    done = n;
  }
  for (let i = done; i < n; i++) result[i] = table[(codes[i] << 8) | codes[n + i]];
  return result;
}

/** Four samples per iteration: code bytes k of x and y form the table index (x is the high byte). */
function copyEntries(xs: Uint32Array, ys: Uint32Array, out: Float32Array, table: Float32Array): void {
  const words = xs.length;
  for (let w = 0; w < words; w++) {
    const x = xs[w];
    const y = ys[w];
    const o = w << 2;
    out[o] = table[((x & 0xff) << 8) | (y & 0xff)];
    out[o + 1] = table[(x & 0xff00) | ((y >>> 8) & 0xff)];
    out[o + 2] = table[((x >>> 8) & 0xff00) | ((y >>> 16) & 0xff)];
    out[o + 3] = table[((x >>> 16) & 0xff00) | (y >>> 24)];
  }
}

function outputBuffer(out: Float32Array | undefined, n: number): Float32Array {
  if (out === undefined) return new Float32Array(n);
  if (out.length !== n) throw new ConfigError('out.length', out.length, `must equal the sample count ${n}`);
  return out;
}

function dequantizingDecoder(curve: HilbertCurve, bits: number, dequant: Float64Array[], outputScale: number): QuantizedDecoder {
  const d = curve.dims;
  const why = `${d} components of ${bits}-bit codes are too many for a decode table (over 2^${MAX_TABLE_BITS} entries): every pixel takes the exact nearest-point search`;
  return withPath((codes, out) => {
    const n = checkCodes(codes, d, bits);
    const result = outputBuffer(out, n);
    const chunk = new Float64Array(CHUNK * d);
    for (let start = 0; start < n; start += CHUNK) {
      const m = Math.min(CHUNK, n - start);
      const view = m === CHUNK ? chunk : new Float64Array(m * d);
      for (let c = 0; c < d; c++) {
        const table = dequant[c];
        for (let i = 0; i < m; i++) view[c * m + i] = table[codes[c * n + start + i]];
      }
      const q = curve.decode(view);
      if (outputScale !== 1) for (let i = 0; i < m; i++) q[i] *= outputScale;
      result.set(q, start);
    }
    return result;
  }, why);
}

/**
 * Order 1 in dims >= 3 (the cube walk, see HilbertCurve.decodeCubeWalk): per component, each
 * code's corner bit and inward distance come from a table, so a sample costs dims look-ups and
 * two compares instead of a search. Samples beyond the exactness bound take the exact decode
 * (under a soft fold, the SIMD module's soft pass first: WasmCubeWalk.decodeSoft).
 */
function cubeWalkDecoder(
  curve: HilbertCurve,
  bits: number,
  dequant: Float64Array[],
  outputScale: number,
  scales: ArrayLike<number>,
  zeroPoints: ArrayLike<number>,
  blend: number,
  soft: SoftFold | null,
): QuantizedDecoder {
  const d = curve.dims;
  const levels = 2 ** bits;
  const walk = curve.cubeWalk();
  const [lo, hi] = [curve.margin, 1 - curve.margin];
  // Per component and code: its corner bit and its inward distance (see CubeWalk.decode).
  const cornerBit = new Int32Array(d * levels);
  const inwardOf = new Float64Array(d * levels);
  for (let c = 0; c < d; c++) {
    for (let v = 0; v < levels; v++) {
      const x = dequant[c][v];
      cornerBit[c * levels + v] = x > 0.5 ? 1 << c : 0;
      inwardOf[c * levels + v] = x > 0.5 ? hi - x : x - lo;
    }
  }
  // WebAssembly SIMD for 3 to 6 dims of 8- or 16-bit codes; JS for the rest, the tail, and where it cannot run.
  const wasm = WasmCubeWalk.create({ walk, scales, zeroPoints, margin: curve.margin, spacing: curve.spacing, perVertex: outputScale / (curve.vertexCount - 1), blend, soft });
  const point = new Float64Array(d);
  const inward = new Float64Array(d);
  // Where decode cannot vouch: the exact nearest point, blended as decode blends (CubeWalk.beyond).
  const settle = (codes: Uint8Array | Uint16Array, n: number, i: number): number => {
    let corner = 0;
    for (let c = 0; c < d; c++) {
      const code = codes[c * n + i];
      const key = c * levels + code;
      point[c] = dequant[c][code];
      corner |= cornerBit[key];
      inward[c] = inwardOf[key];
    }
    const q = walk.decode(corner, inward, blend, soft);
    return q === q ? q : walk.beyond(point, corner, inward, blend, () => curve.search().nearest(point), soft);
  };
  const why = wasm
    ? null
    : d < 3 || d > CUBE_WALK_SIMD_MAX_DIMS
      ? `the ${d}-dim cube walk decodes in JS: the WebAssembly SIMD decoder covers 3 to ${CUBE_WALK_SIMD_MAX_DIMS} dims`
      : 'WebAssembly SIMD cannot run here: the cube walk decodes in JS';
  return withPath((codes, out) => {
    const n = checkCodes(codes, d, bits);
    const result = outputBuffer(out, n);
    let from = 0;
    if (wasm) {
      from = n - (n % CUBE_WALK_BLOCK);
      // The module lists the samples beyond its exactness bound (left NaN); under a soft fold it
      // decodes most of them in a second pass (NaN where it leaves one to settle).
      const listed = wasm.decode(codes, n, from, result);
      wasm.settleListed(listed, (c, i) => dequant[c][codes[c * n + i]], (i) => settle(codes, n, i) * outputScale, result);
    }
    for (let i = from; i < n; i++) result[i] = settle(codes, n, i) * outputScale;
    return result;
  }, why);
}
