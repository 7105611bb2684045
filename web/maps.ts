import { colorizeDisparity } from '../src/data/colorize.js';
import { drawRgb } from './images.js';

/** A disparity map on the shared colour scale (0 .. top px), the same colormap as the CLI's --png. */
export function drawDisparity(canvas: HTMLCanvasElement, width: number, height: number, disparity: Float32Array, top: number): void {
  drawRgb(canvas, colorizeDisparity(width, height, disparity, null, top));
}

/** |a - b| per pixel on the colormap, saturating at `top` px; returns the largest difference. */
export function drawAbsDifference(canvas: HTMLCanvasElement, width: number, height: number, a: Float32Array, b: Float32Array, top: number): number {
  const diff = new Float32Array(a.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) {
    diff[i] = Math.abs(a[i] - b[i]);
    if (diff[i] > max) max = diff[i];
  }
  drawRgb(canvas, colorizeDisparity(width, height, diff, null, top));
  return max;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
