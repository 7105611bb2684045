import type { HilbertCurve } from './hilbert-curve.js';

const PANEL = 480;
const PAD = 24;
/** Beyond this many grid lines per axis the lines merge into grey; draw every k-th instead. */
const MAX_GRID_LINES = 256;

/**
 * The curve over the output quantizer's grid (codes spread evenly over [0, 1]). A curve with
 * more than two dimensions is drawn as its pairwise projections.
 */
export function curveSvg(curve: HilbertCurve, bits: number): string {
  const d = curve.dims;
  const pairs: [number, number][] = [];
  for (let a = 0; a < d; a++) for (let b = a + 1; b < d; b++) pairs.push([a, b]);
  const width = pairs.length * (PANEL + PAD) + PAD;
  const height = PANEL + 2 * PAD + 40;
  const panels = pairs.map(([a, b], i) => panel(curve, bits, a, b, PAD + i * (PANEL + PAD), PAD + 40));
  const title = `Hilbert curve dims=${d} order=${curve.order} margin=${curve.margin}`;
  const subtitle = `L=${curve.length.toFixed(2)}, spacing=${curve.spacing.toFixed(4)}, ${bits}-bit code grid`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${PAD}" y="${PAD}" font-family="sans-serif" font-size="14">${title}</text>`,
    `<text x="${PAD}" y="${PAD + 18}" font-family="sans-serif" font-size="12">${subtitle}</text>`,
    ...panels,
    '</svg>',
    '',
  ].join('\n');
}

function panel(curve: HilbertCurve, bits: number, a: number, b: number, x0: number, y0: number): string {
  const levels = 2 ** bits;
  const step = Math.max(1, Math.ceil(levels / MAX_GRID_LINES));
  const px = (u: number): string => (x0 + u * PANEL).toFixed(2);
  const py = (u: number): string => (y0 + (1 - u) * PANEL).toFixed(2);
  const grid: string[] = [];
  for (let c = 0; c < levels; c += step) {
    const u = c / (levels - 1);
    grid.push(`M${px(u)} ${py(0)}V${py(1)}M${px(0)} ${py(u)}H${px(1)}`);
  }
  const v = curve.vertices();
  const d = curve.dims;
  const path: string[] = [];
  for (let i = 0; i < curve.vertexCount; i++) {
    path.push(`${i === 0 ? 'M' : 'L'}${px(v[i * d + a])} ${py(v[i * d + b])}`);
  }
  const axes = 'xyzwvu';
  const label = `${axes[a] ?? `c${a}`}-${axes[b] ?? `c${b}`}${step > 1 ? ` (every ${step}th code line)` : ''}`;
  return [
    `<g>`,
    `<path d="${grid.join('')}" stroke="#d8d8d8" stroke-width="0.4" fill="none"/>`,
    `<rect x="${x0}" y="${y0}" width="${PANEL}" height="${PANEL}" stroke="#888" fill="none"/>`,
    `<path d="${path.join('')}" stroke="#c0392b" stroke-width="${d > 2 ? 1 : 2}" fill="none" stroke-linejoin="round"/>`,
    `<circle cx="${px(v[a])}" cy="${py(v[b])}" r="4" fill="#2c3e50"><title>q = 0</title></circle>`,
    `<text x="${x0}" y="${y0 + PANEL + 16}" font-family="sans-serif" font-size="12">${label}</text>`,
    `</g>`,
  ].join('\n');
}
