import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HilbertCurve } from '../src/curve/hilbert-curve.js';
import { WasmCubeWalk } from '../src/curve/wasm-cube-walk.js';
import { Rng } from '../src/util/rng.js';

/**
 * The SIMD module's decode calls while `run` runs, and how many samples they left to the exact JS
 * path: the fast path must run, and must do the work (not hand everything back).
 */
function simdCalls(run: () => void): { calls: number; listed: number } {
  const original = WasmCubeWalk.prototype.decode;
  let calls = 0;
  let listed = 0;
  WasmCubeWalk.prototype.decode = function (...args: Parameters<typeof original>) {
    calls++;
    const left = original.apply(this, args);
    listed += left.length;
    return left;
  };
  try {
    run();
  } finally {
    WasmCubeWalk.prototype.decode = original;
  }
  return { calls, listed };
}

/** Points near the curve with noise, some far off it, and a few non-finite ones, planar. */
function noisyPoints(curve: HilbertCurve, n: number, seed: number): Float32Array {
  const rng = new Rng(seed, curve.dims);
  const near = curve.encode(Float32Array.from({ length: n }, () => rng.next()));
  const points = new Float32Array(curve.dims * n);
  for (let i = 0; i < points.length; i++) points[i] = near[i] + rng.uniform(-0.15, 0.15) * (i % 7 === 0 ? 3 : 1);
  points[5] = NaN;
  points[n + 9] = Infinity;
  points[2 * n + 13] = -Infinity;
  return points;
}

test('cube walk: float32 points decode in SIMD, equal to the float64 path, non-finite samples to NaN', () => {
  for (const dims of [3, 4, 5, 6]) {
    const curve = new HilbertCurve({ dims, order: 1, margin: 0.1 });
    const n = 4096 + 4 * 21 + 3;
    const points = noisyPoints(curve, n, dims);
    for (const cornerBlend of [0, 0.25]) {
      let simd: Float32Array = new Float32Array(0);
      const { calls, listed } = simdCalls(() => (simd = curve.decode(points, { cornerBlend })));
      assert.equal(calls, 1, `dims ${dims}: the SIMD module must run`);
      assert.ok(listed >= 3 && listed < n / 5, `dims ${dims}: ${listed} samples left to the exact path (the non-finite ones among them)`);
      const reference = curve.decode(Float64Array.from(points), { cornerBlend });
      for (let i = 0; i < n; i++) {
        if (Number.isNaN(reference[i])) assert.ok(Number.isNaN(simd[i]), `dims ${dims}, sample ${i}: NaN expected, got ${simd[i]}`);
        else assert.ok(Math.abs(simd[i] - reference[i]) < 1e-5, `dims ${dims}, blend ${cornerBlend}, sample ${i}: ${simd[i]} vs ${reference[i]}`);
      }
      assert.ok(Number.isNaN(simd[5]) && Number.isNaN(simd[9]) && Number.isNaN(simd[13]), 'non-finite samples decode to NaN');
    }
  }
});

test('cube walk: 16-bit codes decode in SIMD, as their dequantized points decode in float', () => {
  for (const dims of [4, 5]) {
    const curve = new HilbertCurve({ dims, order: 1, margin: 0.1 });
    const n = 4096 + 4 * 5 + 1;
    const scales = Array.from({ length: dims }, (_, c) => 1 / (65000 + 100 * c));
    const zeroPoints = Array.from({ length: dims }, (_, c) => 7 + c);
    const rng = new Rng(11, dims);
    const near = curve.encode(Float32Array.from({ length: n }, () => rng.next()));
    const codes = new Uint16Array(dims * n);
    for (let i = 0; i < codes.length; i++) {
      const c = Math.floor(i / n);
      codes[i] = Math.max(0, Math.min(65535, Math.round((near[i] + rng.uniform(-0.2, 0.2)) / scales[c] + zeroPoints[c])));
    }
    const decoder = curve.quantizedDecoder({ bits: 16, scales, zeroPoints, cornerBlend: 0.25 });
    let decoded: Float32Array = new Float32Array(0);
    const { calls, listed } = simdCalls(() => (decoded = decoder(codes)));
    assert.equal(calls, 1, `dims ${dims}: the SIMD module must run on 16-bit codes`);
    assert.ok(listed < n / 20, `dims ${dims}: ${listed} samples left to the exact path`);
    const points = new Float64Array(dims * n);
    for (let i = 0; i < points.length; i++) points[i] = (codes[i] - zeroPoints[Math.floor(i / n)]) * scales[Math.floor(i / n)];
    const float = curve.decode(points, { cornerBlend: 0.25 });
    for (let i = 0; i < n; i++) assert.ok(Math.abs(decoded[i] - float[i]) < 1e-5, `dims ${dims}, sample ${i}: ${decoded[i]} vs ${float[i]}`);
  }
});
