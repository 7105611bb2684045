import type { Rng } from '../../util/rng.js';
import { addFractalNoise } from './noise.js';

/**
 * A surface texture in the surface's own coordinates: texel (i, j) sits at left-view position
 * (x0 + i, y0 + j). Rows coincide with image rows (rectified views), so a view samples it at an
 * integer row and a possibly fractional column.
 */
export interface Texture {
  x0: number;
  y0: number;
  width: number;
  height: number;
  /** RGB interleaved, values on the 0..255 scale, unclamped. */
  rgb: Float32Array;
}

type PatternKind = 'smooth' | 'stripes' | 'checker' | 'gradient' | 'blobs' | 'flat';
const PATTERN_KINDS: readonly [PatternKind, number][] = [
  ['smooth', 0.22],
  ['stripes', 0.18],
  ['checker', 0.15],
  ['gradient', 0.15],
  ['blobs', 0.18],
  ['flat', 0.12],
];

/** Share of surfaces that get almost no texture, so a network also meets ambiguous regions. */
const WEAK_TEXTURE_PROBABILITY = 0.15;
/** Finest noise cell in px: finer detail would alias and make sub-pixel resampling lossy. */
const MIN_NOISE_CELL = 2.5;
/** Grey levels of additive detail per unit of detail noise. */
const DETAIL_ADDITIVE = 60;

function pickPattern(rng: Rng, strong: boolean): PatternKind {
  // Strong textures draw from the same table without 'flat' (weights renormalised).
  const kinds = strong ? PATTERN_KINDS.filter(([kind]) => kind !== 'flat') : PATTERN_KINDS;
  let u = rng.next();
  if (strong) u *= kinds.reduce((sum, [, weight]) => sum + weight, 0);
  for (const [kind, weight] of kinds) {
    u -= weight;
    if (u < 0) return kind;
  }
  return kinds[kinds.length - 1][0];
}

function randomColour(rng: Rng): [number, number, number] {
  // HSV with a broad value range gives saturated, pastel, dark and bright surfaces.
  const h = rng.next() * 6;
  const s = rng.next() < 0.25 ? rng.uniform(0, 0.2) : rng.uniform(0.2, 1);
  const v = rng.uniform(35, 235);
  const i = Math.floor(h);
  const f = h - i;
  const p = v * (1 - s);
  const q = v * (1 - s * f);
  const t = v * (1 - s * (1 - f));
  switch (i % 6) {
    case 0: return [v, t, p];
    case 1: return [q, v, p];
    case 2: return [p, v, t];
    case 3: return [p, q, v];
    case 4: return [t, p, v];
    default: return [v, p, q];
  }
}

function clamp01(v: number): number {
  return v < 0 ? 0 : v > 1 ? 1 : v;
}

/** Fill `p` (w*h) with a pattern in [0,1]. `scale` stretches feature sizes with the image size. */
function fillPattern(kind: PatternKind, p: Float32Array, w: number, h: number, scale: number, rng: Rng): void {
  const angle = rng.next() * Math.PI;
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  switch (kind) {
    case 'flat':
      p.fill(0);
      return;
    case 'smooth': {
      addFractalNoise(p, w, h, 4, Math.max(8, 32 * scale), 0.6, 1, rng);
      for (let i = 0; i < p.length; i++) p[i] = clamp01(0.5 + 0.7 * p[i]);
      return;
    }
    case 'blobs': {
      const sharp = rng.uniform(2, 6);
      addFractalNoise(p, w, h, 6, Math.max(12, 48 * scale), 0.5, 1, rng);
      for (let i = 0; i < p.length; i++) p[i] = clamp01(0.5 + sharp * p[i]);
      return;
    }
    case 'stripes': {
      const omega = (2 * Math.PI) / (rng.uniform(4, 20) * scale);
      const sharp = rng.uniform(0.5, 2);
      const phase = rng.next() * 2 * Math.PI;
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          p[y * w + x] = clamp01(0.5 + sharp * Math.sin(omega * (x * cos + y * sin) + phase));
        }
      }
      return;
    }
    case 'checker': {
      const omega = (2 * Math.PI) / (rng.uniform(6, 28) * scale);
      const sharp = rng.uniform(1, 3);
      const px = rng.next() * 2 * Math.PI;
      const py = rng.next() * 2 * Math.PI;
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          const u = omega * (x * cos + y * sin) + px;
          const v = omega * (y * cos - x * sin) + py;
          p[y * w + x] = clamp01(0.5 + sharp * Math.sin(u) * Math.sin(v));
        }
      }
      return;
    }
    case 'gradient': {
      const extent = Math.abs(w * cos) + Math.abs(h * sin) + 1;
      const span = extent * rng.uniform(0.5, 2);
      const offset = rng.uniform(-0.5, 0.5) * extent;
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) p[y * w + x] = clamp01((x * cos + y * sin - offset) / span);
      }
      return;
    }
  }
}

/**
 * Build a random texture: a pattern blends two random colours, then multi-scale noise modulates
 * the brightness. The noise gives the matcher detail everywhere, except on the weak surfaces.
 * `strong` (precision scenes): never weak, never flat, and at least moderate detail everywhere.
 */
export function makeTexture(rng: Rng, x0: number, y0: number, width: number, height: number, scale: number, strong = false): Texture {
  const n = width * height;
  const weak = !strong && rng.next() < WEAK_TEXTURE_PROBABILITY;
  const colourA = randomColour(rng);
  let colourB = randomColour(rng);
  if (weak) colourB = [colourA[0] + rng.uniform(-8, 8), colourA[1] + rng.uniform(-8, 8), colourA[2] + rng.uniform(-8, 8)];
  const pattern = new Float32Array(n);
  fillPattern(pickPattern(rng, strong), pattern, width, height, scale, rng);

  const detail = new Float32Array(n);
  const detailAmp = weak ? rng.uniform(0.01, 0.05) : rng.uniform(strong ? 0.25 : 0.1, 0.45);
  const minCell = rng.uniform(MIN_NOISE_CELL, 4);
  const maxCell = Math.max(minCell * 2, rng.uniform(8, 32) * scale);
  addFractalNoise(detail, width, height, minCell, maxCell, rng.uniform(0.7, 1.05), detailAmp, rng);

  const rgb = new Float32Array(n * 3);
  const [ar, ag, ab] = colourA;
  const dr = colourB[0] - ar;
  const dg = colourB[1] - ag;
  const db = colourB[2] - ab;
  for (let i = 0; i < n; i++) {
    const t = pattern[i];
    const d = detail[i];
    const lum = 1 + d;
    // The additive part keeps detail visible on dark surfaces, where a gain alone would not.
    const add = DETAIL_ADDITIVE * d;
    rgb[3 * i] = (ar + dr * t) * lum + add;
    rgb[3 * i + 1] = (ag + dg * t) * lum + add;
    rgb[3 * i + 2] = (ab + db * t) * lum + add;
  }
  return { x0, y0, width, height, rgb };
}
