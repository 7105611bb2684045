import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HilbertCurve } from '../src/curve/hilbert-curve.js';
import { ConfigError } from '../src/util/errors.js';
import { Rng } from '../src/util/rng.js';
import { jsLoop } from './curve-support.js';

const CONFIGS = [
  { dims: 2, order: 1 },
  { dims: 2, order: 3 },
  { dims: 2, order: 5 },
  { dims: 3, order: 1 },
  { dims: 3, order: 2 },
  { dims: 3, order: 3 },
  { dims: 4, order: 2 },
  // Order 1 from dims 3 on is the cube walk (cube-walk.ts): its own decode path.
  { dims: 4, order: 1 },
  { dims: 5, order: 1 },
];

/** Nearest point by scanning every segment, written independently of the library's index. */
function bruteForceDecode(curve: HilbertCurve, p: number[]): { q: number; dist: number } {
  const v = curve.vertices();
  const d = curve.dims;
  let best = { q: NaN, dist: Infinity };
  for (let s = 0; s < curve.vertexCount - 1; s++) {
    let dot = 0;
    let len2 = 0;
    for (let k = 0; k < d; k++) {
      const dir = v[(s + 1) * d + k] - v[s * d + k];
      dot += (p[k] - v[s * d + k]) * dir;
      len2 += dir * dir;
    }
    const t = Math.min(1, Math.max(0, dot / len2));
    let dist2 = 0;
    for (let k = 0; k < d; k++) {
      const e = p[k] - (v[s * d + k] + t * (v[(s + 1) * d + k] - v[s * d + k]));
      dist2 += e * e;
    }
    if (Math.sqrt(dist2) < best.dist) best = { q: (s + t) / (curve.vertexCount - 1), dist: Math.sqrt(dist2) };
  }
  return best;
}

function pointOf(curve: HilbertCurve, q: number): number[] {
  const p = curve.encode(new Float32Array([q]));
  return Array.from(p);
}

function distanceToCurvePoint(curve: HilbertCurve, p: number[], q: number): number {
  const c = pointOf(curve, q);
  return Math.hypot(...p.map((x, k) => x - c[k]));
}

test('geometry: vertex count, spacing and length follow the formulas', () => {
  const c = new HilbertCurve({ dims: 2, order: 3, margin: 0.1 });
  assert.equal(c.vertexCount, 64);
  assert.ok(Math.abs(c.spacing - 0.8 / 7) < 1e-12);
  assert.ok(Math.abs(c.length - 7.2) < 1e-9);
  const c3 = new HilbertCurve({ dims: 3, order: 2, margin: 0.1 });
  assert.equal(c3.vertexCount, 64);
  assert.ok(Math.abs(c3.length - 16.8) < 1e-9);
  const dflt = new HilbertCurve();
  assert.deepEqual([dflt.dims, dflt.order, dflt.margin], [2, 3, 0.1]);
});

for (const { dims, order } of CONFIGS) {
  test(`vertex order dims=${dims} order=${order}: unit grid steps, every cell once, inside the margin`, () => {
    const curve = new HilbertCurve({ dims, order, margin: 0.1 });
    const v = curve.vertices();
    const side = 2 ** order;
    const seen = new Set<string>();
    for (let i = 0; i < curve.vertexCount; i++) {
      const cell: number[] = [];
      for (let k = 0; k < dims; k++) {
        const x = v[i * dims + k];
        assert.ok(x >= 0.1 - 1e-12 && x <= 0.9 + 1e-12, `vertex ${i} leaves the margin`);
        const c = Math.round((x - 0.1) / curve.spacing);
        assert.ok(Math.abs(0.1 + c * curve.spacing - x) < 1e-12, 'vertex off the grid');
        assert.ok(c >= 0 && c < side);
        cell.push(c);
      }
      seen.add(cell.join(','));
      if (i > 0) {
        let manhattan = 0;
        for (let k = 0; k < dims; k++) manhattan += Math.abs(v[i * dims + k] - v[(i - 1) * dims + k]);
        assert.ok(Math.abs(manhattan - curve.spacing) < 1e-12, `step ${i - 1}->${i} is not one grid step`);
      }
    }
    assert.equal(seen.size, curve.vertexCount, 'some cell visited twice or missed');
  });

  test(`round trip and continuity dims=${dims} order=${order}`, () => {
    const curve = new HilbertCurve({ dims, order, margin: 0.1 });
    const n = 2001;
    const q = new Float32Array(n);
    for (let i = 0; i < n; i++) q[i] = i / (n - 1);
    const points = curve.encode(q);
    const back = curve.decode(points);
    for (let i = 0; i < n; i++) assert.ok(Math.abs(back[i] - q[i]) < 1e-5, `q=${q[i]} decoded as ${back[i]}`);
    // Continuity (Lipschitz with constant L): a step dq moves the point by at most L * dq.
    for (let i = 1; i < n; i++) {
      let step2 = 0;
      for (let k = 0; k < dims; k++) step2 += (points[k * n + i] - points[k * n + i - 1]) ** 2;
      assert.ok(Math.sqrt(step2) <= curve.length * (q[i] - q[i - 1]) * (1 + 1e-4) + 1e-6);
    }
  });

  test(`decode agrees with brute force on random points dims=${dims} order=${order}`, () => {
    const curve = new HilbertCurve({ dims, order, margin: 0.1 });
    const rng = new Rng(7, dims * 10 + order);
    const n = 400;
    const points = new Float32Array(n * dims);
    // Mostly near the unit cube (where quantized outputs live), some far outside the grid box.
    for (let i = 0; i < n; i++) {
      const far = i % 10 === 0;
      for (let k = 0; k < dims; k++) points[k * n + i] = far ? rng.uniform(-3, 4) : rng.uniform(-0.2, 1.2);
      // Some exact ties between two segments (equal coordinates), which must go to the lower one.
      if (i % 9 === 0 && dims > 2) points[2 * n + i] = points[n + i];
    }
    const q = curve.decode(points);
    for (let i = 0; i < n; i++) {
      const p = Array.from({ length: dims }, (_, k) => points[k * n + i]);
      const ref = bruteForceDecode(curve, p);
      // Compare distances (ties between equidistant segments may pick either), then q.
      assert.ok(Math.abs(distanceToCurvePoint(curve, p, q[i]) - ref.dist) < 1e-5, `point ${p} not nearest`);
      assert.ok(Math.abs(q[i] - ref.q) < 1e-5, `point ${p}: q ${q[i]} vs ${ref.q}`);
    }
  });
}

test('quantizedDecoder matches decode of the dequantized value for every 8-bit code pair', () => {
  const curve = new HilbertCurve({ dims: 2, order: 3, margin: 0.1 });
  const scales = [1 / 250, 1 / 230];
  const zeroPoints = [3, 12];
  const decodeCodes = curve.quantizedDecoder({ bits: 8, scales, zeroPoints });
  const n = 256 * 256;
  const codes = new Uint8Array(2 * n);
  const real = new Float64Array(2 * n);
  for (let a = 0; a < 256; a++) {
    for (let b = 0; b < 256; b++) {
      const i = a * 256 + b;
      codes[i] = a;
      codes[n + i] = b;
      real[i] = (a - zeroPoints[0]) * scales[0];
      real[n + i] = (b - zeroPoints[1]) * scales[1];
    }
  }
  const fromTable = decodeCodes(codes);
  const exact = curve.decode(real);
  assert.deepEqual(fromTable, exact);
  // outputScale decodes straight to the target's unit (disparity px); the table holds scaled values.
  const inPixels = curve.quantizedDecoder({ bits: 8, scales, zeroPoints, outputScale: 24 })(codes);
  assert.deepEqual(inPixels, exact.map((q) => Math.fround(q * 24)));
  assert.throws(() => curve.quantizedDecoder({ bits: 8, scales, zeroPoints, outputScale: 0 }), /outputScale = 0/);
});

test('quantizedDecoder without a joint table (dims 3, 8 bits, uint16 codes) is exact', () => {
  const curve = new HilbertCurve({ dims: 3, order: 2, margin: 0.1 });
  const scales = [1 / 255, 1 / 255, 1 / 255];
  const zeroPoints = [0, 0, 0];
  const dec = curve.quantizedDecoder({ bits: 8, scales, zeroPoints });
  const rng = new Rng(3);
  const n = 5000;
  const codes = new Uint16Array(3 * n);
  const real = new Float64Array(3 * n);
  for (let i = 0; i < 3 * n; i++) {
    codes[i] = rng.int(0, 255);
    real[i] = (codes[i] - zeroPoints[0]) * scales[0];
  }
  assert.deepEqual(dec(codes), curve.decode(real));
  const dec16 = curve.quantizedDecoder({ bits: 16, scales: [1 / 65535, 1 / 65535, 1 / 65535], zeroPoints });
  const codes16 = new Uint16Array([0, 65535, 32768, 0, 65535, 1000, 0, 65535, 5]);
  const real16 = Float64Array.from(codes16, (c) => c * (1 / 65535));
  assert.deepEqual(dec16(codes16), curve.decode(real16));
  const scaled = curve.quantizedDecoder({ bits: 16, scales: [1 / 65535, 1 / 65535, 1 / 65535], zeroPoints, outputScale: 96 });
  assert.deepEqual(scaled(codes16), curve.decode(real16).map((q) => Math.fround(q * 96)));
});

test('the cube walk\'s off-curve scan breaks ties and overflows as the exact search does', () => {
  for (const dims of [3, 4, 5]) {
    const curve = new HilbertCurve({ dims, order: 1, margin: 0.1 });
    const walk = curve.cubeWalk();
    // Points on a coarse grid around the cube: many lie at exactly equal distance from two edges.
    const grid = [-0.3, 0, 0.1, 0.3, 0.5, 0.7, 0.9, 1, 1.3];
    let checked = 0;
    const p = new Float64Array(dims);
    for (let code = 0; code < grid.length ** dims; code += dims === 5 ? 7 : 1) {
      let rest = code;
      for (let c = 0; c < dims; c++) {
        p[c] = grid[rest % grid.length];
        rest = Math.floor(rest / grid.length);
      }
      const r = curve.search().nearest(p);
      const want = (r.segment + r.t) / (curve.vertexCount - 1);
      assert.ok(Math.abs(walk.nearest(p) - want) < 1e-12, `dims ${dims}, [${p.join(', ')}]: ${walk.nearest(p)} vs ${want}`);
      checked++;
    }
    assert.ok(checked > 500);
  }
  const curve = new HilbertCurve({ dims: 3, order: 1, margin: 0.1 });
  // Found by review: two edges at 0.32 and 0.32000000000000006, the lower one must win.
  assert.ok(Math.abs(curve.decode(Float64Array.from([0.5, -0.3, 0.9]))[0] - 1 / 7) < 1e-6);
  // Finite but overflowing squares: every edge ties at Infinity, as in the search (not NaN).
  const far = curve.decode(Float64Array.from([1e200, 0.5, 0.5]))[0];
  const r = curve.search().nearest(Float64Array.from([1e200, 0.5, 0.5]));
  assert.ok(Number.isFinite(far) && Math.abs(far - (r.segment + r.t) / 7) < 1e-6, `${far}`);
});

test('the cube walk (order 1, dims 3-6) decodes quantized codes as the exact search does, fast path and fallback', () => {
  for (const dims of [3, 4, 5, 6]) {
    const curve = new HilbertCurve({ dims, order: 1, margin: 0.1 });
    const scales = Array.from({ length: dims }, (_, c) => 1 / (240 + c));
    const zeroPoints = Array.from({ length: dims }, (_, c) => 2 + c);
    const dec = curve.quantizedDecoder({ bits: 8, scales, zeroPoints, outputScale: 24 });
    const rng = new Rng(11, dims);
    const n = 3000;
    const codes = new Uint8Array(dims * n);
    // Half the samples near the curve (a trained head), half anywhere (the exact fallback).
    const q = Float32Array.from({ length: n }, () => rng.next());
    const onCurve = curve.encode(q);
    for (let i = 0; i < n; i++) {
      for (let c = 0; c < dims; c++) {
        const x = i % 2 === 0 ? onCurve[c * n + i] + rng.uniform(-0.15, 0.15) : rng.uniform(-0.1, 1.1);
        codes[c * n + i] = Math.max(0, Math.min(255, Math.round(x / scales[c] + zeroPoints[c])));
      }
    }
    // Equal codes on two components put many samples exactly on a tie between a corner's two segments.
    for (let i = 0; i < n; i += 7) codes[2 * n + i] = codes[n + i];
    const got = dec(codes);
    // The same codes one sample at a time take the JS loop (the SIMD module computes in float32): the same answers.
    const js = jsLoop(dec, codes, dims, n);
    for (let i = 0; i < n; i++) assert.ok(Math.abs(js[i] - got[i]) < 1e-4, `dims ${dims}, sample ${i}: JS ${js[i]} vs ${got[i]}`);
    for (let i = 0; i < n; i++) {
      const p = Array.from({ length: dims }, (_, c) => (codes[c * n + i] - zeroPoints[c]) * scales[c]);
      const ref = bruteForceDecode(curve, p);
      const gotDist = distanceToCurvePoint(curve, p, got[i] / 24);
      assert.ok(Math.abs(gotDist - ref.dist) < 1e-5, `dims ${dims}, sample ${i}: distance ${gotDist} vs ${ref.dist}`);
      // Near the curve (the cube walk itself) ties go to the lower segment, as in the brute force;
      // far samples take the index's exact search, whose ties between distant segments may differ.
      if (i % 2 === 0) {
        assert.ok(Math.abs(got[i] / 24 - ref.q) < 1e-5, `dims ${dims}, sample ${i}: q ${got[i] / 24} vs ${ref.q}`);
        assert.ok(Math.abs(js[i] / 24 - ref.q) < 1e-5, `JS, dims ${dims}, sample ${i}: q ${js[i] / 24} vs ${ref.q}`);
      }
    }
  }
});

test('distance: zero on the curve, the offset off it, NaN for NaN', () => {
  for (const { dims, order } of [{ dims: 2, order: 3 }, { dims: 3, order: 2 }, { dims: 4, order: 1 }]) {
    const curve = new HilbertCurve({ dims, order, margin: 0.1 });
    const n = 50;
    const rng = new Rng(5, dims);
    const points = curve.encode(Float32Array.from({ length: n }, () => rng.next()));
    for (const d of curve.distance(points)) assert.ok(d < 1e-6, `on-curve distance ${d}`);
    const p = Float32Array.from([NaN, ...Array.from({ length: dims - 1 }, () => 0.5)]);
    assert.ok(Number.isNaN(curve.distance(p)[0]));
    for (let i = 0; i < n; i++) {
      const point = Array.from({ length: dims }, () => rng.uniform(-0.2, 1.2));
      const got = curve.distance(Float32Array.from(point))[0];
      assert.ok(Math.abs(got - bruteForceDecode(curve, point).dist) < 1e-5);
    }
  }
  // The midline between two parallel folds of the 2D order-1 curve (x = 0.1 and x = 0.9 legs): half the spacing.
  const u = new HilbertCurve({ dims: 2, order: 1, margin: 0.1 });
  assert.ok(Math.abs(u.distance(Float32Array.from([0.5, 0.3]))[0] - 0.4) < 1e-6);
});

test('NaN in gives NaN out; out-of-range q is clamped', () => {
  const curve = new HilbertCurve({ dims: 2, order: 3 });
  const p = curve.encode(new Float32Array([NaN, -0.5, 1.5, 0.5]));
  assert.ok(Number.isNaN(p[0]) && Number.isNaN(p[4]));
  const atZero = curve.encode(new Float32Array([0]));
  const atOne = curve.encode(new Float32Array([1]));
  assert.deepEqual([p[1], p[5]], [atZero[0], atZero[1]]);
  assert.deepEqual([p[2], p[6]], [atOne[0], atOne[1]]);
  const q = curve.decode(new Float32Array([NaN, 0.5, Infinity, 0.3, 0.5, 0.3, 0.1, NaN]));
  assert.ok(Number.isNaN(q[0]) && Number.isNaN(q[2]) && Number.isNaN(q[3]));
  assert.ok(q[1] >= 0 && q[1] <= 1);
  const q3 = new HilbertCurve({ dims: 3, order: 2 }).decode(new Float32Array([NaN, 0.5, 0.5, 0.5, 0.5, 0.5]));
  assert.ok(Number.isNaN(q3[0]) && !Number.isNaN(q3[1]));
  const far = curve.decode(new Float32Array([-100, 100, 100, -100]));
  for (const x of far) assert.ok(x >= 0 && x <= 1);
});

test('bad configuration throws an error naming the value', () => {
  const cases: [object, RegExp][] = [
    [{ order: 0 }, /order = 0/],
    [{ order: 2.5 }, /order = 2.5/],
    [{ dims: 1 }, /dims = 1/],
    [{ margin: 0.5 }, /margin = 0.5/],
    [{ margin: -0.1 }, /margin = -0.1/],
    [{ margin: NaN }, /margin = NaN/],
    [{ dims: 3, order: 7 }, /2\^21 vertices/],
  ];
  for (const [opts, pattern] of cases) {
    assert.throws(() => new HilbertCurve(opts), (e: unknown) => e instanceof ConfigError && pattern.test(e.message));
  }
  const curve = new HilbertCurve();
  assert.throws(() => curve.quantizedDecoder({ bits: 0, scales: [1, 1], zeroPoints: [0, 0] }), /bits = 0/);
  assert.throws(() => curve.quantizedDecoder({ bits: 17, scales: [1, 1], zeroPoints: [0, 0] }), /bits = 17/);
  assert.throws(() => curve.quantizedDecoder({ bits: 8, scales: [1], zeroPoints: [0, 0] }), /scales.length = 1/);
  assert.throws(() => curve.quantizedDecoder({ bits: 8, scales: [1, 0], zeroPoints: [0, 0] }), /scales\[1\] = 0/);
  assert.throws(() => curve.quantizedDecoder({ bits: 8, scales: [1, 1], zeroPoints: [0, 256] }), /zeroPoints\[1\] = 256/);
  const dec = curve.quantizedDecoder({ bits: 4, scales: [1 / 15, 1 / 15], zeroPoints: [0, 0] });
  assert.throws(() => dec(new Uint8Array([1, 2, 3])), /codes.length = 3/);
  assert.throws(() => dec(new Uint8Array([1, 16])), /codes\[1\] = 16/);
  assert.throws(() => curve.decode(new Float32Array(3)), /points.length = 3/);
});

test('many dims (16 and 20, order 1): near and far points decode in range and at the exact distance', () => {
  for (const dims of [16, 20]) {
    const curve = new HilbertCurve({ dims, order: 1, margin: 0.1 });
    // One point near the walk (the cube-walk path) and one far from it (the exact search).
    const near = curve.encode(Float32Array.from([0.37]));
    const far = new Float32Array(dims).fill(0.5);
    for (const p of [near, far]) {
      const q = curve.decode(p)[0];
      assert.ok(q >= 0 && q <= 1, `dims ${dims}: q ${q}`);
      assert.ok(Math.abs(curve.distance(p)[0] - bruteForceDecode(curve, Array.from(p)).dist) < 1e-5);
    }
    assert.ok(Math.abs(curve.decode(near)[0] - 0.37) < 1e-6);
  }
});

test('every curve up to 2^20 vertices decodes exactly, near it, moderately far and far (dims 3-20)', () => {
  // Before HilbertSearch, 10x2 took about 220 ms per point and 16x1 about 16 ms for moderately
  // far points (the generic index); the brute force here is the reference, not a timing.
  for (const [dims, order] of [[20, 1], [16, 1], [10, 2], [7, 2], [5, 4], [4, 5], [3, 6]]) {
    const curve = new HilbertCurve({ dims, order, margin: 0.1 });
    const rng = new Rng(11, dims * 10 + order);
    const n = 12;
    const onCurve = curve.encode(Float32Array.from({ length: n }, () => rng.next()));
    const points = new Float32Array(n * dims);
    for (let i = 0; i < n; i++) {
      // Offsets of 0.05, 0.5 and 3 spacings per coordinate: near, between folds, far outside.
      const spread = [0.05, 0.5, 3][i % 3] * curve.spacing;
      for (let k = 0; k < dims; k++) points[k * n + i] = onCurve[k * n + i] + rng.uniform(-spread, spread);
    }
    const before = curve.search().evaluations;
    const q = curve.decode(points);
    // The work per point, not a time: a scan of the segments would be 2^20 - 1 evaluations.
    const perPoint = (curve.search().evaluations - before) / n;
    assert.ok(perPoint < 2 ** (dims * order) / 32, `${dims}x${order}: ${perPoint} evaluations per point`);
    const dist = curve.distance(points);
    for (let i = 0; i < n; i++) {
      const p = Array.from({ length: dims }, (_, k) => points[k * n + i]);
      const ref = bruteForceDecode(curve, p);
      // decode's float32 q resolves 2^20 segments to about 0.06 of one, so exactness is checked
      // on the search's float64 result, and decode against it to float32 precision.
      const exact = curve.search().nearest(p);
      const exactQ = (exact.segment + exact.t) / (curve.vertexCount - 1);
      assert.ok(Math.abs(Math.sqrt(exact.dist2) - ref.dist) < 1e-9, `${dims}x${order} sample ${i}: not the nearest point`);
      assert.ok(Math.abs(exactQ - ref.q) < 1e-9, `${dims}x${order} sample ${i}: q ${exactQ} vs ${ref.q}`);
      assert.ok(q[i] >= 0 && q[i] <= 1 && Math.abs(q[i] - exactQ) < 1e-7, `${dims}x${order} sample ${i}: decode ${q[i]} vs ${exactQ}`);
      assert.ok(Math.abs(dist[i] - ref.dist) < 1e-6, `${dims}x${order} sample ${i}: distance ${dist[i]} vs ${ref.dist}`);
    }
  }
});

test('an overflowing coordinate (|x| > 1e154) decodes without hanging', () => {
  const curve = new HilbertCurve({ dims: 3, order: 4, margin: 0.1 });
  const q = curve.decode(new Float64Array([1e160, 0.5, 0.5]))[0];
  assert.ok(q >= 0 && q <= 1, `q ${q}`);
});

test('options are type-checked: a string margin is refused, not turned into an all-NaN curve', () => {
  assert.throws(() => new HilbertCurve({ margin: '0.1' as unknown as number }), /margin = 0.1: must be a number, not a string/);
  assert.throws(() => new HilbertCurve({ dims: '3' as unknown as number }), /dims = 3: must be a number/);
});
