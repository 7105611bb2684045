import { ConfigError } from '../util/errors.js';
import { TIE } from './hilbert-search.js';
import type { Nearest } from './polyline-index.js';

export interface DecodeOptions {
  /**
   * Order 1 in dims >= 3 only (the cube walk): mix the two segments at a corner instead of
   * jumping between them, over the band where their inward distances differ by less than this
   * share of their sum (0 < blend <= 1; see CubeWalk.decode). Points on the curve still decode
   * exactly; a point that cuts a corner decodes near the corner instead of on either side of it.
   * Default 0: the exact nearest point.
   */
  cornerBlend?: number;
  /**
   * Order 1 in dims >= 3 only (the cube walk): a point half the spacing from the curve or
   * farther hedges between folds, and the nearest point would pick one of them by a hair.
   * Decode it instead as the mean of every segment's nearest point's q, weighted by
   * exp(-(d_k^2 / d_min^2 - 1) / (2 kappa^2)) over the segments' squared distances d_k^2: the
   * nearest fold where it is clearly nearer, the mean of two where they are about as near
   * (CubeWalk.softMean). Between `from` x spacing and half the spacing the decode moves linearly
   * from the nearest point to that mean, so it stays continuous: the nearest point jumps between
   * folds only half the spacing or farther from the curve (disjoint cube edges are a spacing
   * apart), and the corner blend smooths its jumps at corners. Nearer than `from` the decode is
   * as without it. Default: off.
   */
  softFold?: SoftFold;
}

/** DecodeOptions.softFold: `from` in units of the curve's spacing (0 < from < 1/2), `kappa` > 0. */
export interface SoftFold {
  from: number;
  kappa: number;
}

/** Validates DecodeOptions.softFold: absent (null) or from in (0, 1/2) and a finite kappa > 0; `name` is what an error calls it. */
export function softFoldOf(options: DecodeOptions = {}, name = 'softFold'): SoftFold | null {
  const soft = options.softFold;
  if (soft === undefined) return null;
  // The ramp ends at half the spacing, so it must start before.
  if (!(soft.from > 0 && soft.from < 0.5)) throw new ConfigError(`${name}.from`, soft.from, 'must be in (0, 0.5) (a share of the spacing)');
  if (!(soft.kappa > 0 && Number.isFinite(soft.kappa))) throw new ConfigError(`${name}.kappa`, soft.kappa, 'must be a finite number > 0');
  return soft;
}

/** The smallest corner blend other than 0: 1 / (2 blend) must stay finite in float32 (wasm-cube-walk.ts). */
export const MIN_CORNER_BLEND = 1e-6;

/** Validates DecodeOptions.cornerBlend: 0 (off) or in [MIN_CORNER_BLEND, 1]; `name` is what an error calls it. */
export function cornerBlendOf(options: DecodeOptions = {}, name = 'cornerBlend'): number {
  const blend = options.cornerBlend ?? 0;
  if (!(blend === 0 || (blend >= MIN_CORNER_BLEND && blend <= 1))) {
    throw new ConfigError(name, blend, `must be 0 (the exact nearest point) or in [${MIN_CORNER_BLEND.toExponential()}, 1]`);
  }
  return blend;
}

/**
 * CubeWalk.clearOfOthers' margin, in squared coordinate units: far above the float32 rounding of
 * the SIMD module's same test (cube-walk.wat, which reads it from its header), so that both
 * agree but within a hair of it. The terms that cancel near the threshold stay below about 1.25
 * spacing^2 for points inside the unit cube, where a model's sigmoid outputs lie; where the two
 * tests part, CubeWalk.beyond gives the same decode anyway.
 */
export const CLEAR_MARGIN = 1e-5;

/**
 * CubeWalk.softMean's weights exp(-y), y in [0, EXP_RANGE), from a table with EXP_STEPS entries per
 * unit, linear between them (relative error below 2e-6): Math.exp per segment was most of the
 * soft decode's time. Beyond EXP_RANGE a weight is below 1e-6 of the nearest segment's.
 */
const EXP_RANGE = 14;
const EXP_STEPS = 256;
const EXP_TABLE = Float64Array.from({ length: EXP_RANGE * EXP_STEPS + 2 }, (_, i) => Math.exp(-i / EXP_STEPS));

/** Up to this many dims (every curve the models allow) the off-curve fallback scans every edge (CubeWalk.nearest); beyond, the search. */
export const SCAN_MAX_DIMS = 8;

/**
 * The order-1 curve in dims >= 3 walks the corners of the cube [margin, 1 - margin]^dims in Gray
 * code order, so its nearest point needs no search: see HilbertCurve.decodeCubeWalk. This holds
 * the per-corner facts that decode reads: the corner's vertex index and the axes of its two
 * segments (to the previous and the next vertex).
 */
export class CubeWalk {
  /** Corner bits (bit c: coordinate c above 1/2) -> vertex index. */
  readonly vertexOf: Int32Array;
  /** Vertex index -> axis of the segment to the previous / next vertex (-1 at the ends). */
  readonly axisBefore: Int32Array;
  readonly axisAfter: Int32Array;
  private readonly segments: number;
  private readonly bound2: number;
  /** The segment (its lower vertex) of nearest()'s last result, -1 for none: read by beyond(). */
  private scanned = -1;
  /** nearest()'s last scan: every segment's squared distance and q, and the least distance (read by the soft fold). */
  private scanDist2 = new Float64Array(0);
  private scanQ = new Float64Array(0);
  private scanLeast = Infinity;

  constructor(
    private readonly verts: Float64Array,
    readonly dims: number,
    readonly spacing: number,
  ) {
    const count = verts.length / dims;
    this.segments = count - 1;
    this.bound2 = (spacing / 2) ** 2;
    this.vertexOf = new Int32Array(count);
    this.axisBefore = new Int32Array(count).fill(-1);
    this.axisAfter = new Int32Array(count).fill(-1);
    const bitsOf = (k: number): number => {
      let bits = 0;
      for (let c = 0; c < dims; c++) if (verts[k * dims + c] > 0.5) bits |= 1 << c;
      return bits;
    };
    for (let k = 0; k < count; k++) {
      this.vertexOf[bitsOf(k)] = k;
      if (k + 1 < count) {
        const axis = Math.log2(bitsOf(k) ^ bitsOf(k + 1));
        if (!Number.isInteger(axis)) throw new Error(`vertices ${k} and ${k + 1} are not joined by a cube edge`);
        this.axisAfter[k] = axis;
        this.axisBefore[k + 1] = axis;
      }
    }
  }

  /**
   * q of the nearest point, from p's corner and its inward distances (per coordinate, from the
   * corner's coordinate towards 1/2; negative outside the cube). NaN when that point may not be
   * the nearest (farther than spacing / 2, and not clearly nearer than every other segment:
   * clearOfOthers): the caller searches exactly then.
   *
   * `blend` > 0 (at most 1) makes the decode continuous at the corner: the nearest point jumps
   * from one segment to the other where p is equally far along both (a point that cuts the
   * corner by a third of the spacing jumps by two thirds of a segment). With r = (before -
   * after) / (before + after) in [-1, 1] (inward distances, clamped at 0), the two segments'
   * projections are mixed with weight w = clamp(1/2 + r / (2 blend), 0, 1) on the one before:
   * the nearest point itself where |r| >= blend, so every point on the curve still decodes
   * exactly, and the vertex where p is equally far along both.
   */
  decode(corner: number, inward: ArrayLike<number>, blend = 0, soft: SoftFold | null = null): number {
    const k = this.vertexOf[corner];
    let far2 = 0;
    for (let c = 0; c < this.dims; c++) far2 += inward[c] * inward[c];
    const before = inwardAlong(this.axisBefore[k], inward);
    const after = inwardAlong(this.axisAfter[k], inward);
    // Along a segment's own axis the projection removes p's offset; off it, the offset stays.
    const along = Math.max(before, after, 0);
    // With a soft fold every point `from` or farther from the corner's segments goes to beyond(),
    // which decides by its distance to the whole curve: no other test may vouch for it.
    if (soft) {
      if (far2 - along * along >= (soft.from * this.spacing) ** 2) return NaN;
    } else if (far2 - along * along > this.bound2 && !this.clearOfOthers(inward, along)) return NaN;
    return this.project(k, before, after, blend);
  }

  /**
   * decode()'s fallback where it cannot vouch: the exact nearest point of p (a scan of every
   * edge up to SCAN_MAX_DIMS, else `search`), blended as decode() blends it when its segment is
   * one of the corner's two. So a point decodes the same whichever test vouched for it: the SIMD
   * module's float32 one and decode()'s float64 one part within a hair of CLEAR_MARGIN, and
   * the unblended nearest point would differ from the blend by up to a third of a segment there.
   */
  beyond(p: ArrayLike<number>, corner: number, inward: ArrayLike<number>, blend: number, search: () => Nearest, soft: SoftFold | null = null): number {
    if (!soft) return this.nearestBlended(p, corner, inward, blend, search);
    // One scan: nearest() keeps every segment's distance and q, which softMean() weighs.
    const q = this.nearest(p);
    const share = this.softShare(this.scanLeast, soft);
    if (share >= 1) return this.softMean(soft);
    const near = this.blended(q, this.scanned, corner, inward, blend);
    return share > 0 ? near + share * (this.softMean(soft) - near) : near;
  }

  /** beyond() without a soft fold: the exact nearest point, blended at the corner as decode() blends. */
  private nearestBlended(p: ArrayLike<number>, corner: number, inward: ArrayLike<number>, blend: number, search: () => Nearest): number {
    if (this.dims <= SCAN_MAX_DIMS) return this.blended(this.nearest(p), this.scanned, corner, inward, blend);
    const r = search();
    return this.blended(r.segment >= 0 ? (r.segment + r.t) / this.segments : NaN, r.segment, corner, inward, blend);
  }

  /** The nearest point's q (on `segment`), blended as decode() blends where that segment is one of the corner's two. */
  private blended(q: number, segment: number, corner: number, inward: ArrayLike<number>, blend: number): number {
    const k = this.vertexOf[corner];
    if (blend === 0 || q !== q || (segment !== k && segment !== k - 1)) return q;
    return this.project(k, inwardAlong(this.axisBefore[k], inward), inwardAlong(this.axisAfter[k], inward), blend);
  }

  /**
   * q of p projected onto vertex k's segments (blended at the corner when blend > 0), whether or
   * not that is the nearest point; `before` and `after` are p's inward distances along their axes.
   */
  private project(k: number, before: number, after: number, blend: number): number {
    const along = Math.max(before, after, 0);
    if (along === 0) return k / this.segments;
    if (blend > 0) {
      const b = Math.max(0, before);
      const a = Math.max(0, after);
      const w = Math.min(1, Math.max(0, 0.5 + (b - a) / (b + a) / (2 * blend)));
      const tb = Math.min(1, b / this.spacing);
      const ta = Math.min(1, a / this.spacing);
      return (k + ta - w * (ta + tb)) / this.segments;
    }
    const t = Math.min(1, along / this.spacing);
    // Ties go to the lower segment, as in the exact search.
    return (after > before ? k + t : k - t) / this.segments;
  }

  /**
   * Whether the projection onto vertex k's segments (p's squared distance far2 - along^2) is
   * nearer than every other segment, by more than CLEAR_MARGIN: a sharper test than spacing / 2
   * that vouches for 97 % of the samples the latter leaves to the scan (the precision vit's
   * 5-dim head: 961 of 32768 at 128x256 -> 24). Only vertex k's two segments contain p's corner;
   * any other segment, along some axis b, has a coordinate a != b on the far side of 1/2 from
   * p's: there its distance is spacing - w_a (w the inward distances, all at most spacing / 2), on
   * the other axes but b at least |w_c|, and along b at least -w_b where w_b < 0 (else 0). So its
   * squared distance is at least far2 + spacing^2 - 2 spacing w_a - max over c != a of max(0,
   * w_c)^2, and far2 cancels from the comparison.
   */
  private clearOfOthers(inward: ArrayLike<number>, along: number): boolean {
    const s = this.spacing;
    // The largest and second largest max(0, w_c)^2.
    let first = 0;
    let second = 0;
    for (let c = 0; c < this.dims; c++) {
      const w2 = Math.max(0, inward[c]) ** 2;
      second = Math.max(second, Math.min(first, w2));
      first = Math.max(first, w2);
    }
    let worst = -Infinity;
    for (let a = 0; a < this.dims; a++) {
      const w2 = Math.max(0, inward[a]) ** 2;
      worst = Math.max(worst, 2 * s * inward[a] + (w2 === first ? second : first));
    }
    return along * along + s * s - worst > CLEAR_MARGIN;
  }

  /**
   * How much of the soft fold's mean the decode of a point at squared distance `least` from the
   * curve takes (DecodeOptions.softFold): 0 nearer than `from` x spacing, 1 from half the
   * spacing on, linear between. Squared distances that overflow (float64 input far out) leave
   * the nearest point's decode.
   */
  private softShare(least: number, soft: SoftFold): number {
    const start = soft.from * this.spacing;
    const distance = Math.sqrt(least);
    return distance >= start && least < Infinity ? Math.min(1, (distance - start) / (this.spacing / 2 - start)) : 0;
  }

  /**
   * DecodeOptions.softFold's mean for nearest()'s last point: every segment's nearest point's q
   * weighted by exp(-(d_k^2 / d_min^2 - 1) / (2 kappa^2)). The weights depend on the ratio of
   * distances alone, so the result does not depend on the curve's scale; the nearest segment
   * weighs 1, one twice as far (in squared distance) exp(-1 / (2 kappa^2)). Measured on the room
   * zoo's w8a8 outputs (60 test pairs; docs/fold-commitment.md, "A soft decode for hedging
   * outputs"), it halves the curve heads' q-err RMSE or better and leaves their robust std as it was.
   */
  private softMean(soft: SoftFold): number {
    const dist2 = this.scanDist2;
    const qs = this.scanQ;
    const sharp = EXP_STEPS / (2 * soft.kappa * soft.kappa);
    const inv = 1 / this.scanLeast;
    let sum = 0;
    let weights = 0;
    for (let k = 0; k < this.segments; k++) {
      // exp(-y) from the table, linear between its entries; beyond EXP_RANGE a segment weighs
      // under 1e-6 of the nearest. The nearest's own y can round below 0: it weighs 1.
      const y = Math.max(0, (dist2[k] * inv - 1) * sharp);
      if (!(y < EXP_RANGE * EXP_STEPS)) continue;
      const i = y | 0;
      const w = EXP_TABLE[i] + (y - i) * (EXP_TABLE[i + 1] - EXP_TABLE[i]);
      sum += w * qs[k];
      weights += w;
    }
    return sum / weights;
  }

  /**
   * q of the nearest point by a scan of every segment (the 2^dims - 1 cube edges, each along one
   * axis), ties within HilbertSearch's relative TIE to the lower segment, as the search breaks
   * them; distances that overflow to Infinity tie too. The fallback where decode() cannot vouch
   * (outputs far off the curve, e.g. on scenes unlike the training ones). Consecutive vertices
   * differ in one coordinate, so the squared distance to vertex k + 1 follows from vertex k's by
   * one term, and each segment costs O(1) instead of O(dims). At 5 dims (31 segments) the exact
   * search had been the fallback: the precision vit's 5-dim head sends 3 % of its samples here,
   * and its w8a8 decode at 128x256 took 1.0 ms with the search, 0.5 ms with this scan. Every
   * segment's distance and q stay behind for the soft fold (softShare, softMean).
   */
  nearest(p: ArrayLike<number>): number {
    const d = this.dims;
    const v = this.verts;
    let best = Infinity;
    let bestQ = NaN;
    let bestSegment = -1;
    let least = Infinity;
    // Allocated on the first scan: most decodes never need one.
    if (this.scanQ.length !== this.segments) {
      this.scanDist2 = new Float64Array(this.segments);
      this.scanQ = new Float64Array(this.segments);
    }
    const dist2s = this.scanDist2;
    const qs = this.scanQ;
    const segments = this.segments;
    // Squared distance from p to the current vertex.
    let toVertex = 0;
    for (let c = 0; c < d; c++) toVertex += (p[c] - v[c]) * (p[c] - v[c]);
    for (let k = 0; k < segments; k++) {
      const axis = this.axisAfter[k];
      const from = v[k * d + axis];
      const to = v[(k + 1) * d + axis];
      const x = p[axis];
      const t = Math.min(1, Math.max(0, (x - from) / (to - from)));
      const offAxis = toVertex - (x - from) * (x - from);
      const along = x - (from + t * (to - from));
      const dist2 = Math.max(0, offAxis) + along * along;
      const q = (k + t) / segments;
      dist2s[k] = dist2;
      qs[k] = q;
      if (dist2 < least) least = dist2;
      // Scanned in segment order: only a clearly nearer segment replaces the lower one.
      if (bestQ !== bestQ || dist2 < best - TIE * (1 + best)) {
        best = dist2;
        bestQ = q;
        bestSegment = k;
      }
      toVertex = offAxis + (x - to) * (x - to);
    }
    this.scanned = bestSegment;
    this.scanLeast = least;
    return bestQ;
  }
}

/** p's inward distance along a segment's axis; -Infinity where the vertex has no such segment (axis -1, at the ends). */
function inwardAlong(axis: number, inward: ArrayLike<number>): number {
  return axis >= 0 ? inward[axis] : -Infinity;
}
