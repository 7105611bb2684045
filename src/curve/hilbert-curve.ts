import { ConfigError } from '../util/errors.js';
import { hilbertCells } from './hilbert-order.js';
import { cornerBlendOf, CubeWalk, softFoldOf, type DecodeOptions, type SoftFold } from './cube-walk.js';
import { HilbertSearch } from './hilbert-search.js';
import { PolylineIndex, type Nearest } from './polyline-index.js';
import { buildQuantizedDecoder, type QuantizedDecoder, type QuantizedDecoderOptions } from './quantized-decoder.js';
import { CUBE_WALK_BLOCK, WasmCubeWalk } from './wasm-cube-walk.js';

export type { DecodeOptions, QuantizedDecoder, QuantizedDecoderOptions };

export interface HilbertCurveOptions {
  /** Number of output channels the curve lives in (>= 2). */
  dims?: number;
  /** Recursion depth: the curve visits (2^order)^dims cells. */
  order?: number;
  /** Vertices are stretched into [margin, 1 - margin]^dims, away from the quantizer's clipping edge. */
  margin?: number;
}

export const MAX_VERTEX_COUNT = 2 ** 20;

/** Above this many vertices (dims >= 3) the grid's cells list so many segments that HilbertSearch is faster. */
const GRID_VERTICES = 512;

/**
 * The polyline through the cell centres of a (2^order)^dims grid in Hilbert order, scaled into
 * [margin, 1 - margin]^dims and parametrised by arc length: q in [0, 1] maps linearly onto the
 * vertex index. Points are planar arrays: component c of sample i sits at c * n + i.
 */
export class HilbertCurve {
  readonly dims: number;
  readonly order: number;
  readonly margin: number;
  readonly vertexCount: number;
  readonly spacing: number;
  readonly length: number;
  private readonly verts: Float64Array;
  private indexCache: PolylineIndex | undefined;
  private cubeWalkCache: CubeWalk | undefined;
  private searchCache: HilbertSearch | undefined;
  /** The cube walk's SIMD decoders of float32 points, one per corner blend (null: cannot run here). */
  private readonly wasmWalks = new Map<string, WasmCubeWalk | null>();

  constructor(options: HilbertCurveOptions = {}) {
    const { dims = 2, order = 3, margin = 0.1 } = options;
    // A string ('0.1') compared and computed its way into an all-NaN curve before.
    for (const [name, value] of [['dims', dims], ['order', order], ['margin', margin]] as const) {
      if (typeof value !== 'number') throw new ConfigError(name, String(value), `must be a number, not a ${typeof value}`);
    }
    if (!Number.isInteger(dims) || dims < 2) {
      throw new ConfigError('dims', dims, 'must be an integer >= 2 (one channel is the direct head)');
    }
    if (!Number.isInteger(order) || order < 1) {
      throw new ConfigError('order', order, 'must be an integer >= 1');
    }
    if (!(margin >= 0 && margin < 0.5)) {
      throw new ConfigError('margin', margin, 'must lie in [0, 0.5) so the curve keeps a positive extent');
    }
    if (dims * order > 20) {
      throw new ConfigError(
        'order',
        order,
        `dims=${dims}, order=${order} gives 2^${dims * order} vertices; the table limit is 2^20`,
      );
    }
    this.dims = dims;
    this.order = order;
    this.margin = margin;
    this.vertexCount = 2 ** (dims * order);
    this.spacing = (1 - 2 * margin) / (2 ** order - 1);
    this.length = (this.vertexCount - 1) * this.spacing;
    const cells = hilbertCells(dims, order);
    this.verts = new Float64Array(cells.length);
    for (let i = 0; i < cells.length; i++) this.verts[i] = margin + cells[i] * this.spacing;
  }

  /** Vertex coordinates, interleaved (vertex v, component c at v * dims + c), in curve order. */
  vertices(): Float64Array {
    return this.verts.slice();
  }

  /** q in [0, 1] (clamped; NaN stays NaN) to planar curve points. */
  encode(q: Float32Array): Float32Array {
    const n = q.length;
    const d = this.dims;
    const segments = this.vertexCount - 1;
    const out = new Float32Array(n * d);
    const v = this.verts;
    for (let i = 0; i < n; i++) {
      const qi = q[i];
      if (qi !== qi) {
        for (let c = 0; c < d; c++) out[c * n + i] = NaN;
        continue;
      }
      const t = (qi < 0 ? 0 : qi > 1 ? 1 : qi) * segments;
      const s = t >= segments ? segments - 1 : Math.floor(t);
      const f = t - s;
      for (let c = 0; c < d; c++) {
        const a = v[s * d + c];
        out[c * n + i] = a + f * (v[(s + 1) * d + c] - a);
      }
    }
    return out;
  }

  /**
   * Planar points to q of the nearest point on the polyline (exact, ties to the lower segment),
   * unless `options.cornerBlend` smooths the cube walk's corners (order 1, dims >= 3; ignored
   * otherwise). A sample with any non-finite component decodes to NaN.
   */
  decode(points: Float32Array | Float64Array, options: DecodeOptions = {}): Float32Array {
    const blend = cornerBlendOf(options);
    const soft = softFoldOf(options);
    const d = this.dims;
    if (points.length % d !== 0) {
      throw new ConfigError('points.length', points.length, `must be a multiple of dims = ${d}`);
    }
    const n = points.length / d;
    const out = new Float32Array(n);
    if (d === 2) {
      this.decode2d(points, n, out);
      return out;
    }
    if (this.order === 1) {
      this.decodeCubeWalk(points, n, out, blend, soft);
      return out;
    }
    const scale = 1 / (this.vertexCount - 1);
    this.forEachNearest(points, n, (i, best) => {
      out[i] = best ? (best.segment + best.t) * scale : NaN;
    });
    return out;
  }

  /**
   * Planar points to their Euclidean distance from the curve (NaN for a non-finite sample): how
   * far a prediction sits from committing to one point of the curve. Half the spacing is the
   * midline between two parallel folds, where a small error flips the decode.
   */
  distance(points: Float32Array | Float64Array): Float32Array {
    const d = this.dims;
    if (points.length % d !== 0) throw new ConfigError('points.length', points.length, `must be a multiple of dims = ${d}`);
    const n = points.length / d;
    const out = new Float32Array(n);
    this.forEachNearest(points, n, (i, best) => {
      out[i] = best ? Math.sqrt(best.dist2) : NaN;
    });
    return out;
  }

  /**
   * The exact nearest point of every planar sample (null for a non-finite sample): through the
   * index's grid in 2 dims and for small curves (up to GRID_VERTICES, where its cells list few
   * segments; npm run bench:codec), else through the curve's own recursion (see HilbertSearch).
   */
  private forEachNearest(points: Float32Array | Float64Array, n: number, visit: (i: number, best: Nearest | null) => void): void {
    const d = this.dims;
    const p = new Float64Array(d);
    const nearest = d > 2 && (this.order === 1 || this.vertexCount > GRID_VERTICES) ? this.searchNearest() : this.indexNearest();
    for (let i = 0; i < n; i++) {
      let finite = true;
      for (let c = 0; c < d; c++) {
        p[c] = points[c * n + i];
        if (p[c] - p[c] !== 0) finite = false;
      }
      visit(i, finite ? nearest(p) : null);
    }
  }

  private searchNearest(): (p: Float64Array) => Nearest {
    const search = this.search();
    return (p) => search.nearest(p);
  }

  /** The index's grid cell's candidates where p falls in the grid (into one reused result), else its hierarchy. */
  private indexNearest(): (p: Float64Array) => Nearest {
    const index = this.index();
    const best: Nearest = { segment: -1, t: 0, dist2: Infinity };
    return (p) => {
      const cell = index.cellOf(p);
      if (cell < 0) return index.nearest(p);
      best.dist2 = Infinity;
      index.scanCandidates(p, index.candidates(cell), best);
      return best;
    };
  }

  /** Decoder for integer codes as a quantized model emits them; see quantized-decoder.ts. */
  quantizedDecoder(options: QuantizedDecoderOptions): QuantizedDecoder {
    return buildQuantizedDecoder(this, options);
  }

  /** The exact search for dims >= 3, built (and checked) on first use. */
  search(): HilbertSearch {
    this.searchCache ??= new HilbertSearch(this.verts, this.dims, this.order, this.margin, this.spacing);
    return this.searchCache;
  }

  /** The spatial index used by the 2-dim decode, built on first use. */
  index(): PolylineIndex {
    this.indexCache ??= new PolylineIndex(this.verts, this.dims, this.spacing);
    return this.indexCache;
  }

  /**
   * Order 1 in dims >= 3: the curve walks the 2^dims corners of a cube (a Gray code), each
   * segment an edge along one axis. The corner nearest to p (each coordinate thresholded at 1/2)
   * is a vertex k, and of its two segments p projects onto the one whose axis p has moved further
   * along, inwards from the corner (`inward`: distance from the corner's coordinate towards the
   * cube's centre). That projection is exact whenever it lies within spacing / 2 of p: every
   * other edge has a coordinate on the far side of 1/2 from p's, so lies at least that far; and
   * beyond, wherever a sharper lower bound on every other edge's distance (CubeWalk.clearOfOthers)
   * still leaves it the nearest. The rest (0.07 % of the precision vit's 5-dim outputs) take
   * CubeWalk.beyond: a scan of every edge (O(1) per edge) up to SCAN_MAX_DIMS, the exact search
   * beyond, blended as decode blends where the nearest segment is one of the corner's two. Under
   * a soft fold every output from its start on goes there (1.4 % on the room zoo), and for float32
   * points the SIMD module's soft pass decodes most of them first (WasmCubeWalk.decodeSoft).
   */
  private decodeCubeWalk(points: Float32Array | Float64Array, n: number, out: Float32Array, blend: number, soft: SoftFold | null): void {
    const d = this.dims;
    const lo = this.margin;
    const hi = 1 - this.margin;
    const walk = this.cubeWalk();
    const inward = new Float64Array(d);
    const p = new Float64Array(d);
    const decodeOne = (i: number): number => {
      let corner = 0;
      let finite = true;
      for (let c = 0; c < d; c++) {
        const x = points[c * n + i];
        p[c] = x;
        if (x - x !== 0) finite = false;
        if (x > 0.5) {
          corner |= 1 << c;
          inward[c] = hi - x;
        } else {
          inward[c] = x - lo;
        }
      }
      if (!finite) return NaN;
      const q = walk.decode(corner, inward, blend, soft);
      return q === q ? q : walk.beyond(p, corner, inward, blend, () => this.search().nearest(p), soft);
    };
    // A float model's output (float32): the SIMD module on the block-aligned prefix; it lists the
    // samples beyond its exactness bound or not finite, which take the exact path here unless
    // its soft pass decodes them.
    const wasm = points instanceof Float32Array ? this.wasmCubeWalk(blend, soft) : null;
    let from = 0;
    if (wasm) {
      from = n - (n % CUBE_WALK_BLOCK);
      // Under a soft fold the module decodes most listed samples in a second pass (NaN where it
      // leaves one to the exact path, non-finite ones included).
      const listed = wasm.decode(points as Float32Array, n, from, out);
      wasm.settleListed(listed, (c, i) => points[c * n + i], decodeOne, out);
    }
    for (let i = from; i < n; i++) out[i] = decodeOne(i);
  }

  /** The cube walk's SIMD module for float32 points, per corner blend and soft fold; null where it cannot run. */
  private wasmCubeWalk(blend: number, soft: SoftFold | null): WasmCubeWalk | null {
    const key = soft ? `${blend}/${soft.from}/${soft.kappa}` : `${blend}`;
    if (!this.wasmWalks.has(key)) {
      const ones = new Array<number>(this.dims).fill(1);
      const zeros = new Array<number>(this.dims).fill(0);
      const params = { walk: this.cubeWalk(), scales: ones, zeroPoints: zeros, margin: this.margin, spacing: this.spacing, perVertex: 1 / (this.vertexCount - 1), blend, soft };
      this.wasmWalks.set(key, WasmCubeWalk.create(params));
    }
    return this.wasmWalks.get(key) ?? null;
  }

  /** Order 1: the cube walk's tables (see CubeWalk), built on first use. */
  cubeWalk(): CubeWalk {
    if (this.order !== 1) throw new ConfigError('order', this.order, 'the cube walk exists for order 1 only');
    this.cubeWalkCache ??= new CubeWalk(this.verts, this.dims, this.spacing);
    return this.cubeWalkCache;
  }

  /** The hot path: inlined grid lookup and projection for the paper's two-channel head. */
  private decode2d(points: Float32Array | Float64Array, n: number, out: Float32Array): void {
    const index = this.index();
    const v = this.verts;
    const lo = index.gridOrigin();
    const invCell = 1 / index.gridCellWidth();
    const g = index.gridSize;
    const invLen2 = 1 / (this.spacing * this.spacing);
    const scale = 1 / (this.vertexCount - 1);
    const p = new Float64Array(2);
    for (let i = 0; i < n; i++) {
      const x = points[i];
      const y = points[n + i];
      if (x - x !== 0 || y - y !== 0) {
        out[i] = NaN;
        continue;
      }
      const cx = Math.floor((x - lo) * invCell);
      const cy = Math.floor((y - lo) * invCell);
      if (!(cx >= 0 && cx < g && cy >= 0 && cy < g)) {
        p[0] = x;
        p[1] = y;
        const r = index.nearest(p);
        out[i] = (r.segment + r.t) * scale;
        continue;
      }
      const list = index.candidates(cy * g + cx);
      let bestD = Infinity;
      let bestQ = 0;
      for (let j = 0; j < list.length; j++) {
        const s = list[j];
        const ax = v[2 * s];
        const ay = v[2 * s + 1];
        const dx = v[2 * s + 2] - ax;
        const dy = v[2 * s + 3] - ay;
        let t = ((x - ax) * dx + (y - ay) * dy) * invLen2;
        t = t < 0 ? 0 : t > 1 ? 1 : t;
        const ex = x - ax - t * dx;
        const ey = y - ay - t * dy;
        const dist2 = ex * ex + ey * ey;
        if (dist2 < bestD) {
          bestD = dist2;
          bestQ = s + t;
        }
      }
      out[i] = bestQ * scale;
    }
  }
}
