import { segmentDistance, type Nearest } from './polyline-index.js';

/**
 * Exact nearest point on a Hilbert curve in dims >= 3, by the curve's own recursion rather than a
 * generic index (which, in 10 dims, tested about 2^20 segments per query).
 *
 * - Vertices [j * 2^(dims*l), (j+1) * 2^(dims*l)) fill one sub-cube of 2^l cells a side, so a
 *   block's bounding box follows from its first vertex. The search descends the blocks nearest
 *   first and skips those whose box is farther than the best point so far. Consecutive child
 *   blocks are joined by one segment, tested directly.
 * - A block of one level (2^dims vertices in a 2-cell cube) is a binary-reflected Gray code walk
 *   with its axes permuted and some reflected. Its segments along the axis flipped by bit l of the
 *   Gray code are exactly the cube's edges on that axis whose lower Gray bits read 0..01 and whose
 *   higher bits are free, so the nearest of them has a closed form: free bits round to p's side,
 *   the others are fixed. A leaf costs O(dims) per level, whatever its 2^dims segments.
 *
 * The construction checks that every leaf has that structure. Ties between equally near
 * segments (within a relative 1e-12) go to the lowest index.
 */
/** Relative tolerance under which two squared distances tie (see offer). */
export const TIE = 1e-12;

export class HilbertSearch {
  private readonly fanout: number;
  /** Per leaf: the axis flipped by Gray bit l (dims entries) and the corner bits of its first vertex. */
  private readonly axisOfBit: Uint8Array;
  private readonly firstCorner: Uint32Array;
  /** Per leaf: the low cell's coordinate on each axis. */
  private readonly leafLow: Float64Array;
  /** Per level l >= 2 below the top, per block: its box's low corner on each axis (blockLow[l]). */
  private readonly blockLow: Float64Array[] = [];
  private readonly invLen2: number;
  /** Scratch per level of the descent: the children's squared box distances. */
  private readonly childDist: Float64Array[] = [];
  /** Scratch for a leaf: per axis, squared distance to its low and high side, and p's offset. */
  private readonly lowD2: Float64Array;
  private readonly highD2: Float64Array;
  private readonly offset: Float64Array;
  private readonly freeFrom: Float64Array;
  private readonly scratch: Nearest = { segment: -1, t: 0, dist2: Infinity };
  /** Boxes, segments and leaf axes evaluated so far: the search's work, which tests and benches read. */
  evaluations = 0;

  constructor(
    private readonly verts: Float64Array,
    readonly dims: number,
    readonly order: number,
    private readonly margin: number,
    private readonly spacing: number,
  ) {
    const d = dims;
    this.fanout = 2 ** d;
    const leaves = 2 ** (d * (order - 1));
    this.axisOfBit = new Uint8Array(leaves * d);
    this.firstCorner = new Uint32Array(leaves);
    this.leafLow = new Float64Array(leaves * d);
    this.invLen2 = 1 / (spacing * spacing);
    for (let level = 0; level < order; level++) this.childDist.push(new Float64Array(this.fanout));
    this.lowD2 = new Float64Array(d);
    this.highD2 = new Float64Array(d);
    this.offset = new Float64Array(d);
    this.freeFrom = new Float64Array(d + 1);
    for (let leaf = 0; leaf < leaves; leaf++) this.describeLeaf(leaf);
    this.blockLow[1] = this.leafLow;
    for (let level = 2; level < order; level++) {
      const blocks = 2 ** (d * (order - level));
      const low = new Float64Array(blocks * d);
      const side = 2 ** level;
      for (let block = 0; block < blocks; block++) {
        const v0 = block * 2 ** (d * level);
        for (let c = 0; c < d; c++) low[block * d + c] = margin + Math.floor(this.cellOf(v0, c) / side) * side * spacing;
      }
      this.blockLow[level] = low;
    }
  }

  /** Exact nearest point for a finite p. */
  nearest(p: ArrayLike<number>): Nearest {
    const best: Nearest = { segment: -1, t: 0, dist2: Infinity };
    if (this.order === 1) this.searchLeaf(p, 0, best);
    else this.searchBlock(p, this.order, 0, best);
    return best;
  }

  private cellOf(vertex: number, axis: number): number {
    return Math.round((this.verts[vertex * this.dims + axis] - this.margin) / this.spacing);
  }

  /** Reads a leaf's permutation and reflection off its vertices, and checks every vertex against them. */
  private describeLeaf(leaf: number): void {
    const d = this.dims;
    const first = leaf * this.fanout;
    const cornerOf = (k: number): number => {
      let bits = 0;
      for (let c = 0; c < d; c++) bits |= (this.cellOf(first + k, c) & 1) << c;
      return bits;
    };
    const start = cornerOf(0);
    this.firstCorner[leaf] = start;
    for (let c = 0; c < d; c++) this.leafLow[leaf * d + c] = this.margin + (this.cellOf(first, c) & ~1) * this.spacing;
    for (let bit = 0; bit < d; bit++) {
      const flipped = cornerOf(2 ** bit - 1) ^ cornerOf(2 ** bit);
      this.axisOfBit[leaf * d + bit] = Math.log2(flipped);
    }
    for (let k = 0; k < this.fanout; k++) {
      const gray = k ^ (k >>> 1);
      let expected = start;
      for (let bit = 0; bit < d; bit++) if ((gray >>> bit) & 1) expected ^= 1 << this.axisOfBit[leaf * d + bit];
      if (cornerOf(k) !== expected) throw new Error(`Hilbert leaf ${leaf} is not a permuted Gray code walk at vertex ${k}`);
    }
  }

  /** Level >= 2: the joining segments, then the children nearest first while they can still win. */
  private searchBlock(p: ArrayLike<number>, level: number, block: number, best: Nearest): void {
    const d = this.dims;
    const F = this.fanout;
    const childVerts = 2 ** (d * (level - 1));
    const firstChild = block * F;
    const dist = this.childDist[level - 1];
    const extent = (2 ** (level - 1) - 1) * this.spacing;
    const low = this.blockLow[level - 1];
    for (let child = 0; child < F; child++) {
      const at = (firstChild + child) * d;
      let dist2 = 0;
      for (let c = 0; c < d; c++) {
        const lo = low[at + c];
        const hi = lo + extent;
        const x = p[c];
        const e = x < lo ? lo - x : x > hi ? x - hi : 0;
        dist2 += e * e;
      }
      dist[child] = dist2;
    }
    this.evaluations += 2 * F - 1;
    for (let child = 0; child + 1 < F; child++) {
      segmentDistance(this.verts, d, this.invLen2, p, (firstChild + child + 1) * childVerts - 1, this.scratch);
      this.offer(this.scratch, best);
    }
    for (;;) {
      let pick = -1;
      const reach = best.dist2 + TIE * (1 + best.dist2);
      for (let child = 0; child < F; child++) if (dist[child] <= reach && (pick < 0 || dist[child] < dist[pick])) pick = child;
      if (pick < 0) return;
      // NaN, not Infinity, marks a searched child: with an overflowing p (|x| > 1e154) reach is Infinity too.
      dist[pick] = NaN;
      if (level === 2) this.searchLeaf(p, firstChild + pick, best);
      else this.searchBlock(p, level - 1, firstChild + pick, best);
    }
  }

  /**
   * A leaf's nearest segment in closed form. For Gray bit l (axis a): the bits below l are fixed
   * (bit l-1 set, the rest clear, then reflected by the first corner), the bits above are free and
   * take p's side, and on axis a p's offset is clamped onto the edge.
   */
  private searchLeaf(p: ArrayLike<number>, leaf: number, best: Nearest): void {
    const d = this.dims;
    const s = this.spacing;
    const axes = leaf * d;
    const start = this.firstCorner[leaf];
    this.evaluations += d;
    for (let c = 0; c < d; c++) {
      const u = p[c] - this.leafLow[leaf * d + c];
      this.offset[c] = u;
      this.lowD2[c] = u * u;
      this.highD2[c] = (u - s) * (u - s);
    }
    // freeFrom[l]: the free bits' cost for Gray bits l..d-1.
    this.freeFrom[d] = 0;
    for (let bit = d - 1; bit >= 0; bit--) {
      const a = this.axisOfBit[axes + bit];
      this.freeFrom[bit] = this.freeFrom[bit + 1] + Math.min(this.lowD2[a], this.highD2[a]);
    }
    // zeroBelow: the cost of Gray bits 0..l-2 held at 0 (the corner's own side on each axis).
    let zeroBelow = 0;
    for (let bit = 0; bit < d; bit++) {
      const a = this.axisOfBit[axes + bit];
      let dist2 = zeroBelow + this.freeFrom[bit + 1];
      if (bit > 0) {
        const b = this.axisOfBit[axes + bit - 1];
        dist2 += (start >>> b) & 1 ? this.lowD2[b] : this.highD2[b];
      }
      const u = this.offset[a];
      const along = u < 0 ? 0 : u > s ? s : u;
      dist2 += (u - along) * (u - along);
      if (dist2 <= best.dist2 + TIE * (1 + best.dist2)) this.offerLeafEdge(leaf, bit, along / s, dist2, best);
      if (bit > 0) {
        const b = this.axisOfBit[axes + bit - 1];
        zeroBelow += (start >>> b) & 1 ? this.highD2[b] : this.lowD2[b];
      }
    }
  }

  /** The segment index and t of Gray bit `bit`'s nearest edge in a leaf, offered to best. */
  private offerLeafEdge(leaf: number, bit: number, along: number, dist2: number, best: Nearest): void {
    const d = this.dims;
    const axes = leaf * d;
    const start = this.firstCorner[leaf];
    // The Gray code of the edge's first vertex: fixed bits below, p's side above, and bit `bit`
    // chosen so that the vertex index has that bit clear (the edge runs from index ...0 to ...1 there).
    // From the top bit down, `parity` is the vertex index's bit there (the XOR of the Gray bits
    // above and at it); where p sits exactly between the two sides, the side that clears that
    // index bit gives the lower segment.
    let gray = bit > 0 ? 1 << (bit - 1) : 0;
    let parity = 0;
    for (let g = d - 1; g > bit; g--) {
      const a = this.axisOfBit[axes + g];
      const value =
        Math.abs(this.highD2[a] - this.lowD2[a]) <= TIE * (1 + this.lowD2[a] + this.highD2[a]) ? parity : (this.highD2[a] < this.lowD2[a] ? 1 : 0) ^ ((start >>> a) & 1);
      gray |= value << g;
      parity ^= value;
    }
    gray |= parity << bit;
    let k = gray;
    for (let shift = 1; shift < d; shift <<= 1) k ^= k >>> shift;
    const fromHigh = (parity ^ ((start >>> this.axisOfBit[axes + bit]) & 1)) === 1;
    this.scratch.segment = leaf * this.fanout + k;
    this.scratch.t = fromHigh ? 1 - along : along;
    this.scratch.dist2 = dist2;
    this.offer(this.scratch, best);
  }

  /**
   * Distances within TIE of each other count as a tie, which the lower segment wins: the leaf's
   * closed form sums in another order than a segment-by-segment scan, and a last-bit difference
   * should not pick a far fold.
   */
  private offer(candidate: Nearest, best: Nearest): void {
    const margin = TIE * (1 + best.dist2);
    if (best.segment < 0 || candidate.dist2 < best.dist2 - margin || (candidate.dist2 <= best.dist2 + margin && candidate.segment < best.segment)) {
      best.segment = candidate.segment;
      best.t = candidate.t;
      best.dist2 = candidate.dist2;
    }
  }

}
