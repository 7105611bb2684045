import { compileWasm, reserveMemory, WASM, type WasmMemory } from '../util/wasm.js';
import { CLEAR_MARGIN, type CubeWalk, type SoftFold } from './cube-walk.js';
import { CUBE_WALK_WASM } from './cube-walk.wasm.js';
import { decodeInChunks, type PlanarSamples } from './wasm-chunks.js';

/**
 * The header (0..175), decode8's scratch (176..399), soft's header and segment table (420..3471),
 * the sixth dimension's tables and constants (3472..3599) and soft's scratch (3600..5999); the
 * input starts after them (see cube-walk.wat).
 */
const HEADER = 6000;
/** The most segments soft's table holds (6 dims: 63). */
const SOFT_SEGMENTS = 63;
/** The most components the SIMD module decodes (its corner tables hold 64 corners). */
export const CUBE_WALK_SIMD_MAX_DIMS = 6;
/** The axis an absent segment names (before the first vertex, after the last): no component's. */
const ABSENT_AXIS = 7;
/** Where the tables of corners 32-63 start (vertex, before axis, after axis: 32 bytes each), and component 5's scale and zero point. */
const HIGH_CORNERS = 3472;
const SCALE5 = 3568;
/**
 * The least kappa soft decodes: its float32 weights' error grows like 1 / kappa^2 (against the
 * float64 path, at most 2e-5 segments at kappa 0.5, 1.2e-4 at 0.1, 1e-3 at 0.03 on lines across
 * the midplanes between folds). A sharper soft fold leaves its listed samples to CubeWalk.beyond.
 */
const SOFT_MIN_KAPPA = 0.1;
/** soft's scratch: the block's points, and each component's squared distances to the margin, to 1 - margin, and zeros (48 bytes each). */
const POINTS = 3600;
const TERMS = 3696;
/** Term addresses per segment in soft's table: the other components' in 6 dims. */
const TERM_SLOTS = 5;
/** Listed samples per round of decodeSoft (its memory: about 32 bytes each). */
const SOFT_CHUNK = 4096;
/**
 * soft's tie margin, in squared coordinate units: another segment's point within this of the
 * least squared distance (with a different q) leaves the nearest segment to the caller's float64
 * scan. Far above the float32 rounding of the module's squared distances (a few 1e-8 in the unit
 * cube), so the two scans agree wherever the module names a segment.
 */
const SOFT_TIE = 1e-5;

/** Samples per SIMD step of cube-walk.wat. */
export const CUBE_WALK_BLOCK = 4;

export interface CubeWalkParams {
  walk: CubeWalk;
  scales: ArrayLike<number>;
  zeroPoints: ArrayLike<number>;
  margin: number;
  spacing: number;
  /** outputScale / segments: q in output units per vertex step. */
  perVertex: number;
  /** CubeWalk.decode's corner blend (0: the nearest point). */
  blend?: number;
  /** CubeWalk.decode's soft fold: decode() then lists every sample near or beyond its `from`, and decodeSoft() decodes them. */
  soft?: SoftFold | null;
}

/**
 * cube-walk.wat for one decoder (order-1 curve, 3 to 6 dims; 8- or 16-bit codes or float32): the
 * corner tables and the dequantization constants live in the instance's header; decode() runs it
 * over a block-aligned prefix of the codes (decodeInChunks). Samples the
 * module cannot vouch for come back NaN, and their indices are returned, for the caller's exact
 * decode; under a soft fold, decodeSoft() decodes most of them first.
 */
export class WasmCubeWalk {
  private readonly memory: WasmMemory;
  private readonly run: (codes: number, n: number, dims: number, out: number, list: number, kind: number) => number;
  private readonly run8: (codes: number, n: number, dims: number, out: number, list: number) => number;
  private readonly runSoft: (points: number, n: number, dims: number, proj: number, out: number) => void;
  /** Whether create() wrote soft's header (a soft fold was given). */
  private softOn = false;
  /** Whether 8-bit codes go to decode8: one scale, and the centre 1/2 at code 127.5 in every component. */
  private centred8 = false;

  private constructor(
    instance: { exports: Record<string, unknown> },
    private readonly dims: number,
  ) {
    this.memory = instance.exports.memory as WasmMemory;
    this.run = instance.exports.decode as (codes: number, n: number, dims: number, out: number, list: number, kind: number) => number;
    this.run8 = instance.exports.decode8 as (codes: number, n: number, dims: number, out: number, list: number) => number;
    this.runSoft = instance.exports.soft as (points: number, n: number, dims: number, proj: number, out: number) => void;
  }

  static create(p: CubeWalkParams): WasmCubeWalk | null {
    const dims = p.walk.dims;
    if (dims < 3 || dims > CUBE_WALK_SIMD_MAX_DIMS) return null;
    const module = compileWasm(CUBE_WALK_WASM);
    if (!module || !WASM) return null;
    const decoder = new WasmCubeWalk(new WASM.Instance(module, {}), dims);
    const bytes = new Int8Array(decoder.memory.buffer, 0, HEADER);
    const count = p.walk.vertexOf.length;
    // Per corner: its vertex and that vertex's two segments' axes. An absent segment (before the
    // first vertex, after the last) names ABSENT_AXIS, which no component matches: it reads 0.
    for (let corner = 0; corner < count; corner++) {
      const k = p.walk.vertexOf[corner];
      const at = corner < 32 ? corner : HIGH_CORNERS + corner - 32;
      bytes[at] = k;
      bytes[at + 32] = p.walk.axisBefore[k] >= 0 ? p.walk.axisBefore[k] : ABSENT_AXIS;
      bytes[at + 64] = p.walk.axisAfter[k] >= 0 ? p.walk.axisAfter[k] : ABSENT_AXIS;
    }
    const floats = new Float32Array(decoder.memory.buffer, 0, HEADER / 4);
    for (let c = 0; c < dims; c++) {
      const at = c < 5 ? 24 + c : SCALE5 / 4;
      floats[at] = p.scales[c];
      floats[at + (c < 5 ? 5 : 1)] = p.zeroPoints[c];
    }
    const blend = p.blend ?? 0;
    // 1 / (2 blend), or 0 for the nearest point (the module reads 0 as "no blend").
    // A soft fold lowers the bound to its `from`, by CLEAR_MARGIN so that the module lists every
    // sample CubeWalk.decode's float64 test might send to beyond() (the caller decides each listed
    // sample again), and turns clearOfOthers off: no margin is ever exceeded.
    const bound2 = p.soft ? Math.max(0, (p.soft.from * p.spacing) ** 2 - CLEAR_MARGIN) : (p.spacing / 2) ** 2;
    const clearMargin = p.soft ? Infinity : CLEAR_MARGIN;
    floats.set([p.margin, 1 - p.margin, 1 / p.spacing, bound2, p.perVertex, blend > 0 ? 1 / (2 * blend) : 0, p.spacing, p.spacing ** 2, clearMargin], 34);
    decoder.centred8 = centredBytes(p.scales, p.zeroPoints, dims, p.margin);
    if (p.soft && p.soft.kappa >= SOFT_MIN_KAPPA) decoder.writeSoftHeader(p, p.soft);
    return decoder;
  }

  /**
   * soft's header (see cube-walk.wat): its constants, and per segment the address of its axis's
   * component, its first vertex's coordinate along it, the step to the second and its inverse,
   * and the addresses of its distance's terms (the other components', zeros for the rest). A
   * vertex's coordinate c is the margin or 1 - margin as its corner's bit c is 0 or 1.
   */
  private writeSoftHeader(p: CubeWalkParams, soft: SoftFold): void {
    const { walk, margin, spacing } = p;
    const count = walk.vertexOf.length;
    const segments = count - 1;
    if (segments > SOFT_SEGMENTS) throw new Error(`the soft scan holds ${SOFT_SEGMENTS} segments, not ${segments}`);
    const cornerOf = new Int32Array(count);
    for (let corner = 0; corner < count; corner++) cornerOf[walk.vertexOf[corner]] = corner;
    const bit = (k: number, c: number): number => (cornerOf[k] >> c) & 1;
    const floats = new Float32Array(this.memory.buffer);
    const ints = new Int32Array(this.memory.buffer);
    floats[105] = 1 / segments;
    floats[106] = 1 / (2 * soft.kappa * soft.kappa);
    ints[107] = segments;
    floats[108] = SOFT_TIE;
    const start = soft.from * spacing;
    floats.set([start, 1 / (spacing / 2 - start), p.perVertex * segments], 109);
    for (let k = 0; k < segments; k++) {
      const axis = walk.axisAfter[k];
      const from = bit(k, axis) ? 1 - margin : margin;
      const step = (bit(k + 1, axis) ? 1 - margin : margin) - from;
      const at = (448 + 48 * k) / 4;
      ints[at] = POINTS + 16 * axis;
      floats.set([from, step, 1 / step], at + 1);
      // Each other component's term: its distance to vertex k's coordinate; zeros elsewhere. Up to
      // 5 dims slot c is component c's (its own axis zero), which keeps their float32 sums as
      // they were; 6 dims need every slot for the other five.
      const slots = this.dims < 6 ? [0, 1, 2, 3, 4].map((c) => (c < this.dims && c !== axis ? c : -1)) : [...Array(this.dims).keys()].filter((c) => c !== axis);
      for (let j = 0; j < TERM_SLOTS; j++) ints[at + 4 + j] = slots[j] >= 0 ? TERMS + 48 * slots[j] + 16 * bit(k, slots[j]) : TERMS + 32;
    }
    this.softOn = true;
  }

  /**
   * The soft fold's decode of the samples decode() listed (CubeWalk.beyond), `component(c, i)`
   * giving sample i's coordinate c: decode() again on their float32 points with the bound off,
   * for their corner projections, then cube-walk.wat's soft, four samples a step. In output
   * units, one per listed sample, NaN where the caller must decode it (see soft); null without a
   * soft fold (or with kappa under SOFT_MIN_KAPPA) or a listed sample. Reuses the memory decode() works in: call it after decode().
   */
  decodeSoft(listed: readonly number[], component: (c: number, i: number) => number): Float32Array | null {
    if (!this.softOn || listed.length === 0) return null;
    const result = new Float32Array(listed.length);
    // In chunks, so that the module's memory stays bounded when most samples are listed (outputs
    // far off the curve, on inputs unlike any training scene).
    for (let start = 0; start < listed.length; start += SOFT_CHUNK) {
      this.decodeSoftChunk(listed, start, Math.min(listed.length, start + SOFT_CHUNK), component, result);
    }
    return result;
  }

  /**
   * The samples decode() listed, into `out`: decodeSoft's value where it has one, else
   * `exact(i)` (the caller's float64 decode, in out's units).
   */
  settleListed(listed: readonly number[], component: (c: number, i: number) => number, exact: (i: number) => number, out: Float32Array): void {
    const soft = this.decodeSoft(listed, component);
    listed.forEach((i, j) => {
      const q = soft ? soft[j] : NaN;
      out[i] = q === q ? q : exact(i);
    });
  }

  /** decodeSoft for listed[start..end). */
  private decodeSoftChunk(listed: readonly number[], start: number, end: number, component: (c: number, i: number) => number, result: Float32Array): void {
    const count = end - start;
    const m = Math.ceil(count / CUBE_WALK_BLOCK) * CUBE_WALK_BLOCK;
    const projAt = HEADER + 4 * this.dims * m;
    const outAt = projAt + 4 * m;
    const listAt = outAt + 4 * m;
    reserveMemory(this.memory, listAt + 4 * m);
    const planes = new Float32Array(this.memory.buffer, HEADER, this.dims * m);
    for (let c = 0; c < this.dims; c++) {
      for (let j = 0; j < count; j++) planes[c * m + j] = component(c, listed[start + j]);
      // The padding lanes: any finite point.
      planes.fill(0.5, c * m + count, (c + 1) * m);
    }
    // The exactness bound (header 148) at infinity: decode writes every projection, NaN only for
    // a non-finite component.
    const header = new Float32Array(this.memory.buffer, 0, HEADER / 4);
    const bound2 = header[37];
    header[37] = Infinity;
    try {
      this.run(HEADER, m, this.dims, projAt, listAt, 1);
    } finally {
      header[37] = bound2;
    }
    this.runSoft(HEADER, m, this.dims, projAt, outAt);
    result.set(new Float32Array(this.memory.buffer, outAt, count), start);
  }

  /** Whether decode() takes 8-bit codes 16 at a time (cube-walk.wat's decode8): see centredBytes. */
  get decodesBytesBy16(): boolean {
    return this.centred8;
  }

  /**
   * The first n samples (n a multiple of CUBE_WALK_BLOCK) of planar input with `total` samples
   * per plane: 8- or 16-bit codes, dequantized with the instance's scales and zero points, or
   * float32 points as they are (a float model's output; create it with scales 1 and zero points 0
   * for clarity, they are not read). Returns the indices of the samples left NaN, ascending: those
   * the module cannot vouch for (farther than spacing / 2 from the projection and not clear of
   * every other segment; under a soft fold, as far as its start or farther) and, for float
   * input, those with a non-finite component.
   */
  decode(input: PlanarSamples, total: number, n: number, out: Float32Array): number[] {
    if (!(input instanceof Uint8Array && this.centred8)) return this.decodeBlocks(input, total, n, out);
    // decode8 takes 16 samples a step; the last few (a multiple of 4 under 16) go to decode.
    const n16 = n - (n % DECODE8_BLOCK);
    const beyond = n16 > 0 ? decodeInChunks(this.memory, HEADER, this.dims, input, total, n16, out, (codesAt, m, outAt, listAt) => this.run8(codesAt, m, this.dims, outAt, listAt)) : [];
    if (n16 === n) return beyond;
    const rest = n - n16;
    const planes = new Uint8Array(this.dims * rest);
    for (let c = 0; c < this.dims; c++) planes.set(input.subarray(c * total + n16, c * total + n), c * rest);
    const tail = new Float32Array(rest);
    for (const i of this.decodeBlocks(planes, rest, rest, tail)) beyond.push(n16 + i);
    out.set(tail, n16);
    return beyond;
  }

  /** cube-walk.wat's decode, four samples a step, over the first n samples (a multiple of 4). */
  private decodeBlocks(input: PlanarSamples, total: number, n: number, out: Float32Array): number[] {
    const kind = input instanceof Uint8Array ? 0 : input instanceof Float32Array ? 1 : 2;
    return decodeInChunks(this.memory, HEADER, this.dims, input, total, n, out, (codesAt, m, outAt, listAt) =>
      this.run(codesAt, m, this.dims, outAt, listAt, kind),
    );
  }
}

/** Samples per step of cube-walk.wat's decode8. */
const DECODE8_BLOCK = 16;

/**
 * Whether decode8 reads these 8-bit codes as decode does: one positive scale s for every
 * component, and each zero point z with z + 1/(2 s) = 127.5, so that the centre 1/2 lies halfway
 * between codes 127 and 128 (the head tail's sigmoid codes: s = 1/255, z = 0). decode8 also
 * marks an absent segment with m = 255, whose inward distance C - 255 s must not be positive:
 * 255.5 s >= 1/2 - margin.
 */
function centredBytes(scales: ArrayLike<number>, zeroPoints: ArrayLike<number>, dims: number, margin: number): boolean {
  const s = scales[0];
  if (!(s > 0) || 255.5 * s < 0.5 - margin) return false;
  for (let c = 0; c < dims; c++) {
    if (scales[c] !== s || Math.abs(zeroPoints[c] + 0.5 / s - 127.5) > 1e-6) return false;
  }
  return true;
}
