import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HilbertCurve } from '../src/curve/hilbert-curve.js';
import { decodeByteTableJs } from '../src/curve/quantized-decoder.js';
import { WasmCubeWalk } from '../src/curve/wasm-cube-walk.js';
import { SIGMOID_CODES } from '../src/infer/head-tail.js';
import { Rng } from '../src/util/rng.js';
import { jsLoop } from './curve-support.js';

test('the SIMD table decoder equals the JS loop and exact decode, for chunked, odd-sized and unaligned code buffers', () => {
  const curve = new HilbertCurve({ dims: 2, order: 3, margin: 0.1 });
  const scales = [1 / 251, 1 / 240];
  const zeroPoints = [2, 9];
  const decodeCodes = curve.quantizedDecoder({ bits: 8, scales, zeroPoints });
  const all = new Uint8Array(2 * 65536);
  for (let i = 0; i < 65536; i++) {
    all[i] = i >> 8;
    all[65536 + i] = i & 255;
  }
  const table = curve.quantizedDecoder({ bits: 8, scales, zeroPoints })(all);
  const rng = new Rng(11);
  for (const n of [37, 16, 2 * 4096 + 48, 3]) {
    const backing = new Uint8Array(2 * n + 1);
    const codes = backing.subarray(1); // odd byte offset: the JS loop's 32-bit path cannot take it
    for (let i = 0; i < codes.length; i++) codes[i] = rng.int(0, 255);
    const real = Float64Array.from(codes, (c, i) => (c - zeroPoints[i < n ? 0 : 1]) * scales[i < n ? 0 : 1]);
    const exact = curve.decode(real);
    assert.deepEqual(decodeCodes(codes), exact, `n = ${n}`);
    assert.deepEqual(decodeByteTableJs(codes, n, table, new Float32Array(n), 0), exact, `JS loop, n = ${n}`);
  }
});

test('the SIMD cube-walk decoder runs for 3 to 6 dims and agrees with the JS path; samples beyond its bound are listed for the exact decode', () => {
  for (const dims of [3, 4, 5, 6]) {
    const curve = new HilbertCurve({ dims, order: 1, margin: 0.1 });
    const scales = Array.from({ length: dims }, (_, c) => 1 / (245 + c));
    const zeroPoints = Array.from({ length: dims }, (_, c) => 3 + c);
    const walk = curve.cubeWalk();
    const simd = WasmCubeWalk.create({ walk, scales, zeroPoints, margin: curve.margin, spacing: curve.spacing, perVertex: 24 / (curve.vertexCount - 1) });
    assert.ok(simd, `dims ${dims}: the module must load here; a silent JS fallback would be 10x slower`);
    assert.ok(!simd.decodesBytesBy16, `dims ${dims}: codes centred off 127.5 take the four-sample loop`);
    const rng = new Rng(4, dims);
    const n = 2 * 4096 + 36; // two chunks and a tail
    const q = Float32Array.from({ length: n }, () => rng.next());
    const onCurve = curve.encode(q);
    const codes = new Uint8Array(dims * n);
    for (let i = 0; i < codes.length; i++) {
      const c = Math.floor(i / n);
      // Every 50th sample anywhere in the cube: some lie beyond the bound and must come back NaN from the module.
      const x = (i % n) % 50 === 0 ? rng.uniform(0, 1) : onCurve[i] + rng.uniform(-0.12, 0.12);
      codes[i] = Math.max(0, Math.min(255, Math.round(x / scales[c] + zeroPoints[c])));
    }
    for (let i = 0; i < n; i += 5) codes[2 * n + i] = codes[n + i]; // exact ties, which go to the lower segment
    const raw = new Float32Array(n);
    const listed = simd.decode(codes, n, n - (n % 4), raw);
    const decoded = curve.quantizedDecoder({ bits: 8, scales, zeroPoints, outputScale: 24 })(codes);
    let bounded = 0;
    for (let i = 0; i < n; i++) {
      const point = new Float64Array(dims);
      for (let c = 0; c < dims; c++) point[c] = (codes[c * n + i] - zeroPoints[c]) * scales[c];
      const exact = nearestQ(curve, point) * 24;
      assert.ok(Math.abs(decoded[i] - exact) < 1e-4, `dims ${dims}, sample ${i}: ${decoded[i]} vs ${exact}`);
      if (i >= n - (n % 4)) continue;
      if (Number.isNaN(raw[i])) bounded++;
      else assert.ok(Math.abs(raw[i] - exact) < 1e-4, `SIMD, dims ${dims}, sample ${i}: ${raw[i]} vs ${exact}`);
    }
    assert.ok(bounded > 0 && bounded < n / 50, `dims ${dims}: ${bounded} samples left to the exact decode`);
    // The list names exactly the NaN samples, in order, across chunks: the caller scans nothing else.
    const nan = [...raw.keys()].filter((i) => Number.isNaN(raw[i]));
    assert.deepEqual(listed, nan, `dims ${dims}: listed samples`);
  }
});

test('the cube walk decodes the head tail\'s sigmoid codes (scale 1/255, zero point 0) sixteen at a time, as the exact decode does, blended or not, ties included', () => {
  for (const dims of [3, 4, 5, 6]) {
    const curve = new HilbertCurve({ dims, order: 1, margin: 0.1 });
    // The codes OutputDecoder hands the cube walk of a w8a8 model whose graph leaves the tail to it.
    const scales = new Array<number>(dims).fill(SIGMOID_CODES.scale);
    const zeroPoints = new Array<number>(dims).fill(SIGMOID_CODES.zeroPoint);
    const rng = new Rng(5, dims);
    const n = 2 * 4096 + 36; // two chunks, and 4 samples past the last 16 for the four-sample loop
    const q = Float32Array.from({ length: n }, () => rng.next());
    const onCurve = curve.encode(q);
    const codes = new Uint8Array(dims * n);
    for (let i = 0; i < codes.length; i++) {
      // Every 3rd sample anywhere in the cube (far off the curve too, where |p - corner|^2 decides
      // what the module vouches for), the others near the curve.
      const x = (i % n) % 3 === 0 ? rng.uniform(0, 1) : onCurve[i] + rng.uniform(-0.15, 0.15);
      codes[i] = Math.max(0, Math.min(255, Math.round(x * 255)));
    }
    // Exact ties, which go to the lower segment: the same code, and the mirrored code (127.5 apart alike).
    for (let i = 0; i < n; i += 5) codes[2 * n + i] = i % 10 === 0 ? codes[n + i] : 255 - codes[n + i];
    const points = Float64Array.from(codes, (c) => c / 255);
    for (const blend of [0, 0.25]) {
      const simd = WasmCubeWalk.create({ walk: curve.cubeWalk(), scales, zeroPoints, margin: curve.margin, spacing: curve.spacing, perVertex: 1 / (curve.vertexCount - 1), blend });
      assert.ok(simd?.decodesBytesBy16, `dims ${dims}: sigmoid codes must take decode8`);
      const raw = new Float32Array(n);
      const listed = simd.decode(codes, n, n, raw);
      // Nearest point: the independent scan, whose ties go to the lower segment in exact arithmetic
      // (curve.decode's float64 inward distances of mirrored codes differ in the last bit).
      const exact = blend > 0 ? curve.decode(points, { cornerBlend: blend }) : Float64Array.from(q, (_, i) => nearestQ(curve, Float64Array.from({ length: dims }, (_, c) => points[c * n + i])));
      let bounded = 0;
      for (let i = 0; i < n; i++) {
        if (Number.isNaN(raw[i])) bounded++;
        else assert.ok(Math.abs(raw[i] - exact[i]) < 1e-5, `dims ${dims}, blend ${blend}, sample ${i}: ${raw[i]} vs ${exact[i]}`);
      }
      assert.ok(bounded > 0 && bounded < n / 10, `dims ${dims}: ${bounded} samples left to the exact decode`);
      // A listed sample copied past the last 16 (to the four-sample loop) is listed at its index there.
      const moved = Uint8Array.from(codes);
      for (let c = 0; c < dims; c++) moved[c * n + n - 1] = codes[c * n + listed[0]];
      assert.ok(simd.decode(moved, n, n, new Float32Array(n)).includes(n - 1), `dims ${dims}: sample ${listed[0]} moved to the end`);
      assert.deepEqual(listed, [...raw.keys()].filter((i) => Number.isNaN(raw[i])), `dims ${dims}: listed samples`);
    }
  }
});

test('codes decode8 would misread take the four-sample loop: a negative scale, or one too fine for its absent-segment mark', () => {
  const curve = new HilbertCurve({ dims: 4, order: 1, margin: 0.1 });
  const make = (scale: number, zeroPoint: number) =>
    WasmCubeWalk.create({ walk: curve.cubeWalk(), scales: new Array<number>(4).fill(scale), zeroPoints: new Array<number>(4).fill(zeroPoint), margin: curve.margin, spacing: curve.spacing, perVertex: 1 });
  assert.equal(make(1 / 255, 0)?.decodesBytesBy16, true);
  // Centred at 127.5 both, but the corner bit flips with the sign, and m = 255 would read as inside.
  assert.equal(make(-1 / 255, 255)?.decodesBytesBy16, false);
  assert.equal(make(1 / 1000, -372.5)?.decodesBytesBy16, false);
});

/** q of the nearest point by scanning every segment (ties to the lower one): independent of the decoders under test. */
function nearestQ(curve: HilbertCurve, p: Float64Array): number {
  const v = curve.vertices();
  const d = curve.dims;
  let best = Infinity;
  let q = NaN;
  for (let s = 0; s < curve.vertexCount - 1; s++) {
    let dot = 0;
    let len2 = 0;
    for (let k = 0; k < d; k++) {
      dot += (p[k] - v[s * d + k]) * (v[(s + 1) * d + k] - v[s * d + k]);
      len2 += (v[(s + 1) * d + k] - v[s * d + k]) ** 2;
    }
    const t = Math.min(1, Math.max(0, dot / len2));
    let dist2 = 0;
    for (let k = 0; k < d; k++) dist2 += (p[k] - v[s * d + k] - t * (v[(s + 1) * d + k] - v[s * d + k])) ** 2;
    if (dist2 < best - 1e-12) {
      best = dist2;
      q = (s + t) / (curve.vertexCount - 1);
    }
  }
  return q;
}

test('cube walk: a point equally far along both segments of a corner decodes to the lower one, on every path', () => {
  for (const dims of [3, 4, 5, 6]) {
    // Margin, offset and scale are powers of two: the tie is exact in float32 and float64 alike.
    const curve = new HilbertCurve({ dims, order: 1, margin: 0.125 });
    const walk = curve.cubeWalk();
    const v = curve.vertices();
    const scale = 1 / 256; // 0.125 -> code 32, 0.875 -> 224; the offset 0.125 is 32 codes
    const samples: number[][] = [];
    const expected: number[] = [];
    for (let k = 1; k < curve.vertexCount - 1; k++) {
      const p = Array.from({ length: dims }, (_, c) => v[k * dims + c]);
      for (const axis of [walk.axisBefore[k], walk.axisAfter[k]]) p[axis] += p[axis] > 0.5 ? -0.125 : 0.125;
      samples.push(p);
      expected.push((k - 0.125 / curve.spacing) / (curve.vertexCount - 1)); // on segment k - 1, the lower
    }
    const n = samples.length;
    const floats = new Float64Array(dims * n);
    const codes = new Uint8Array(dims * n);
    samples.forEach((p, i) => p.forEach((x, c) => {
      floats[c * n + i] = x;
      codes[c * n + i] = Math.round(x / scale);
    }));
    const dec = curve.quantizedDecoder({ bits: 8, scales: new Array(dims).fill(scale), zeroPoints: new Array(dims).fill(0) });
    const paths: [string, ArrayLike<number>][] = [['float', curve.decode(floats)], ['SIMD', dec(codes)], ['JS', jsLoop(dec, codes, dims, n)]];
    for (const [name, q] of paths) {
      for (let i = 0; i < n; i++) assert.ok(Math.abs(q[i] - expected[i]) < 1e-6, `${name}, dims ${dims}, vertex ${i + 1}: ${q[i]} vs ${expected[i]}`);
    }
  }
});

test('cube walk: hedged points beyond spacing / 2 of the curve are vouched for by the sharper test, and exact', () => {
  for (const dims of [3, 4, 5, 6]) {
    const curve = new HilbertCurve({ dims, order: 1, margin: 0.1 });
    const ones = new Array<number>(dims).fill(1);
    const zeros = new Array<number>(dims).fill(0);
    const common = { walk: curve.cubeWalk(), margin: curve.margin, spacing: curve.spacing, perVertex: 1 / (curve.vertexCount - 1) };
    const simd = WasmCubeWalk.create({ ...common, scales: ones, zeroPoints: zeros });
    const simd8 = WasmCubeWalk.create({ ...common, scales: new Array<number>(dims).fill(SIGMOID_CODES.scale), zeroPoints: new Array<number>(dims).fill(SIGMOID_CODES.zeroPoint) });
    assert.ok(simd && simd8?.decodesBytesBy16, `dims ${dims}: the modules must load here`);
    const rng = new Rng(9, dims);
    const n = 4096;
    // Points on the curve moved off it by 0.3 to 0.7 spacings: a head hedging between folds. The
    // spacing / 2 bound alone would leave the farther half to the scan. Every other point moves
    // mostly inward along the last component, so that its inward distance decides the sharper
    // test (random directions rarely make it the largest).
    const onCurve = curve.encode(Float32Array.from({ length: n }, () => rng.next()));
    const points = new Float32Array(dims * n);
    for (let i = 0; i < n; i++) {
      const dir = Array.from({ length: dims }, () => rng.uniform(-1, 1));
      if (i % 2 === 0) dir[dims - 1] = 3 * Math.sign(0.5 - onCurve[(dims - 1) * n + i]);
      const norm = Math.hypot(...dir);
      const r = rng.uniform(0.3, 0.7) * curve.spacing;
      for (let c = 0; c < dims; c++) points[c * n + i] = onCurve[c * n + i] + (r * dir[c]) / norm;
    }
    // The same points as the head tail's sigmoid codes, which decode8 takes.
    const codes = Uint8Array.from(points, (x) => Math.min(255, Math.max(0, Math.round(x * 255))));
    const js = curve.cubeWalk();
    for (const [name, input, p0] of [['float', points, (c: number, i: number) => points[c * n + i]], ['decode8', codes, (c: number, i: number) => codes[c * n + i] / 255]] as const) {
      const out = new Float32Array(n);
      const listed = (name === 'float' ? simd : simd8).decode(input, n, n, out);
      let beyondHalf = 0;
      const jsListed = new Set<number>();
      for (let i = 0; i < n; i++) {
        const p = Float64Array.from({ length: dims }, (_, c) => p0(c, i));
        const exact = nearestQ(curve, p);
        if (distanceToCurvePoint(curve, p, exact) > curve.spacing / 2) beyondHalf++;
        // Codes on a grid land exactly between two segments now and then: either is the nearest point.
        const nearest = (q: number, tol: number): boolean => Math.abs(q - exact) < tol || Math.abs(distanceToCurvePoint(curve, p, q) - distanceToCurvePoint(curve, p, exact)) < 1e-6;
        if (!Number.isNaN(out[i])) assert.ok(nearest(out[i], 1e-5), `${name}, dims ${dims}, sample ${i}: ${out[i]} vs ${exact}`);
        // The float64 test (CubeWalk.decode) vouches for the same samples, bar float32 rounding at the margin.
        const q = js.decode(...cornerOf(curve, p));
        if (Number.isNaN(q)) jsListed.add(i);
        else assert.ok(nearest(q, 1e-9), `JS, ${name}, dims ${dims}, sample ${i}: ${q} vs ${exact}`);
      }
      assert.ok(beyondHalf > n / 100, `${name}, dims ${dims}: only ${beyondHalf} samples beyond spacing / 2; the test needs them`);
      assert.ok(listed.length < beyondHalf / 5, `${name}, dims ${dims}: ${listed.length} of ${beyondHalf} samples beyond spacing / 2 left to the scan`);
      // The same samples, bar one or two within float32 rounding of the margin.
      const differ = [...listed.filter((i) => !jsListed.has(i)), ...[...jsListed].filter((i) => !listed.includes(i))];
      assert.ok(differ.length <= 2, `${name}, dims ${dims}: JS and SIMD list different samples: ${differ.join(', ')}`);
    }
  }
});

test('cube walk with the corner blend: a point decodes alike on every path, also at the edge of the exactness test', () => {
  // Where the SIMD module's float32 test and CubeWalk.decode's float64 one part (within a hair of
  // CLEAR_MARGIN), one path blends and the other takes the exact fallback: that fallback must
  // blend too, or the same point decodes up to a third of a segment apart.
  const blend = 0.25;
  for (const dims of [4, 5]) {
    const curve = new HilbertCurve({ dims, order: 1, margin: 0.1 });
    const walk = curve.cubeWalk();
    const vouched = (p: Float64Array): boolean => !Number.isNaN(walk.decode(...cornerOf(curve, p), blend));
    const rng = new Rng(21, dims);
    const edge: number[][] = [];
    const vertices = curve.vertices();
    const segments = curve.vertexCount - 1;
    for (let tries = 0; edge.length < 700 && tries < 20000; tries++) {
      // From an inner vertex, a point that cuts its corner (nearly as far inwards along both of
      // its segments' axes: inside the blend band) and strays off the curve on the other axes,
      // far enough that decode cannot vouch for it.
      const k = 1 + Math.floor(rng.next() * (segments - 1));
      const a = Float64Array.from({ length: dims }, (_, c) => vertices[k * dims + c]);
      const inwards = (c: number): number => (a[c] > 0.5 ? -1 : 1);
      const dir = Array.from({ length: dims }, () => rng.uniform(-1, 1));
      const along = rng.uniform(0.5, 1);
      dir[walk.axisBefore[k]] = inwards(walk.axisBefore[k]) * along;
      dir[walk.axisAfter[k]] = inwards(walk.axisAfter[k]) * along * rng.uniform(0.8, 1.25);
      const norm = Math.hypot(...dir);
      const r = rng.uniform(0.5, 1.2) * curve.spacing;
      const b = Float64Array.from(a, (x, c) => x + (r * dir[c]) / norm);
      if (vouched(b)) continue;
      // Bisect for where decode stops vouching, then take float32 points on either side of it.
      let [lo, hi] = [0, 1];
      for (let k = 0; k < 50; k++) {
        const mid = (lo + hi) / 2;
        if (vouched(Float64Array.from(a, (x, c) => x + mid * (b[c] - x)))) lo = mid;
        else hi = mid;
      }
      for (const step of [-2e-7, -6e-8, -2e-8, 0, 2e-8, 6e-8, 2e-7]) {
        const t = lo + step;
        edge.push(Array.from(a, (x, c) => Math.fround(x + t * (b[c] - x))));
      }
    }
    const n = edge.length;
    const planar = new Float32Array(dims * n);
    for (let i = 0; i < n; i++) for (let c = 0; c < dims; c++) planar[c * n + i] = edge[i][c];
    const simd = WasmCubeWalk.create({ walk, scales: new Array<number>(dims).fill(1), zeroPoints: new Array<number>(dims).fill(0), margin: curve.margin, spacing: curve.spacing, perVertex: 1 / (curve.vertexCount - 1), blend });
    assert.ok(simd, `dims ${dims}: the module must load here`);
    const simdListed = new Set(simd.decode(planar, n, n - (n % 4), new Float32Array(n)));
    const parted = [...Array(n).keys()].filter((i) => simdListed.has(i) === vouched(Float64Array.from(edge[i]))).length;
    assert.ok(parted > 0, `dims ${dims}: no point where the float32 and float64 tests part; the test needs them`);
    const viaSimd = curve.decode(planar, { cornerBlend: blend });
    const viaJs = curve.decode(Float64Array.from(planar), { cornerBlend: blend });
    for (let i = 0; i < n; i++) {
      assert.ok(Math.abs(viaSimd[i] - viaJs[i]) < 1e-5, `dims ${dims}, point ${i} (${parted} parted): SIMD path ${viaSimd[i]}, JS path ${viaJs[i]}`);
    }
  }
});

/** The corner of p (bit c: coordinate c above 1/2) and its inward distances, as CubeWalk.decode takes them. */
function cornerOf(curve: HilbertCurve, p: Float64Array): [number, Float64Array] {
  let corner = 0;
  const inward = p.map((x, c) => {
    if (x > 0.5) corner |= 1 << c;
    return x > 0.5 ? 1 - curve.margin - x : x - curve.margin;
  });
  return [corner, inward];
}

/** Distance from p to the curve point at q (the vertices joined by straight segments). */
function distanceToCurvePoint(curve: HilbertCurve, p: Float64Array, q: number): number {
  const v = curve.vertices();
  const d = curve.dims;
  const at = q * (curve.vertexCount - 1);
  const s = Math.min(Math.floor(at), curve.vertexCount - 2);
  const t = at - s;
  let sum = 0;
  for (let k = 0; k < d; k++) sum += (p[k] - v[s * d + k] - t * (v[(s + 1) * d + k] - v[s * d + k])) ** 2;
  return Math.sqrt(sum);
}

test('a decoder says when it takes a slow path, and the fast paths say nothing', () => {
  const decoder = (dims: number, order: number, bits = 8) => {
    const curve = new HilbertCurve({ dims, order, margin: 0.1 });
    return curve.quantizedDecoder({ bits, scales: new Array(dims).fill(1 / 255), zeroPoints: new Array(dims).fill(0) });
  };
  // WebAssembly SIMD runs here (the tests above check it decodes), so these are fast.
  assert.equal(decoder(2, 3).slowPath, null, 'the 2 x 8-bit table');
  for (const dims of [3, 5, 6]) assert.equal(decoder(dims, 1).slowPath, null, `the ${dims}-dim cube walk`);
  assert.equal(decoder(2, 2, 10).slowPath, null, 'a joint table of 2 x 10-bit codes, read in JS: no faster path exists');
  assert.equal(decoder(4, 1, 16).slowPath, null, 'the cube walk of 16-bit codes');
  // 2 x 16-bit codes of the order-1 U: too many for a table, and the SIMD walk starts at 3 dims.
  assert.match(decoder(2, 1, 16).slowPath ?? '', /the 2-dim cube walk decodes in JS: the WebAssembly SIMD decoder covers 3 to 6 dims/);
  assert.match(decoder(7, 1).slowPath ?? '', /the 7-dim cube walk decodes in JS: the WebAssembly SIMD decoder covers 3 to 6 dims/);
  assert.match(decoder(3, 2).slowPath ?? '', /3 components of 8-bit codes are too many for a decode table .*exact nearest-point search/);
  // The slow paths still decode correctly.
  const codes = Uint8Array.from({ length: 7 * 5 }, (_, i) => (i * 37) % 256);
  const exact = new HilbertCurve({ dims: 7, order: 1, margin: 0.1 }).decode(Float64Array.from(codes, (c) => c / 255), {});
  assert.deepEqual(Array.from(decoder(7, 1)(codes)), Array.from(Float32Array.from(exact)));
});
