import type { Scene } from './scene.js';
import type { Texture } from './textures.js';

/** Surface id of a pixel that no surface covers (cannot happen with a background). */
export const NO_SURFACE = 255;

/** Geometry and noise-free colour of both views. */
export interface RenderedViews {
  /** RGB float, 0..255 scale, unclamped. */
  leftColour: Float32Array;
  rightColour: Float32Array;
  dispLeft: Float32Array;
  /** Disparity of the surface seen by each right pixel (x_left = x_right + d). */
  dispRight: Float32Array;
  surfaceLeft: Uint8Array;
  surfaceRight: Uint8Array;
  occ: Uint8Array;
}

/** Largest number of row crossings one shape can produce (polygons have at most 10 vertices). */
const MAX_SPAN_VALUES = 64;
/** Disparity margin for "nearer": equal-depth contact of two surfaces is not an occlusion. */
const OCCLUSION_EPS = 1e-4;

/**
 * Render both views with a z-buffer on disparity (nearer = larger d). The left view samples each
 * surface at its own pixel centres; the right pixel x_r sees the point of plane s with
 * x_l = (x_r + b y + c) / (1 - a), so both views come from one geometry, exact to float precision.
 */
export function renderScene(scene: Scene): RenderedViews {
  const { width: w, height: h, surfaces } = scene;
  const n = w * h;
  const dispLeft = new Float32Array(n).fill(-Infinity);
  const dispRight = new Float32Array(n).fill(-Infinity);
  const surfaceLeft = new Uint8Array(n).fill(NO_SURFACE);
  const surfaceRight = new Uint8Array(n).fill(NO_SURFACE);
  const leftX = new Float64Array(n);
  const spans = new Float64Array(MAX_SPAN_VALUES);
  // Continuous right-view intervals per row as (surface, xr0, xr1) triples, for the occlusion test.
  const rightSpans: number[][] = Array.from({ length: h }, () => []);

  for (let s = 0; s < surfaces.length; s++) {
    const { shape, a, b, c } = surfaces[s];
    const slope = 1 - a;
    const yStart = Math.max(0, Math.ceil(shape.ymin));
    const yEnd = Math.min(h - 1, Math.floor(shape.ymax));
    for (let y = yStart; y <= yEnd; y++) {
      const count = shape.spans(y, spans);
      const rowOffset = b * y + c;
      const row = y * w;
      for (let k = 0; k < count; k += 2) {
        const x0 = spans[k];
        const x1 = spans[k + 1];
        const iEnd = Math.min(w - 1, Math.floor(x1));
        for (let i = Math.max(0, Math.ceil(x0)); i <= iEnd; i++) {
          const d = a * i + rowOffset;
          if (d > dispLeft[row + i]) {
            dispLeft[row + i] = d;
            surfaceLeft[row + i] = s;
          }
        }
        const xr0 = slope * x0 - rowOffset;
        const xr1 = slope * x1 - rowOffset;
        if (xr1 < 0 || xr0 > w - 1) continue;
        rightSpans[y].push(s, xr0, xr1);
        const jEnd = Math.min(w - 1, Math.floor(xr1));
        for (let j = Math.max(0, Math.ceil(xr0)); j <= jEnd; j++) {
          const xl = (j + rowOffset) / slope;
          const d = xl - j;
          if (d > dispRight[row + j]) {
            dispRight[row + j] = d;
            surfaceRight[row + j] = s;
            leftX[row + j] = xl;
          }
        }
      }
    }
  }

  const leftColour = new Float32Array(n * 3);
  const rightColour = new Float32Array(n * 3);
  const textures = surfaces.map((surface) => surface.texture);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const p = y * w + x;
      sampleTexture(textures[surfaceLeft[p]], x, y, leftColour, p * 3);
      sampleTexture(textures[surfaceRight[p]], leftX[p], y, rightColour, p * 3);
    }
  }
  const occ = occlusionMask(scene, dispLeft, surfaceLeft, rightSpans);
  return { leftColour, rightColour, dispLeft, dispRight, surfaceLeft, surfaceRight, occ };
}

/** Linear interpolation along the row; rows of texture and image coincide. */
function sampleTexture(texture: Texture, xl: number, y: number, out: Float32Array, o: number): void {
  const width = texture.width;
  const rgb = texture.rgb;
  let u = xl - texture.x0;
  if (u < 0) u = 0;
  if (u > width - 1) u = width - 1;
  let i = Math.floor(u);
  if (i > width - 2) i = width - 2;
  const f = u - i;
  const t = ((y - texture.y0) * width + i) * 3;
  out[o] = rgb[t] + (rgb[t + 3] - rgb[t]) * f;
  out[o + 1] = rgb[t + 1] + (rgb[t + 4] - rgb[t + 1]) * f;
  out[o + 2] = rgb[t + 2] + (rgb[t + 5] - rgb[t + 2]) * f;
}

/**
 * A left pixel has no match when its point lands outside the right image, or when another surface
 * covers that continuous right-view position with a larger disparity.
 */
function occlusionMask(scene: Scene, dispLeft: Float32Array, surfaceLeft: Uint8Array, rightSpans: number[][]): Uint8Array {
  const { width: w, height: h, surfaces } = scene;
  const occ = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    const row = rightSpans[y];
    for (let x = 0; x < w; x++) {
      const p = y * w + x;
      const d = dispLeft[p];
      const xr = x - d;
      if (xr < 0 || xr > w - 1) {
        occ[p] = 1;
        continue;
      }
      const own = surfaceLeft[p];
      for (let k = 0; k < row.length; k += 3) {
        const s = row[k];
        if (s === own || xr < row[k + 1] || xr > row[k + 2]) continue;
        const { a, b, c } = surfaces[s];
        const other = (xr + b * y + c) / (1 - a) - xr;
        if (other > d + OCCLUSION_EPS) {
          occ[p] = 1;
          break;
        }
      }
    }
  }
  return occ;
}
