// Shared helpers of the data-layer tests (not a test file itself).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StereoSample } from '../src/data/types.js';

/** Run `body` with a fresh temporary folder that is removed afterwards. */
export function withTempDir<T>(body: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'hilbertq-data-'));
  try {
    return body(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function withTempDirAsync<T>(body: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'hilbertq-data-'));
  try {
    return await body(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Warp the right view into the left with disparity `disp + shift` (linear interpolation along
 * the row) and return the per-channel pairs (left value, warped value) on non-occluded pixels.
 */
export function warpPairs(s: StereoSample, shift = 0): { left: number[][]; warped: number[][] } {
  const { width: w, height: h } = s;
  const disp = s.disp as Float32Array;
  const occ = s.occ as Uint8Array;
  const left: number[][] = [[], [], []];
  const warped: number[][] = [[], [], []];
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const p = y * w + x;
      const xr = x - disp[p] - shift;
      if (occ[p] || xr < 0 || xr > w - 1) continue;
      const i0 = Math.min(Math.floor(xr), w - 2);
      const f = xr - i0;
      for (let c = 0; c < 3; c++) {
        const a = s.right[(y * w + i0) * 3 + c];
        const b = s.right[(y * w + i0 + 1) * 3 + c];
        left[c].push(s.left[p * 3 + c]);
        warped[c].push(a + (b - a) * f);
      }
    }
  }
  return { left, warped };
}

export function meanAbsDiff(a: number[][], b: number[][]): number {
  let sum = 0;
  let n = 0;
  for (let c = 0; c < a.length; c++) {
    for (let i = 0; i < a[c].length; i++) sum += Math.abs(a[c][i] - b[c][i]);
    n += a[c].length;
  }
  return sum / n;
}

/** Least-squares gain and bias per channel mapping `from` onto `to`, then the mean abs residual. */
export function residualAfterGainBias(from: number[][], to: number[][]): number {
  let sum = 0;
  let n = 0;
  for (let c = 0; c < from.length; c++) {
    const x = from[c];
    const y = to[c];
    const m = x.length;
    const mx = x.reduce((s, v) => s + v, 0) / m;
    const my = y.reduce((s, v) => s + v, 0) / m;
    let sxy = 0;
    let sxx = 0;
    for (let i = 0; i < m; i++) {
      sxy += (x[i] - mx) * (y[i] - my);
      sxx += (x[i] - mx) ** 2;
    }
    const gain = sxx > 0 ? sxy / sxx : 1;
    for (let i = 0; i < m; i++) sum += Math.abs(my + gain * (x[i] - mx) - y[i]);
    n += m;
  }
  return sum / n;
}
