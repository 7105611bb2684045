/**
 * Exact nearest-segment search on a polyline with equally long segments.
 *
 * Two layers:
 * - a bounding-volume hierarchy over runs of consecutive segments (a Hilbert curve keeps runs
 *   compact, so the boxes are tight), which answers any query exactly;
 * - a uniform grid over a box around the curve whose cells are filled lazily with every segment
 *   that can be nearest to some point of the cell. Queries inside the box then test only a handful
 *   of segments, which is what makes bulk decoding fast.
 *
 * Ties are broken towards the lowest segment index on every path, so results equal a brute-force
 * scan in index order.
 */

const LEAF_SEGMENTS = 8;
const FANOUT = 4;
/** The grid covers [GRID_LO, GRID_HI]^D: the unit cube with room for noisy or clipped outputs. */
const GRID_LO = -0.5;
const GRID_HI = 1.5;
const MAX_GRID_CELLS = 1 << 18;

export interface Nearest {
  segment: number;
  t: number;
  dist2: number;
}

/**
 * Squared distance from p to segment s of a polyline (interleaved vertices, segments of squared
 * length 1 / invLen2) and the clamped projection parameter t in [0, 1], into `out`.
 */
export function segmentDistance(vertices: Float64Array, dims: number, invLen2: number, p: ArrayLike<number>, s: number, out: Nearest): void {
  const d = dims;
  const v = vertices;
  const a = s * d;
  let dot = 0;
  for (let k = 0; k < d; k++) dot += (p[k] - v[a + k]) * (v[a + d + k] - v[a + k]);
  let t = dot * invLen2;
  t = t < 0 ? 0 : t > 1 ? 1 : t;
  let dist2 = 0;
  for (let k = 0; k < d; k++) {
    const e = p[k] - v[a + k] - t * (v[a + d + k] - v[a + k]);
    dist2 += e * e;
  }
  out.segment = s;
  out.t = t;
  out.dist2 = dist2;
}

export class PolylineIndex {
  readonly dims: number;
  readonly segmentCount: number;
  private readonly vertices: Float64Array;
  private readonly invLen2: number;
  /** levels[0] boxes cover LEAF_SEGMENTS segments, each level above groups FANOUT boxes. */
  private readonly levels: Float64Array[] = [];
  private readonly levelCounts: number[] = [];
  readonly gridSize: number;
  private readonly cellWidth: number;
  private readonly cells: (Int32Array | undefined)[];

  constructor(vertices: Float64Array, dims: number, segmentLength: number) {
    this.dims = dims;
    this.vertices = vertices;
    this.segmentCount = vertices.length / dims - 1;
    this.invLen2 = 1 / (segmentLength * segmentLength);
    this.buildHierarchy();
    const wanted = Math.ceil((GRID_HI - GRID_LO) / (segmentLength / 2));
    const cap = Math.floor(MAX_GRID_CELLS ** (1 / dims) + 1e-9);
    // At least 4 cells a side where that fits the cap; many dims get 2 a side, or (cap 1) no grid
    // at all, and then every point takes the hierarchy.
    this.gridSize = cap >= 2 ? Math.max(Math.min(4, cap), Math.min(wanted, cap)) : 0;
    this.cellWidth = this.gridSize > 0 ? (GRID_HI - GRID_LO) / this.gridSize : Infinity;
    this.cells = new Array(this.gridSize ** dims);
  }

  /** Squared distance from p to segment s and the clamped projection parameter t in [0, 1]. */
  segmentDistance(p: ArrayLike<number>, s: number, out: Nearest): void {
    segmentDistance(this.vertices, this.dims, this.invLen2, p, s, out);
  }

  /** Exact nearest point for any finite p. */
  nearest(p: ArrayLike<number>): Nearest {
    const cell = this.cellOf(p);
    const best: Nearest = { segment: -1, t: 0, dist2: Infinity };
    if (cell >= 0) {
      this.scanCandidates(p, this.candidates(cell), best);
    } else {
      this.searchHierarchy(p, best);
    }
    return best;
  }

  /** Segments that can be nearest to some point of the grid cell, ascending. */
  candidates(cell: number): Int32Array {
    let list = this.cells[cell];
    if (list === undefined) {
      list = this.buildCell(cell);
      this.cells[cell] = list;
    }
    return list;
  }

  /** Grid cell holding p, or -1 outside the grid box. */
  cellOf(p: ArrayLike<number>): number {
    let cell = 0;
    for (let k = this.dims - 1; k >= 0; k--) {
      const c = Math.floor((p[k] - GRID_LO) / this.cellWidth);
      if (!(c >= 0 && c < this.gridSize)) return -1;
      cell = cell * this.gridSize + c;
    }
    return cell;
  }

  /** Grid geometry, for decoders that inline the cell lookup. */
  gridOrigin(): number {
    return GRID_LO;
  }

  gridCellWidth(): number {
    return this.cellWidth;
  }

  scanCandidates(p: ArrayLike<number>, list: Int32Array, best: Nearest): void {
    const probe: Nearest = { segment: -1, t: 0, dist2: 0 };
    for (let i = 0; i < list.length; i++) {
      this.segmentDistance(p, list[i], probe);
      if (probe.dist2 < best.dist2) {
        best.segment = probe.segment;
        best.t = probe.t;
        best.dist2 = probe.dist2;
      }
    }
  }

  private buildHierarchy(): void {
    const d = this.dims;
    let count = Math.ceil(this.segmentCount / LEAF_SEGMENTS);
    let boxes = new Float64Array(count * 2 * d);
    for (let b = 0; b < count; b++) {
      const first = b * LEAF_SEGMENTS;
      const last = Math.min(this.segmentCount, first + LEAF_SEGMENTS); // last vertex index
      for (let k = 0; k < d; k++) {
        let lo = Infinity;
        let hi = -Infinity;
        for (let v = first; v <= last; v++) {
          const x = this.vertices[v * d + k];
          if (x < lo) lo = x;
          if (x > hi) hi = x;
        }
        boxes[b * 2 * d + k] = lo;
        boxes[b * 2 * d + d + k] = hi;
      }
    }
    this.levels.push(boxes);
    this.levelCounts.push(count);
    while (count > 1) {
      const parentCount = Math.ceil(count / FANOUT);
      const parents = new Float64Array(parentCount * 2 * d);
      for (let b = 0; b < parentCount; b++) {
        for (let k = 0; k < d; k++) {
          let lo = Infinity;
          let hi = -Infinity;
          for (let c = b * FANOUT; c < Math.min(count, (b + 1) * FANOUT); c++) {
            lo = Math.min(lo, boxes[c * 2 * d + k]);
            hi = Math.max(hi, boxes[c * 2 * d + d + k]);
          }
          parents[b * 2 * d + k] = lo;
          parents[b * 2 * d + d + k] = hi;
        }
      }
      boxes = parents;
      count = parentCount;
      this.levels.push(boxes);
      this.levelCounts.push(count);
    }
  }

  /** Squared distance from p to box b of a level (0 inside). */
  private boxDistance(level: number, b: number, p: ArrayLike<number>): number {
    const d = this.dims;
    const boxes = this.levels[level];
    let sum = 0;
    for (let k = 0; k < d; k++) {
      const lo = boxes[b * 2 * d + k];
      const hi = boxes[b * 2 * d + d + k];
      const e = p[k] < lo ? lo - p[k] : p[k] > hi ? p[k] - hi : 0;
      sum += e * e;
    }
    return sum;
  }

  /** Squared distance between box b of a level and an axis-aligned box [lo, hi]. */
  private boxBoxDistance(level: number, b: number, lo: Float64Array, hi: Float64Array): number {
    const d = this.dims;
    const boxes = this.levels[level];
    let sum = 0;
    for (let k = 0; k < d; k++) {
      const blo = boxes[b * 2 * d + k];
      const bhi = boxes[b * 2 * d + d + k];
      const e = hi[k] < blo ? blo - hi[k] : lo[k] > bhi ? lo[k] - bhi : 0;
      sum += e * e;
    }
    return sum;
  }

  private searchHierarchy(p: ArrayLike<number>, best: Nearest): void {
    const probe: Nearest = { segment: -1, t: 0, dist2: 0 };
    const visit = (level: number, b: number): void => {
      if (this.boxDistance(level, b, p) > best.dist2) return;
      if (level === 0) {
        const last = Math.min(this.segmentCount, (b + 1) * LEAF_SEGMENTS);
        for (let s = b * LEAF_SEGMENTS; s < last; s++) {
          this.segmentDistance(p, s, probe);
          if (probe.dist2 < best.dist2 || (probe.dist2 === best.dist2 && s < best.segment)) {
            best.segment = s;
            best.t = probe.t;
            best.dist2 = probe.dist2;
          }
        }
        return;
      }
      const first = b * FANOUT;
      const end = Math.min(this.levelCounts[level - 1], first + FANOUT);
      // Nearer children first, so the bound tightens early and prunes the rest.
      const order: [number, number][] = [];
      for (let c = first; c < end; c++) order.push([this.boxDistance(level - 1, c, p), c]);
      order.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
      for (const [, c] of order) visit(level - 1, c);
    };
    const top = this.levels.length - 1;
    for (let b = 0; b < this.levelCounts[top]; b++) visit(top, b);
  }

  private buildCell(cell: number): Int32Array {
    const d = this.dims;
    const lo = new Float64Array(d);
    const hi = new Float64Array(d);
    const centre = new Float64Array(d);
    let rest = cell;
    let halfDiag2 = 0;
    for (let k = 0; k < d; k++) {
      const c = rest % this.gridSize;
      rest = Math.floor(rest / this.gridSize);
      lo[k] = GRID_LO + c * this.cellWidth;
      hi[k] = lo[k] + this.cellWidth;
      centre[k] = lo[k] + this.cellWidth / 2;
      halfDiag2 += (this.cellWidth / 2) ** 2;
    }
    const best: Nearest = { segment: -1, t: 0, dist2: Infinity };
    this.searchHierarchy(centre, best);
    // Every point of the cell is within this distance of the curve, so a segment farther than
    // it from the whole cell can never win there. A small slack absorbs rounding.
    const bound = Math.sqrt(best.dist2) + Math.sqrt(halfDiag2);
    const bound2 = bound * bound * (1 + 1e-9) + 1e-18;
    const found: number[] = [];
    const collect = (level: number, b: number): void => {
      if (this.boxBoxDistance(level, b, lo, hi) > bound2) return;
      if (level === 0) {
        const last = Math.min(this.segmentCount, (b + 1) * LEAF_SEGMENTS);
        for (let s = b * LEAF_SEGMENTS; s < last; s++) {
          if (this.segmentBoxDistance(s, lo, hi) <= bound2) found.push(s);
        }
        return;
      }
      const end = Math.min(this.levelCounts[level - 1], (b + 1) * FANOUT);
      for (let c = b * FANOUT; c < end; c++) collect(level - 1, c);
    };
    const top = this.levels.length - 1;
    for (let b = 0; b < this.levelCounts[top]; b++) collect(top, b);
    return Int32Array.from(found);
  }

  /** Lower bound on the distance between segment s and a box: its bounding box's distance. */
  private segmentBoxDistance(s: number, lo: Float64Array, hi: Float64Array): number {
    const d = this.dims;
    const v = this.vertices;
    let sum = 0;
    for (let k = 0; k < d; k++) {
      const a = v[s * d + k];
      const b = v[s * d + d + k];
      const slo = a < b ? a : b;
      const shi = a < b ? b : a;
      const e = hi[k] < slo ? slo - hi[k] : lo[k] > shi ? lo[k] - shi : 0;
      sum += e * e;
    }
    return sum;
  }
}
