import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HilbertCurve } from '../src/curve/hilbert-curve.js';
import { WasmCubeWalk } from '../src/curve/wasm-cube-walk.js';
import { decodeHeadOutput, HEAD_CORNER_BLEND, HEAD_SOFT_FOLD, headDecodeOptions } from '../src/models/head-decode.js';
import { OutputDecoder } from '../src/infer/output-decoder.js';
import type { ModelConfig } from '../src/models/model.js';
import { Rng } from '../src/util/rng.js';

const curve = new HilbertCurve({ dims: 4, order: 1, margin: 0.1 });
const verts = curve.vertices();
const S = curve.vertexCount - 1;
const planar = (points: number[][]): Float64Array => {
  const n = points.length;
  const out = new Float64Array(4 * n);
  points.forEach((p, i) => p.forEach((x, c) => (out[c * n + i] = x)));
  return out;
};
const vertex = (k: number): number[] => [0, 1, 2, 3].map((c) => verts[k * 4 + c]);
/** A point that cuts corner k: `back` along the segment before it, `ahead` along the one after. */
function cut(k: number, back: number, ahead: number): number[] {
  const p = vertex(k);
  const prev = vertex(k - 1);
  const next = vertex(k + 1);
  return p.map((x, c) => x + (back * (prev[c] - x)) / curve.spacing + (ahead * (next[c] - x)) / curve.spacing);
}

test('corner blend: exact on the curve, continuous where the nearest point jumps between the two segments of a corner', () => {
  // On the curve (every segment, any t), both decodes give q.
  const q = Float32Array.from({ length: 301 }, (_, i) => i / 300);
  const onCurve = curve.encode(q);
  const blended = curve.decode(onCurve, { cornerBlend: 0.25 });
  for (let i = 0; i < q.length; i++) assert.ok(Math.abs(blended[i] - q[i]) < 1e-6, `q = ${q[i]}: ${blended[i]}`);
  // Across corner 5's bisector: the nearest point jumps by 2 x 0.2 / spacing of a segment, the blend moves little.
  const k = 5;
  const [left, right] = [cut(k, 0.2, 0.199), cut(k, 0.199, 0.2)];
  const exact = curve.decode(planar([left, right]));
  const smooth = curve.decode(planar([left, right]), { cornerBlend: 0.25 });
  assert.ok(Math.abs(exact[1] - exact[0]) * S > 0.45, `the nearest point jumps: ${(exact[1] - exact[0]) * S} segments`);
  assert.ok(Math.abs(smooth[1] - smooth[0]) * S < 0.05, `the blend does not: ${(smooth[1] - smooth[0]) * S} segments`);
  assert.ok(Math.abs(curve.decode(planar([cut(k, 0.2, 0.2)]), { cornerBlend: 0.25 })[0] * S - k) < 1e-5, 'equally far along both: the vertex');
  // Away from the bisector (|r| >= blend) it is the nearest point again.
  const off = planar([cut(k, 0.3, 0.1)]);
  assert.equal(curve.decode(off, { cornerBlend: 0.25 })[0], curve.decode(off)[0]);
  assert.throws(() => curve.decode(off, { cornerBlend: 1.5 }), /cornerBlend = 1.5: must be 0 \(the exact nearest point\) or in \[1e-6, 1\]/);
  // A blend so small that 1 / (2 blend) overflows float32 would give NaN in the SIMD module.
  assert.throws(() => curve.quantizedDecoder({ bits: 8, scales: [1, 1, 1, 1], zeroPoints: [0, 0, 0, 0], cornerBlend: 1e-40 }), /cornerBlend = 1e-40/);
});

test('corner blend: the SIMD module, the JS tail and the float decode agree on 8-bit codes, in 4 and 5 dims', () => {
  for (const dims of [4, 5]) {
    const walkCurve = new HilbertCurve({ dims, order: 1, margin: 0.1 });
    const segments = walkCurve.vertexCount - 1;
    const scales = [1 / 250, 1 / 247, 1 / 252, 1 / 249, 1 / 251].slice(0, dims);
    const zeroPoints = [3, 4, 2, 5, 1].slice(0, dims);
    const rng = new Rng(9, dims);
    const n = 4096 + 4 * 37 + 3;
    const q = Float32Array.from({ length: n }, () => rng.next());
    const near = walkCurve.encode(q);
    const codes = new Uint8Array(dims * n);
    for (let i = 0; i < codes.length; i++) {
      const c = Math.floor(i / n);
      codes[i] = Math.max(0, Math.min(255, Math.round((near[i] + rng.uniform(-0.2, 0.2)) / scales[c] + zeroPoints[c])));
    }
    const wasm = WasmCubeWalk.create({ walk: walkCurve.cubeWalk(), scales, zeroPoints, margin: walkCurve.margin, spacing: walkCurve.spacing, perVertex: 1 / segments, blend: 0.25 });
    assert.ok(wasm, `dims ${dims}: the module must load here`);
    const raw = new Float32Array(n);
    const listed = new Set(wasm.decode(codes, n, n - (n % 4), raw));
    const decoded = walkCurve.quantizedDecoder({ bits: 8, scales, zeroPoints, cornerBlend: 0.25 })(codes);
    const points = new Float64Array(dims * n);
    for (let i = 0; i < points.length; i++) points[i] = (codes[i] - zeroPoints[Math.floor(i / n)]) * scales[Math.floor(i / n)];
    const float = walkCurve.decode(points, { cornerBlend: 0.25 });
    const exact = walkCurve.decode(points);
    let blendedSamples = 0;
    for (let i = 0; i < n; i++) {
      assert.ok(Math.abs(decoded[i] - float[i]) < 1e-5, `dims ${dims}, sample ${i}: ${decoded[i]} vs ${float[i]}`);
      if (i < n - (n % 4) && !listed.has(i)) assert.ok(Math.abs(raw[i] - float[i]) < 1e-5, `SIMD, dims ${dims}, sample ${i}: ${raw[i]} vs ${float[i]}`);
      if (Math.abs(float[i] - exact[i]) > 1e-4) blendedSamples++;
    }
    assert.ok(blendedSamples > n / 100, `dims ${dims}: the blend changed ${blendedSamples} samples: the test reaches corners`);
  }
});

test('a cube-walk head decodes with the corner blend in float and from codes; other heads decode to the nearest point', () => {
  const config: ModelConfig = { family: 'unet', head: 'hilbert', dims: 4, order: 1, margin: 0.1, maxDisp: 64, width: 0.25 };
  const p = cut(5, 0.2, 0.2);
  const out = Float32Array.from(p);
  assert.ok(Math.abs(decodeHeadOutput(out, 1, 1, 1, config)[0] - (5 / S) * 64) < 1e-3, 'float: the vertex');
  const scale = 1 / 255;
  const codes = Uint8Array.from(p.map((x) => Math.round(x / scale)));
  const decoder = new OutputDecoder(config, { kind: 'quantized', dtype: 'uint8', scale, zeroPoint: 0 });
  const fromCodes = decoder.decode(codes, 1, 1)[0];
  const points = new Float64Array(4).map((_, c) => codes[c] * scale);
  assert.ok(Math.abs(fromCodes - curve.decode(points, { cornerBlend: HEAD_CORNER_BLEND, softFold: HEAD_SOFT_FOLD })[0] * 64) < 1e-3, 'codes: the same blend');
  assert.ok(Math.abs(fromCodes - curve.decode(points)[0] * 64) > 1, 'which is not the nearest point here');
  // Only cube-walk heads blend: the 2D curves, the 3D order-2 curve and direct heads decode as before.
  assert.deepEqual(headDecodeOptions(config), { cornerBlend: HEAD_CORNER_BLEND, softFold: HEAD_SOFT_FOLD });
  assert.deepEqual(headDecodeOptions({ ...config, dims: 3 }), { cornerBlend: HEAD_CORNER_BLEND, softFold: HEAD_SOFT_FOLD });
  for (const other of [{ dims: 2, order: 3 }, { dims: 2, order: 1 }, { dims: 3, order: 2 }]) assert.deepEqual(headDecodeOptions({ ...config, ...other }), {});
  assert.deepEqual(headDecodeOptions({ ...config, head: 'direct' }), {});
});
