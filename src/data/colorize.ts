import type { RgbImage } from './types.js';

/** Anchors of an ordered colour map: far (small disparity) dark blue, near (large) red. */
const ANCHORS: readonly [number, number, number][] = [
  [48, 18, 59],
  [65, 105, 225],
  [30, 190, 215],
  [80, 230, 120],
  [220, 225, 50],
  [250, 140, 30],
  [200, 30, 20],
];

/**
 * Colour a disparity map: 0 maps to dark blue, `maxDisp` to red; invalid pixels are black so
 * they cannot be mistaken for a disparity. Without `maxDisp`, the largest valid value is used.
 */
export function colorizeDisparity(
  width: number,
  height: number,
  disp: Float32Array,
  valid: Uint8Array | null,
  maxDisp?: number,
): RgbImage {
  const n = width * height;
  let top = maxDisp ?? 0;
  if (!(top > 0)) {
    for (let i = 0; i < n; i++) if ((!valid || valid[i]) && disp[i] > top) top = disp[i];
    if (!(top > 0)) top = 1;
  }
  const data = new Uint8Array(n * 3);
  const last = ANCHORS.length - 1;
  for (let i = 0; i < n; i++) {
    const d = disp[i];
    if ((valid && !valid[i]) || !Number.isFinite(d)) continue;
    const t = Math.min(1, Math.max(0, d / top)) * last;
    const k = Math.min(last - 1, Math.floor(t));
    const f = t - k;
    const a = ANCHORS[k];
    const b = ANCHORS[k + 1];
    data[3 * i] = Math.round(a[0] + (b[0] - a[0]) * f);
    data[3 * i + 1] = Math.round(a[1] + (b[1] - a[1]) * f);
    data[3 * i + 2] = Math.round(a[2] + (b[2] - a[2]) * f);
  }
  return { width, height, data };
}

/** Place images of equal height next to each other with a small gap. */
export function sideBySide(images: RgbImage[], gap = 4): RgbImage {
  const height = Math.max(...images.map((im) => im.height));
  const width = images.reduce((sum, im) => sum + im.width, 0) + gap * (images.length - 1);
  const data = new Uint8Array(width * height * 3).fill(255);
  let x0 = 0;
  for (const im of images) {
    for (let y = 0; y < im.height; y++) {
      data.set(im.data.subarray(y * im.width * 3, (y + 1) * im.width * 3), (y * width + x0) * 3);
    }
    x0 += im.width + gap;
  }
  return { width, height, data };
}
