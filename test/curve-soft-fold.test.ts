import { test } from 'node:test';
import assert from 'node:assert/strict';
import { softFoldOf } from '../src/curve/cube-walk.js';
import { HilbertCurve } from '../src/curve/hilbert-curve.js';
import { WasmCubeWalk } from '../src/curve/wasm-cube-walk.js';
import { HEAD_CORNER_BLEND, HEAD_SOFT_FOLD } from '../src/models/head-decode.js';
import { ConfigError } from '../src/util/errors.js';
import { Rng } from '../src/util/rng.js';

const SOFT = { cornerBlend: HEAD_CORNER_BLEND, softFold: HEAD_SOFT_FOLD };
const curve = new HilbertCurve({ dims: 5, order: 1, margin: 0.1 });
const D = curve.dims;
const S = curve.vertexCount - 1;
const verts = curve.vertices();
const vertex = (k: number): number[] => Array.from({ length: D }, (_, c) => verts[k * D + c]);
const planar = (points: number[][], type: 'f32' | 'f64' = 'f64'): Float32Array | Float64Array => {
  const out = type === 'f32' ? new Float32Array(D * points.length) : new Float64Array(D * points.length);
  points.forEach((p, i) => p.forEach((x, c) => (out[c * points.length + i] = x)));
  return out;
};

/**
 * The soft fold written out plainly: every segment's nearest point, weighted by its squared
 * distance's ratio to the least; `share` is how much of it the decode takes (0 nearer than
 * `from` x spacing, 1 from half the spacing on, linear between).
 */
function reference(p: number[]): { q: number; least: number; share: number } {
  const d2: number[] = [];
  const qs: number[] = [];
  for (let k = 0; k < S; k++) {
    const a = vertex(k);
    const b = vertex(k + 1);
    let ab2 = 0;
    let apab = 0;
    for (let c = 0; c < D; c++) {
      ab2 += (b[c] - a[c]) ** 2;
      apab += (p[c] - a[c]) * (b[c] - a[c]);
    }
    const t = Math.min(1, Math.max(0, apab / ab2));
    d2.push(a.reduce((sum, x, c) => sum + (x + t * (b[c] - x) - p[c]) ** 2, 0));
    qs.push((k + t) / S);
  }
  const least = Math.min(...d2);
  const w = d2.map((x) => Math.exp(-(x / least - 1) / (2 * HEAD_SOFT_FOLD.kappa ** 2)));
  const start = HEAD_SOFT_FOLD.from * curve.spacing;
  const share = Math.min(1, Math.max(0, (Math.sqrt(least) - start) / (curve.spacing / 2 - start)));
  return { q: w.reduce((sum, x, k) => sum + x * qs[k], 0) / w.reduce((sum, x) => sum + x, 0), least, share };
}

/** Random points in the cube, a third of them near the curve, the rest anywhere (many hedging). */
function points(n: number, seed: number): number[][] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, (_, i) => {
    if (i % 3 === 0) {
      const k = Math.floor(rng.next() * S);
      const t = rng.next();
      return vertex(k).map((x, c) => x + t * (vertex(k + 1)[c] - x) + 0.08 * (rng.next() - 0.5));
    }
    return Array.from({ length: D }, () => rng.next());
  });
}

test('soft fold: half the spacing off the curve, the weighted mean of every segment; nearer than from, the decode as without it', () => {
  const ps = points(3000, 7);
  const soft = curve.decode(planar(ps), SOFT);
  const plain = curve.decode(planar(ps), { cornerBlend: HEAD_CORNER_BLEND });
  const count = { near: 0, ramp: 0, far: 0 };
  ps.forEach((p, i) => {
    const { q, share } = reference(p);
    const expected = plain[i] + share * (q - plain[i]);
    if (share === 0) {
      count.near++;
      assert.equal(soft[i], plain[i], `point ${i} near the curve decodes as without the soft fold`);
    } else {
      count[share < 1 ? 'ramp' : 'far']++;
      assert.ok(Math.abs(soft[i] - expected) < 1e-6, `point ${i}: ${soft[i]} against the formula's ${expected}`);
    }
  });
  assert.ok(count.near > 300 && count.ramp > 100 && count.far > 100, `every path ran: ${JSON.stringify(count)}`);
});

test('soft fold: midway between two folds it decodes to their mean, and continuously across the midline', () => {
  // Segments 0 and 2 of the Gray walk run along the same axis, a spacing apart: the midline between them.
  const a = vertex(0).map((x, c) => (x + vertex(1)[c]) / 2);
  const b = vertex(2).map((x, c) => (x + vertex(3)[c]) / 2);
  const line = Array.from({ length: 201 }, (_, i) => a.map((x, c) => x + (0.3 + (0.4 * i) / 200) * (b[c] - x)));
  const soft = curve.decode(planar(line), SOFT);
  const nearest = curve.decode(planar(line), { cornerBlend: HEAD_CORNER_BLEND });
  const maxStep = (q: Float32Array): number => Math.max(...Array.from(q.subarray(1), (x, i) => Math.abs(x - q[i])));
  assert.ok(maxStep(nearest) * S > 1, 'the nearest point jumps a whole segment at the midline');
  assert.ok(maxStep(soft) * S < 0.05, `the soft fold moves by ${(maxStep(soft) * S).toFixed(3)} segments at most per step`);
  assert.ok(Math.abs(soft[100] - reference(line[100]).q) < 1e-6);
});

/**
 * How many samples the SIMD module decoded, how many it listed for a second look, and how many of
 * those its soft pass decoded (the rest go to the JS path) while `run` ran: the fast paths must run.
 */
function simdWork(run: () => void): { decoded: number; listed: number; soft: number } {
  const original = WasmCubeWalk.prototype.decode;
  const originalSoft = WasmCubeWalk.prototype.decodeSoft;
  const work = { decoded: 0, listed: 0, soft: 0 };
  WasmCubeWalk.prototype.decode = function (...args: Parameters<typeof original>) {
    work.decoded += args[2];
    const left = original.apply(this, args);
    work.listed += left.length;
    return left;
  };
  WasmCubeWalk.prototype.decodeSoft = function (...args: Parameters<typeof originalSoft>) {
    const q = originalSoft.apply(this, args);
    work.soft += q ? q.filter((x) => x === x).length : 0;
    return q;
  };
  try {
    run();
  } finally {
    WasmCubeWalk.prototype.decode = original;
    WasmCubeWalk.prototype.decodeSoft = originalSoft;
  }
  return work;
}

test('soft fold: the SIMD module (float32 points, 8-bit codes) and the float64 path decode alike', () => {
  // Enough hedging points that the soft pass runs in more than one chunk (4096 listed samples).
  const ps = points(12000, 11);
  const exact = curve.decode(planar(ps), SOFT);
  let simd: Float32Array = new Float32Array(0);
  const work = simdWork(() => (simd = curve.decode(planar(ps, 'f32'), SOFT)));
  assert.ok(work.decoded >= 11996 && work.listed > 4096 && work.listed < work.decoded, `the SIMD pass ran and listed the hedging samples, in more than one soft chunk: ${JSON.stringify(work)}`);
  assert.ok(work.soft > 0.95 * work.listed, `the SIMD soft pass decoded the listed samples: ${JSON.stringify(work)}`);
  let worst = 0;
  for (let i = 0; i < ps.length; i++) worst = Math.max(worst, Math.abs(simd[i] - exact[i]));
  assert.ok(worst * S < 1e-4, `float32 against float64: ${worst * S} segments`);
  const scale = 1 / 255;
  const codes = new Uint8Array(D * ps.length);
  ps.forEach((p, i) => p.forEach((x, c) => (codes[c * ps.length + i] = Math.min(255, Math.max(0, Math.round(x / scale))))));
  const decoder = curve.quantizedDecoder({ bits: 8, scales: new Array<number>(D).fill(scale), zeroPoints: new Array<number>(D).fill(0), ...SOFT });
  let fromCodes: Float32Array = new Float32Array(0);
  const codeWork = simdWork(() => (fromCodes = decoder(codes)));
  assert.ok(codeWork.decoded >= 11996 && codeWork.soft > 0.95 * codeWork.listed && codeWork.listed > 100, `the SIMD passes decoded the codes: ${JSON.stringify(codeWork)}`);
  const dequantized = new Float64Array(codes.length).map((_, j) => codes[j] * scale);
  const expected = curve.decode(dequantized, SOFT);
  worst = 0;
  for (let i = 0; i < ps.length; i++) worst = Math.max(worst, Math.abs(fromCodes[i] - expected[i]));
  assert.ok(worst * S < 1e-4, `codes against their float64 decode: ${worst * S} segments`);
});

test('soft fold: the SIMD soft pass leaves ties between segments, and non-finite points, to the exact path', () => {
  // Vertex 1 joins segments 0 and 1, along two axes. Points moved inwards from it by t along both
  // and by the same amount along the rest are equally far from both, in the ramp (0.41-0.49
  // spacing). Without the corner blend the nearest point jumps between the two segments there,
  // and float32 cannot say which one the exact scan picks: the soft pass must leave them open.
  const [a, b] = [0, 1].map((k) => vertex(k + 1).findIndex((x, c) => x !== vertex(k)[c]));
  const inward = (x: number, by: number): number => (x > 0.5 ? x - by : x + by);
  const ties = Array.from({ length: 48 }, (_, i) => {
    const t = 0.12 + 0.004 * i;
    const distance = (0.41 + (0.08 * ((i * 7) % 48)) / 47) * curve.spacing;
    const rest = Math.sqrt((distance ** 2 - t ** 2) / (D - 2));
    return vertex(1).map((x, c) => inward(x, c === a || c === b ? t : rest));
  });
  const nan = ties[0].map((x, c) => (c === 2 ? Number.NaN : x));
  const ps = [...ties, nan, ...points(6, 17)];
  const options = { cornerBlend: 0, softFold: HEAD_SOFT_FOLD };
  let soft: Float32Array | null = null;
  const original = WasmCubeWalk.prototype.decodeSoft;
  WasmCubeWalk.prototype.decodeSoft = function (...args: Parameters<typeof original>) {
    soft = original.apply(this, args);
    return soft;
  };
  const points32 = planar(ps, 'f32');
  let simd: Float32Array;
  try {
    simd = curve.decode(points32, options);
  } finally {
    WasmCubeWalk.prototype.decodeSoft = original;
  }
  const listedSoft = soft as Float32Array | null;
  assert.ok(listedSoft && listedSoft.slice(0, ties.length + 1).every((q) => Number.isNaN(q)), 'the soft pass left every tie and the NaN point open');
  // The same float32 values in float64: the exact path alone.
  const exact = curve.decode(Float64Array.from(points32), options);
  for (let i = 0; i < ps.length; i++) {
    if (i === ties.length) continue;
    assert.ok(Math.abs(simd[i] - exact[i]) * S < 1e-4, `point ${i} decodes as the float64 path: ${simd[i] * S} against ${exact[i] * S} segments`);
  }
  assert.ok(Number.isNaN(simd[ties.length]), 'a non-finite point decodes to NaN');
});

test('soft fold: the SIMD passes agree with the float64 path in 3 to 6 dims, blended or not, from float32 points and 16-bit codes', () => {
  for (const dims of [3, 4, 5, 6]) {
    const c = new HilbertCurve({ dims, order: 1, margin: 0.1 });
    const segments = c.vertexCount - 1;
    const rng = new Rng(dims);
    const n = 3000;
    const values = Float32Array.from({ length: dims * n }, () => rng.next());
    const scale = 1 / 65535;
    const codes = Uint16Array.from(values, (x) => Math.round(x / scale));
    for (const cornerBlend of [0, HEAD_CORNER_BLEND]) {
      const options = { cornerBlend, softFold: HEAD_SOFT_FOLD };
      let simd: Float32Array = new Float32Array(0);
      const work = simdWork(() => (simd = c.decode(values, options)));
      assert.ok(work.listed > 100 && work.soft > 0.95 * work.listed, `${dims} dims, blend ${cornerBlend}: the soft pass ran: ${JSON.stringify(work)}`);
      const exact = c.decode(Float64Array.from(values), options);
      const decoder = c.quantizedDecoder({ bits: 16, scales: new Array<number>(dims).fill(scale), zeroPoints: new Array<number>(dims).fill(0), ...options });
      let fromCodes: Float32Array = new Float32Array(0);
      const codeWork = simdWork(() => (fromCodes = decoder(codes)));
      assert.ok(codeWork.listed > 100 && codeWork.soft > 0.95 * codeWork.listed, `${dims} dims, 16-bit codes: the soft pass ran: ${JSON.stringify(codeWork)}`);
      const exactCodes = c.decode(Float64Array.from(codes, (x) => x * scale), options);
      for (let i = 0; i < n; i++) {
        assert.ok(Math.abs(simd[i] - exact[i]) * segments < 1e-4, `${dims} dims, blend ${cornerBlend}, point ${i}: ${simd[i] * segments} against ${exact[i] * segments}`);
        assert.ok(Math.abs(fromCodes[i] - exactCodes[i]) * segments < 1e-4, `${dims} dims, blend ${cornerBlend}, codes ${i}: ${fromCodes[i] * segments} against ${exactCodes[i] * segments}`);
      }
    }
  }
});

test('soft fold: from in (0, 1/2) and a finite kappa > 0, else refused naming the option', () => {
  for (const bad of [{ from: 0, kappa: 0.5 }, { from: 0.5, kappa: 0.5 }, { from: 0.6, kappa: 0.5 }, { from: 0.3, kappa: 0 }, { from: 0.3, kappa: Number.NaN }]) {
    assert.throws(() => softFoldOf({ softFold: bad }), (e: unknown) => e instanceof ConfigError && /softFold\.(from|kappa)/.test(e.message));
  }
  assert.equal(softFoldOf({}), null);
  assert.deepEqual(softFoldOf({ softFold: HEAD_SOFT_FOLD }), HEAD_SOFT_FOLD);
});

test('soft fold: a tiny kappa decodes to the nearest fold, never NaN; under kappa 0.1 the JS path decodes it', () => {
  const ps = points(500, 13);
  const sharp = curve.decode(planar(ps), { cornerBlend: HEAD_CORNER_BLEND, softFold: { from: 0.3, kappa: 1e-8 } });
  assert.ok(sharp.every((q) => Number.isFinite(q)), 'every sample decodes');
  // float32 weights would drift at such a kappa: the soft pass stays out.
  const options = { cornerBlend: HEAD_CORNER_BLEND, softFold: { from: 0.3, kappa: 0.05 } };
  let simd: Float32Array = new Float32Array(0);
  const work = simdWork(() => (simd = curve.decode(planar(ps, 'f32'), options)));
  assert.ok(work.listed > 50 && work.soft === 0, `the soft pass did not run: ${JSON.stringify(work)}`);
  const exact = curve.decode(Float64Array.from(planar(ps, 'f32')), options);
  assert.ok(simd.every((q, i) => Math.abs(q - exact[i]) < 1e-6), 'the float64 path decoded the listed samples');
});
