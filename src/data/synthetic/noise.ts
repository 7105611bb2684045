import type { Rng } from '../../util/rng.js';

/**
 * Add one octave of value noise (random lattice values, smoothstep-interpolated) in [-amp, amp]
 * to `out` (w*h, row-major). The lattice gets a random sub-cell phase so octaves do not align.
 */
export function addValueNoise(out: Float32Array, w: number, h: number, cell: number, amp: number, rng: Rng): void {
  const gw = Math.floor(w / cell) + 3;
  const gh = Math.floor(h / cell) + 3;
  const lattice = new Float32Array(gw * gh);
  for (let i = 0; i < lattice.length; i++) lattice[i] = (rng.next() * 2 - 1) * amp;
  const phaseX = rng.next() * cell;
  const phaseY = rng.next() * cell;
  const colCell = new Int32Array(w);
  const colT = new Float32Array(w);
  for (let x = 0; x < w; x++) {
    const f = (x + phaseX) / cell;
    const i = Math.floor(f);
    const t = f - i;
    colCell[x] = i;
    colT[x] = t * t * (3 - 2 * t);
  }
  // Interpolate the two lattice rows once per image row; each texel then needs one lerp.
  const rowValues = new Float32Array(gw);
  for (let y = 0; y < h; y++) {
    const f = (y + phaseY) / cell;
    const j = Math.floor(f);
    let ty = f - j;
    ty = ty * ty * (3 - 2 * ty);
    const row0 = j * gw;
    const row1 = row0 + gw;
    for (let i = 0; i < gw; i++) rowValues[i] = lattice[row0 + i] + (lattice[row1 + i] - lattice[row0 + i]) * ty;
    const base = y * w;
    for (let x = 0; x < w; x++) {
      const i = colCell[x];
      const left = rowValues[i];
      out[base + x] += left + (rowValues[i + 1] - left) * colT[x];
    }
  }
}

/**
 * Fractal value noise: octaves from `maxCell` down to `minCell` (cell size halves each time),
 * amplitude multiplied by `persistence` per octave. Result roughly in [-1, 1].
 */
export function addFractalNoise(
  out: Float32Array,
  w: number,
  h: number,
  minCell: number,
  maxCell: number,
  persistence: number,
  amp: number,
  rng: Rng,
): void {
  let total = 0;
  let a = 1;
  for (let cell = maxCell; cell >= minCell * 0.999; cell /= 2) {
    total += a;
    a *= persistence;
  }
  a = amp / total;
  for (let cell = maxCell; cell >= minCell * 0.999; cell /= 2) {
    addValueNoise(out, w, h, cell, a, rng);
    a *= persistence;
  }
}
