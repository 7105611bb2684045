/**
 * Throughput of the curve codec: encode, exact decode and the quantized (table) decoder, in
 * samples per second on one core. Run: npm run bench:codec
 */
import { HilbertCurve } from '../src/curve/hilbert-curve.js';
import { Rng } from '../src/util/rng.js';
import { headDecodeOptions } from '../src/models/head-decode.js';

const N = 1 << 20;
const MAP = 1 << 16;

function rate(run: () => void, samples: number, minMs = 400): number {
  run(); // warm up the JIT and any lazily built index
  let reps = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < minMs) {
    run();
    reps++;
    elapsed = performance.now() - start;
  }
  return (samples * reps) / (elapsed / 1000);
}

function fmt(r: number): string {
  return r.toExponential(2).padStart(9);
}

const rng = new Rng(1);
console.log(`hilbertq codec throughput, ${N} samples per call, node ${process.version}`);
console.log('qdecode: 8-bit codes into a reused buffer, per call 2^16 samples (a 256x256 map) and 2^20');
console.log('config              encode/s   decode/s  qdecode/s  qdecode/s(2^20)');
for (const [dims, order] of [
  [2, 1],
  [2, 2],
  [2, 3],
  [2, 4],
  [2, 8],
  [3, 1],
  [3, 2],
  [3, 3],
  [4, 1], // the cube walk: no table at 3+ channels, decoded in WebAssembly SIMD
  [5, 1], // the zoo's cube-walk heads: 5 dims, decoded with their corner blend
]) {
  const curve = new HilbertCurve({ dims, order, margin: 0.1 });
  const q = new Float32Array(N);
  for (let i = 0; i < N; i++) q[i] = rng.next();
  const clean = curve.encode(q);
  // Decode inputs as a network emits them: the curve point plus noise of a few LSB.
  const points = clean.map((x) => x + 0.01 * rng.gaussian());
  const codes = new Uint8Array(points.length);
  for (let i = 0; i < points.length; i++) codes[i] = Math.max(0, Math.min(255, Math.round(points[i] * 255)));
  const qdec = curve.quantizedDecoder({
    bits: 8,
    scales: new Array<number>(dims).fill(1 / 255),
    zeroPoints: new Array<number>(dims).fill(0),
    ...headDecodeOptions({ head: 'hilbert', dims, order }),
  });
  const enc = rate(() => curve.encode(q), N);
  const dec = rate(() => curve.decode(points), N);
  const out = new Float32Array(N);
  const qdLarge = rate(() => qdec(codes, out), N);
  const m = MAP;
  const mapCodes = new Uint8Array(dims * m);
  for (let c = 0; c < dims; c++) mapCodes.set(codes.subarray(c * N, c * N + m), c * m);
  const mapOut = new Float32Array(m);
  const qd = rate(() => qdec(mapCodes, mapOut), m);
  console.log(`dims=${dims} order=${order}`.padEnd(18), fmt(enc), fmt(dec), fmt(qd), fmt(qdLarge));
}
console.log('targets: qdecode >= 1e9/s at dims=2 (8-bit table); decode >= 1e7/s at dims=2 order=3');

// Curves at the 2^20-vertex limit (and 16x1): the exact decode by HilbertSearch, for points
// near the curve, between folds and far outside, in microseconds per point.
console.log('\nexact decode of large curves, us per point (offsets per coordinate, in spacings)');
console.log('config           vertices  build ms   0.05sp    0.5sp      3sp   (search evaluations per point at 3sp)');
for (const [dims, order] of [
  [20, 1],
  [16, 1],
  [10, 2],
  [5, 4],
  [4, 5],
  [3, 6],
]) {
  const curve = new HilbertCurve({ dims, order, margin: 0.1 });
  const n = 2000;
  const t0 = performance.now();
  curve.decode(new Float32Array(dims).fill(0.3));
  const build = performance.now() - t0;
  const on = curve.encode(Float32Array.from({ length: n }, () => rng.next()));
  const cells: string[] = [];
  let evaluations = 0;
  for (const spread of [0.05, 0.5, 3]) {
    const points = on.map((x) => x + (2 * rng.next() - 1) * spread * curve.spacing);
    const before = curve.search().evaluations;
    curve.decode(points);
    evaluations = (curve.search().evaluations - before) / n;
    const perSample = 1 / rate(() => curve.decode(points), n, 200);
    cells.push((perSample * 1e6).toFixed(1).padStart(8));
  }
  console.log(`dims=${dims} order=${order}`.padEnd(14), String(curve.vertexCount).padStart(8), build.toFixed(0).padStart(10), cells.join(' '), `  (${evaluations.toFixed(0)})`);
}
