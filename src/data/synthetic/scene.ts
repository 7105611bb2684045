import type { Rng } from '../../util/rng.js';
import type { ResolvedSyntheticOptions } from '../options.js';
import { Ellipse, FullPlane, Polygon, type Shape } from './shapes.js';
import { makeTexture, type Texture } from './textures.js';

/**
 * A planar surface seen by the left camera: its outline (left-view coordinates), its texture and
 * its disparity plane d(x, y) = a x + b y + c, also in left-view coordinates.
 */
export interface Surface {
  shape: Shape;
  a: number;
  b: number;
  c: number;
  texture: Texture;
}

export interface Scene {
  width: number;
  height: number;
  maxDisp: number;
  /** surfaces[0] is the background; in room scenes the walls follow it, then the objects. */
  surfaces: Surface[];
}

/** The right view never looks at x_left outside [0, xMax]: x_left = x_right + d with d in [0, maxDisp]. */
function leftDomainMaxX(width: number, maxDisp: number): number {
  return width - 1 + Math.ceil(maxDisp);
}

/** |a| < 1 keeps x_right = (1 - a) x_left - b y - c increasing, so a plane never folds over itself. */
const MAX_X_SLOPE = 0.2;
/** Vertical slant has no such limit; this keeps objects from spanning the whole range in a few rows. */
const MAX_Y_SLOPE = 0.4;
/** Objects stand at least this far in front of the background, so that they never cut through it. */
const MIN_GAP_TO_BACKGROUND = 0.3;

function makeBackground(opts: ResolvedSyntheticOptions, rng: Rng, scale: number): Surface {
  const { width, height, maxDisp } = opts;
  const xMax = leftDomainMaxX(width, maxDisp);
  // Mostly low to middle disparities, sometimes a plane at infinity.
  const dMin = rng.next() < 0.15 ? rng.uniform(0, 0.03) * maxDisp : rng.uniform(0, 0.4) * maxDisp;
  const variation = rng.next() < 0.3 ? 0 : rng.uniform(0, 0.35) * maxDisp;
  // A ground-like plane (disparity growing towards the bottom) is common in real scenes.
  const direction = rng.next() < 0.4 ? Math.PI / 2 + rng.uniform(-0.4, 0.4) : rng.next() * 2 * Math.PI;
  let a = (variation * Math.cos(direction)) / xMax;
  a = Math.max(-MAX_X_SLOPE, Math.min(MAX_X_SLOPE, a));
  const b = (variation * Math.sin(direction)) / height;
  const corners = [0, a * xMax, b * (height - 1), a * xMax + b * (height - 1)];
  const c = dMin - Math.min(...corners);
  const texture = makeTexture(rng, 0, 0, xMax + 2, height, scale, opts.scenes !== 'mixed');
  return { shape: new FullPlane(), a, b, c, texture };
}

/** A room's creases: how many, and the steepest a wall may rise from its crease (px per px). */
const ROOM_CREASES = [1, 3] as const;
const MAX_WALL_RISE = 0.25;
/** A wall that rises less than this over the frame is not worth a texture: it is dropped. */
const MIN_WALL_RISE = 0.02;

/**
 * Room scenes: the background plane plus walls that meet it (and each other) at creases, as a floor
 * meets the walls seen from inside a room. Each wall is the background tilted about a line through
 * the frame; the visible surface is the nearest, so disparity is the maximum of the planes: a
 * continuous surface with no occlusion between its planes, each plane with its own texture.
 */
function makeRoom(opts: ResolvedSyntheticOptions, rng: Rng, scale: number): Surface[] {
  const { width, height, maxDisp } = opts;
  const xMax = leftDomainMaxX(width, maxDisp);
  const base = makeBackground(opts, rng, scale);
  const planes: Surface[] = [base];
  const cornersX = [0, xMax, 0, xMax];
  const cornersY = [0, 0, height - 1, height - 1];
  const count = rng.int(ROOM_CREASES[0], ROOM_CREASES[1]);
  for (let i = 0; i < count; i++) {
    const angle = rng.next() * 2 * Math.PI;
    const nx = Math.cos(angle);
    const ny = Math.sin(angle);
    const x0 = rng.uniform(0.15, 0.85) * width;
    const y0 = rng.uniform(0.15, 0.85) * height;
    let rise = rng.uniform(0.1, 1) * MAX_WALL_RISE;
    // Stay within the slopes that keep the right view unfolded, and within the range.
    if (nx !== 0) rise = Math.min(rise, (MAX_X_SLOPE - Math.sign(nx) * base.a) / Math.abs(nx));
    if (ny !== 0) rise = Math.min(rise, (MAX_Y_SLOPE - Math.sign(ny) * base.b) / Math.abs(ny));
    for (let k = 0; k < 4; k++) {
      const beyond = nx * (cornersX[k] - x0) + ny * (cornersY[k] - y0);
      if (beyond > 0) rise = Math.min(rise, (maxDisp - (base.a * cornersX[k] + base.b * cornersY[k] + base.c)) / beyond);
    }
    if (!(rise >= MIN_WALL_RISE)) continue;
    const texture = makeTexture(rng, 0, 0, xMax + 2, height, scale, true);
    planes.push({
      shape: new FullPlane(),
      a: base.a + rise * nx,
      b: base.b + rise * ny,
      c: base.c - rise * (nx * x0 + ny * y0),
      texture,
    });
  }
  return planes;
}

/** Precision scenes: large smooth outlines only, an ellipse or a near-regular convex polygon. */
function makeSmoothOutline(rng: Rng, cx: number, cy: number, minSide: number): Shape {
  const r = minSide * Math.exp(rng.uniform(Math.log(0.15), Math.log(0.6)));
  if (rng.next() < 0.5) return new Ellipse(cx, cy, r, r * rng.uniform(0.4, 1), rng.next() * Math.PI);
  const n = rng.int(4, 8);
  const start = rng.next() * 2 * Math.PI;
  const xs = new Float64Array(n);
  const ys = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const angle = start + (2 * Math.PI * (i + rng.uniform(-0.15, 0.15))) / n;
    const radius = r * rng.uniform(0.9, 1);
    xs[i] = cx + radius * Math.cos(angle);
    ys[i] = cy + radius * Math.sin(angle);
  }
  return new Polygon(xs, ys);
}

function makeOutline(rng: Rng, cx: number, cy: number, minSide: number): Shape {
  // Log-uniform size: many small objects, a few large ones.
  const r = Math.max(1.5, minSide * Math.exp(rng.uniform(Math.log(0.04), Math.log(0.6))));
  const kind = rng.next();
  if (kind < 0.32) {
    return new Ellipse(cx, cy, r, r * rng.uniform(0.25, 1), rng.next() * Math.PI);
  }
  if (kind < 0.85) {
    // Star-shaped polygon (often not convex) or a near-regular convex one.
    const n = rng.int(3, 10);
    const star = kind < 0.65;
    const xs = new Float64Array(n);
    const ys = new Float64Array(n);
    const angles = new Float64Array(n);
    const start = rng.next() * 2 * Math.PI;
    for (let i = 0; i < n; i++) angles[i] = star ? rng.next() * 2 * Math.PI : start + (2 * Math.PI * (i + rng.uniform(-0.2, 0.2))) / n;
    angles.sort();
    for (let i = 0; i < n; i++) {
      const radius = r * (star ? rng.uniform(0.35, 1) : rng.uniform(0.85, 1));
      xs[i] = cx + radius * Math.cos(angles[i]);
      ys[i] = cy + radius * Math.sin(angles[i]);
    }
    return new Polygon(xs, ys);
  }
  // Thin bar: poles, wires and table legs are where stereo networks fail most.
  const length = minSide * rng.uniform(0.15, 0.8);
  const thickness = rng.uniform(1.2, 4);
  const angle = rng.next() * Math.PI;
  const ux = Math.cos(angle) / 2;
  const uy = Math.sin(angle) / 2;
  const xs = new Float64Array([
    cx - ux * length - uy * thickness,
    cx + ux * length - uy * thickness,
    cx + ux * length + uy * thickness,
    cx - ux * length + uy * thickness,
  ]);
  const ys = new Float64Array([
    cy - uy * length + ux * thickness,
    cy + uy * length + ux * thickness,
    cy + uy * length - ux * thickness,
    cy - uy * length - ux * thickness,
  ]);
  return new Polygon(xs, ys);
}

/**
 * Choose a disparity plane for an object so that it stays in [0, maxDisp] and in front of every
 * background plane over its whole bounding box (a linear function is extreme at the corners).
 * Returns null if no such plane exists.
 */
function placeObjectPlane(shape: Shape, background: readonly Surface[], maxDisp: number, slanted: boolean, rng: Rng): { a: number; b: number; c: number } | null {
  const xs = [shape.xmin, shape.xmax, shape.xmin, shape.xmax];
  const ys = [shape.ymin, shape.ymin, shape.ymax, shape.ymax];
  const cx = (shape.xmin + shape.xmax) / 2;
  const cy = (shape.ymin + shape.ymax) / 2;
  const tries: [number, number][] = [];
  if (slanted) {
    const sx = Math.min(MAX_X_SLOPE, (0.4 * maxDisp) / Math.max(1, shape.xmax - shape.xmin));
    const sy = Math.min(MAX_Y_SLOPE, (0.4 * maxDisp) / Math.max(1, shape.ymax - shape.ymin));
    tries.push([rng.uniform(-sx, sx), rng.uniform(-sy, sy)]);
  }
  tries.push([0, 0]);
  for (const [a, b] of tries) {
    let lo = 0;
    let hi = maxDisp;
    for (let k = 0; k < 4; k++) {
      const offset = a * (xs[k] - cx) + b * (ys[k] - cy);
      const bg = Math.max(...background.map((p) => p.a * xs[k] + p.b * ys[k] + p.c));
      lo = Math.max(lo, -offset, bg + MIN_GAP_TO_BACKGROUND - offset);
      hi = Math.min(hi, maxDisp - offset);
    }
    if (lo <= hi) {
      // Skewed towards the near end: backgrounds already fill the low range.
      const centre = lo + (hi - lo) * Math.pow(rng.next(), 0.6);
      return { a, b, c: centre - a * cx - b * cy };
    }
  }
  return null;
}

/** A random scene: background plane(s) plus objects. Objects that would be invisible are dropped. */
export function makeScene(opts: ResolvedSyntheticOptions, rng: Rng): Scene {
  const { width, height, maxDisp } = opts;
  // Precision and room scenes share the clean look: smooth outlines, strong textures, every object slanted.
  const clean = opts.scenes !== 'mixed';
  const minSide = Math.min(width, height);
  const scale = Math.min(8, Math.max(1, minSide / 96));
  const xMax = leftDomainMaxX(width, maxDisp);
  const background = opts.scenes === 'room' ? makeRoom(opts, rng, scale) : [makeBackground(opts, rng, scale)];
  const surfaces: Surface[] = [...background];
  const count = rng.int(opts.minObjects, opts.maxObjects);
  for (let i = 0; i < count; i++) {
    const cx = rng.uniform(-0.1 * width, 1.1 * width + 0.5 * maxDisp);
    const cy = rng.uniform(-0.1 * height, 1.1 * height);
    const shape = clean ? makeSmoothOutline(rng, cx, cy, minSide) : makeOutline(rng, cx, cy, minSide);
    const plane = placeObjectPlane(shape, background, maxDisp, clean || rng.next() < 0.5, rng);
    const tx0 = Math.max(0, Math.floor(shape.xmin));
    const tx1 = Math.min(xMax, Math.ceil(shape.xmax));
    const ty0 = Math.max(0, Math.floor(shape.ymin));
    const ty1 = Math.min(height - 1, Math.ceil(shape.ymax));
    if (!plane || tx1 < tx0 || ty1 < ty0) continue;
    // One spare column so that linear interpolation at the right edge stays inside.
    const texture = makeTexture(rng, tx0, ty0, tx1 - tx0 + 2, ty1 - ty0 + 1, scale, clean);
    surfaces.push({ shape, ...plane, texture });
  }
  return { width, height, maxDisp, surfaces };
}
