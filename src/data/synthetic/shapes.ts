/**
 * Shapes in left-view coordinates. Rendering only ever asks for the x-intervals a shape covers on
 * one image row, which is exact, cheap, and maps analytically into the right view.
 */
export interface Shape {
  readonly xmin: number;
  readonly xmax: number;
  readonly ymin: number;
  readonly ymax: number;
  /** Write the covered intervals of row y as x0,x1,x0,x1,... into `out`; return how many values. */
  spans(y: number, out: Float64Array): number;
}

/** The unbounded plane, for the background. */
export class FullPlane implements Shape {
  readonly xmin = -Infinity;
  readonly xmax = Infinity;
  readonly ymin = -Infinity;
  readonly ymax = Infinity;
  spans(_y: number, out: Float64Array): number {
    out[0] = -Infinity;
    out[1] = Infinity;
    return 2;
  }
}

/** A rotated ellipse. */
export class Ellipse implements Shape {
  readonly xmin: number;
  readonly xmax: number;
  readonly ymin: number;
  readonly ymax: number;
  private readonly a: number;
  private readonly b: number;
  private readonly c: number;

  constructor(
    private readonly cx: number,
    private readonly cy: number,
    rx: number,
    ry: number,
    angle: number,
  ) {
    const cos = Math.cos(angle);
    const sin = Math.sin(angle);
    // Implicit form a u^2 + b u v + c v^2 <= 1 with (u, v) relative to the centre.
    this.a = (cos * cos) / (rx * rx) + (sin * sin) / (ry * ry);
    this.b = 2 * sin * cos * (1 / (rx * rx) - 1 / (ry * ry));
    this.c = (sin * sin) / (rx * rx) + (cos * cos) / (ry * ry);
    const hx = Math.sqrt(rx * rx * cos * cos + ry * ry * sin * sin);
    const hy = Math.sqrt(rx * rx * sin * sin + ry * ry * cos * cos);
    this.xmin = cx - hx;
    this.xmax = cx + hx;
    this.ymin = cy - hy;
    this.ymax = cy + hy;
  }

  spans(y: number, out: Float64Array): number {
    const v = y - this.cy;
    const bv = this.b * v;
    const disc = bv * bv - 4 * this.a * (this.c * v * v - 1);
    if (disc < 0) return 0;
    const root = Math.sqrt(disc);
    out[0] = this.cx + (-bv - root) / (2 * this.a);
    out[1] = this.cx + (-bv + root) / (2 * this.a);
    return 2;
  }
}

/** A simple polygon (convex or not), filled with the even-odd rule. */
export class Polygon implements Shape {
  readonly xmin: number;
  readonly xmax: number;
  readonly ymin: number;
  readonly ymax: number;

  constructor(private readonly xs: Float64Array, private readonly ys: Float64Array) {
    let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
    for (let i = 0; i < xs.length; i++) {
      x0 = Math.min(x0, xs[i]);
      x1 = Math.max(x1, xs[i]);
      y0 = Math.min(y0, ys[i]);
      y1 = Math.max(y1, ys[i]);
    }
    this.xmin = x0;
    this.xmax = x1;
    this.ymin = y0;
    this.ymax = y1;
  }

  spans(y: number, out: Float64Array): number {
    const { xs, ys } = this;
    const n = xs.length;
    let count = 0;
    for (let i = 0, j = n - 1; i < n; j = i++) {
      const yi = ys[i];
      const yj = ys[j];
      // Half-open test so a vertex exactly on the row is counted once.
      if ((yi <= y && y < yj) || (yj <= y && y < yi)) {
        out[count++] = xs[i] + ((y - yi) * (xs[j] - xs[i])) / (yj - yi);
      }
    }
    // Insertion sort: a handful of crossings per row.
    for (let i = 1; i < count; i++) {
      const v = out[i];
      let k = i - 1;
      while (k >= 0 && out[k] > v) {
        out[k + 1] = out[k];
        k--;
      }
      out[k + 1] = v;
    }
    return count & ~1;
  }

  get vertexCount(): number {
    return this.xs.length;
  }
}
