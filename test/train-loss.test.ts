import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { HilbertCurve } from '../src/curve/hilbert-curve.js';
import { decodePrediction, directLoss, hilbertLoss, SoftDecodedL1 } from '../src/train/losses.js';
import { Rng } from '../src/util/rng.js';
import { initTrainingBackend } from '../src/train/backend/index.js';
import { withoutHeapModules } from '../src/train/backend/heap-wasm.js';

await initTrainingBackend('wasm');

test('order-1 curve has the hand-derived vertices this file relies on', () => {
  const curve = new HilbertCurve({ dims: 2, order: 1, margin: 0.25 });
  assert.deepEqual(Array.from(curve.vertices()), [0.25, 0.25, 0.25, 0.75, 0.75, 0.75, 0.75, 0.25]);
});

test('hilbert loss and its gradient match a hand-computed case', () => {
  // Curve V0 (.25,.25) V1 (.25,.75) V2 (.75,.75) V3 (.75,.25), spacing 0.5. maxDisp 30, truth 10 px
  // -> q = 1/3 -> target point V1. Prediction (0.35, 0.70) is nearest to segment 1 (distance 0.05,
  // segment 0 is 0.1 away), t = 0.2, q = 1.2 / 3 = 0.4 -> 12 px: L1 = 2. Component error
  // 0.1^2 + 0.05^2 = 0.0125, r^2 = 0.0025; alpha 10, beta 2: total = 2 + 10 * (0.0125 + 2 * 0.0025).
  // d/dx = 30 * (1 / (3 * 0.5)) + 10 * 2 * 0.1 = 22; d/dy = 10 * 2 * (-0.05) + 10 * 2 * 2 * (-0.05) = -3.
  const curve = new HilbertCurve({ dims: 2, order: 1, margin: 0.25 });
  const targets = { disp: tf.tensor3d([10], [1, 1, 1]), valid: tf.tensor3d([1], [1, 1, 1]) };
  const options = { maxDisp: 30, alpha: 10, beta: 2 };
  const pred = tf.tensor4d([0.35, 0.7], [1, 1, 1, 2]);
  const parts = hilbertLoss(pred, targets, curve, options);
  assert.ok(Math.abs(parts.disparityL1.dataSync()[0] - 2) < 1e-4);
  assert.ok(Math.abs((parts.curveTerm as tf.Scalar).dataSync()[0] - 0.0175) < 1e-6);
  assert.ok(Math.abs(parts.total.dataSync()[0] - 2.175) < 1e-4);
  const grad = tf.grad((p: tf.Tensor) => hilbertLoss(p as tf.Tensor4D, targets, curve, options).total)(pred);
  const g = grad.dataSync();
  assert.ok(Math.abs(g[0] - 22) < 1e-3, `d/dx ${g[0]}`);
  assert.ok(Math.abs(g[1] + 3) < 1e-3, `d/dy ${g[1]}`);
  tf.dispose([pred, grad, targets.disp, targets.valid, parts.total, parts.disparityL1, parts.curveTerm as tf.Scalar]);
});

test('invalid pixels contribute nothing to either loss', () => {
  const curve = new HilbertCurve({ dims: 2, order: 1, margin: 0.25 });
  const targets = { disp: tf.tensor3d([10, 0], [1, 1, 2]), valid: tf.tensor3d([1, 0], [1, 1, 2]) };
  const good = tf.tensor4d([0.35, 0.7, 0.9, 0.1], [1, 1, 2, 2]);
  const wild = tf.tensor4d([0.35, 0.7, 0.1, 0.9], [1, 1, 2, 2]);
  const options = { maxDisp: 30, alpha: 10, beta: 2 };
  assert.equal(hilbertLoss(good, targets, curve, options).total.dataSync()[0], hilbertLoss(wild, targets, curve, options).total.dataSync()[0]);
  // Not even non-finite values there: the loss and its gradient stay finite.
  const nan = tf.tensor4d([0.35, 0.7, NaN, Infinity], [1, 1, 2, 2]);
  const broken = { disp: tf.tensor3d([10, NaN], [1, 1, 2]), valid: targets.valid };
  const { value, grad } = tf.valueAndGrad((p: tf.Tensor) => hilbertLoss(p as tf.Tensor4D, broken, curve, options).total)(nan);
  assert.equal(value.dataSync()[0], hilbertLoss(good, targets, curve, options).total.dataSync()[0]);
  assert.ok(grad.dataSync().every(Number.isFinite), `gradient ${grad.dataSync()}`);
  const direct = directLoss(tf.tensor4d([0.5, 0.9], [1, 1, 2, 1]), targets, { head: 'direct', maxDisp: 30 }).total.dataSync()[0];
  assert.ok(Math.abs(direct - 5) < 1e-5, `direct L1 ${direct}`); // |15 - 10|, the invalid pixel ignored
});

/** The loss as plain tfjs ops, differentiated by autodiff: the definition the fused pass must match. */
function hilbertLossFromOps(pred: tf.Tensor4D, targets: { disp: tf.Tensor3D; valid: tf.Tensor3D }, curve: HilbertCurve, o: { maxDisp: number; alpha: number; beta: number }): tf.Scalar {
  const [n, h, w, d] = pred.shape;
  const pixels = n * h * w;
  const segments = curve.vertexCount - 1;
  const { q } = decodePrediction(pred, curve);
  const v = curve.vertices();
  const start = new Float32Array(pixels * d);
  const dir = new Float32Array(pixels * d);
  const seg = new Float32Array(pixels);
  for (let i = 0; i < pixels; i++) {
    const s = Math.min(segments - 1, Math.floor(q[i] * segments));
    seg[i] = s;
    for (let c = 0; c < d; c++) {
      start[i * d + c] = v[s * d + c];
      dir[i * d + c] = v[(s + 1) * d + c] - v[s * d + c];
    }
  }
  const gt = curve.encode(Float32Array.from(targets.disp.dataSync(), (x) => x / o.maxDisp));
  const gtPoint = new Float32Array(pixels * d);
  for (let i = 0; i < pixels; i++) for (let c = 0; c < d; c++) gtPoint[i * d + c] = gt[c * pixels + i];
  const mean = (x: tf.Tensor): tf.Tensor => tf.div(tf.sum(tf.mul(x, targets.valid)), tf.maximum(tf.sum(targets.valid), 1));
  const a = tf.tensor4d(start, pred.shape);
  const u = tf.tensor4d(dir, pred.shape);
  const t = tf.clipByValue(tf.div(tf.sum(tf.mul(tf.sub(pred, a), u), 3), curve.spacing * curve.spacing), 0, 1);
  const decoded = tf.mul(tf.div(tf.add(tf.tensor3d(seg, [n, h, w]), t), segments), o.maxDisp);
  const l1 = mean(tf.abs(tf.sub(decoded, targets.disp)));
  const r2 = tf.sum(tf.square(tf.sub(pred, tf.add(a, tf.mul(tf.expandDims(t, 3), u)))), 3);
  const component2 = tf.sum(tf.square(tf.sub(pred, tf.tensor4d(gtPoint, pred.shape))), 3);
  return tf.add(l1, tf.mul(mean(tf.add(component2, tf.mul(r2, o.beta))), o.alpha)) as tf.Scalar;
}

test('the fused hilbert loss equals its definition in tfjs ops, value and gradient (2D and 3D curves, masked pixels)', () => {
  for (const [dims, order] of [[2, 3], [3, 2]]) {
    const curve = new HilbertCurve({ dims, order, margin: 0.1 });
    const shape: [number, number, number, number] = [2, 3, 5, dims];
    const pixels = 2 * 3 * 5;
    const rng = (k: number): number => ((Math.sin(k * 12.9898 + dims) * 43758.5453) % 1 + 1) % 1;
    const pred = tf.tensor4d(Float32Array.from({ length: pixels * dims }, (_, k) => 1.2 * rng(k) - 0.1), shape);
    const targets = {
      disp: tf.tensor3d(Float32Array.from({ length: pixels }, (_, k) => 24 * rng(k + 1000)), [2, 3, 5]),
      valid: tf.tensor3d(Float32Array.from({ length: pixels }, (_, k) => (k % 7 === 3 ? 0 : 1)), [2, 3, 5]),
    };
    const options = { maxDisp: 24, alpha: 10, beta: 0.5 };
    const fused = tf.valueAndGrad((p: tf.Tensor) => hilbertLoss(p as tf.Tensor4D, targets, curve, options).total)(pred);
    const reference = tf.valueAndGrad((p: tf.Tensor) => hilbertLossFromOps(p as tf.Tensor4D, targets, curve, options))(pred);
    const close = (x: number, y: number): boolean => Math.abs(x - y) <= 1e-4 * Math.max(1, Math.abs(y));
    assert.ok(close(fused.value.dataSync()[0], reference.value.dataSync()[0]), `dims ${dims}: ${fused.value.dataSync()[0]} vs ${reference.value.dataSync()[0]}`);
    const g = fused.grad.dataSync();
    const r = reference.grad.dataSync();
    let nonzero = 0;
    r.forEach((e, i) => {
      assert.ok(close(g[i], e), `dims ${dims} grad[${i}]: ${g[i]} vs ${e}`);
      if (e !== 0) nonzero++;
    });
    assert.ok(nonzero > pixels, 'the gradient is exercised');
    tf.dispose([pred, targets.disp, targets.valid, fused.value, fused.grad, reference.value, reference.grad]);
  }
});

test('the decoded L1 under output noise: exact decode in the limit, true gradient, and a pull towards the right fold', () => {
  const curve = new HilbertCurve({ dims: 2, order: 3, margin: 0.1 });
  const maxDisp = 24;
  const segments = curve.vertexCount - 1;
  // Tiny noise: the exact decode's |error|.
  const sharp = new SoftDecodedL1(curve, maxDisp, 1e-4);
  const p = Float32Array.from([0.31, 0.47]);
  const q = curve.decode(Float32Array.from([p[0], p[1]]))[0];
  assert.ok(Math.abs(sharp.at(p, 0, 5, new Float64Array(2)) - Math.abs(q * maxDisp - 5)) < 1e-4);

  // Gradient against central differences, away from kinks (sign changes, segment ends).
  const soft = new SoftDecodedL1(curve, maxDisp, 0.03);
  const rng = new Rng(3, 0);
  let checked = 0;
  for (let trial = 0; trial < 200; trial++) {
    const v = Float32Array.from([0.05 + 0.9 * rng.next(), 0.05 + 0.9 * rng.next()]);
    const gt = rng.next() * maxDisp;
    const g = new Float64Array(2);
    soft.at(v, 0, gt, g);
    for (let c = 0; c < 2; c++) {
      const fd = (h: number): number => {
        const plus = Float32Array.from(v);
        const minus = Float32Array.from(v);
        plus[c] += h;
        minus[c] -= h;
        return (soft.at(plus, 0, gt, new Float64Array(2)) - soft.at(minus, 0, gt, new Float64Array(2))) / (2 * h);
      };
      const [a, b] = [fd(1e-4), fd(5e-5)];
      if (Math.abs(a - b) > 1e-2 * Math.max(1, Math.abs(a))) continue;
      checked++;
      assert.ok(Math.abs(a - g[c]) <= 2e-2 * Math.max(1, Math.abs(a)), `component ${c} at ${v}: ${g[c]} vs ${a}`);
    }
  }
  assert.ok(checked > 300, `${checked} smooth cases`);

  // Midway between two parallel folds far apart in q, the truth on the lower fold: the gradient
  // step moves the point towards that fold, which the exact decode's gradient cannot do.
  const verts = curve.vertices();
  const s = curve.spacing;
  let found = false;
  for (let a = 0; a < segments && !found; a++) {
    for (let b = a + 4; b < segments && !found; b++) {
      const [ax, ay, bx, by] = [verts[2 * a], verts[2 * a + 1], verts[2 * b], verts[2 * b + 1]];
      const [ux, uy, wx, wy] = [verts[2 * a + 2] - ax, verts[2 * a + 3] - ay, verts[2 * b + 2] - bx, verts[2 * b + 3] - by];
      // Parallel segments one spacing apart, facing each other.
      if (Math.abs(ux * wy - uy * wx) > 1e-9 || Math.abs(Math.hypot(ax + ux / 2 - bx - wx / 2, ay + uy / 2 - by - wy / 2) - s) > 1e-9) continue;
      found = true;
      const mid = Float32Array.from([(ax + ux / 2 + bx + wx / 2) / 2, (ay + uy / 2 + by + wy / 2) / 2]);
      const truth = ((a + 0.5) / segments) * maxDisp;
      const g = new Float64Array(2);
      const before = soft.at(mid, 0, truth, g);
      const toA = [ax + ux / 2 - mid[0], ay + uy / 2 - mid[1]];
      assert.ok(-(g[0] * toA[0] + g[1] * toA[1]) > 0, 'descent moves towards the true fold');
      const stepped = Float32Array.from([mid[0] - 1e-4 * g[0], mid[1] - 1e-4 * g[1]]);
      assert.ok(soft.at(stepped, 0, truth, new Float64Array(2)) < before);
    }
  }
  assert.ok(found, 'the order-3 curve has two parallel folds one spacing apart');
});

test('hilbertLoss with output noise uses the expected decoded L1, and its gradient matches the loss', () => {
  const curve = new HilbertCurve({ dims: 2, order: 2, margin: 0.1 });
  const targets = { disp: tf.tensor3d([3, 17, 9, 22], [1, 2, 2]), valid: tf.tensor3d([1, 1, 1, 0], [1, 2, 2]) };
  const options = { maxDisp: 24, alpha: 5, beta: 1, outputNoise: 0.05 };
  const values = [0.2, 0.3, 0.6, 0.5, 0.45, 0.81, 0.9, 0.1];
  const pred = tf.tensor4d(values, [1, 2, 2, 2]);
  const parts = hilbertLoss(pred, targets, curve, options);
  const soft = new SoftDecodedL1(curve, 24, 0.05);
  const f32 = Float32Array.from(values);
  const expected = (soft.at(f32, 0, 3, new Float64Array(2)) + soft.at(f32, 1, 17, new Float64Array(2)) + soft.at(f32, 2, 9, new Float64Array(2))) / 3;
  assert.ok(Math.abs(parts.disparityL1.dataSync()[0] - expected) < 1e-4);
  const grad = tf.grad((p: tf.Tensor) => hilbertLoss(p as tf.Tensor4D, targets, curve, options).total)(pred).dataSync();
  for (let k = 0; k < 6; k++) {
    const h = 1e-3;
    const at = (dx: number): number => {
      const v = Float32Array.from(values);
      v[k] += dx;
      return hilbertLoss(tf.tensor4d(v, [1, 2, 2, 2]), targets, curve, options).total.dataSync()[0];
    };
    const fd = (at(h) - at(-h)) / (2 * h);
    assert.ok(Math.abs(fd - grad[k]) < 2e-2 * Math.max(1, Math.abs(fd)), `value ${k}: ${grad[k]} vs ${fd}`);
  }
  assert.equal(grad[6], 0);
  assert.equal(grad[7], 0);
});

test("the soft L1's WebAssembly path runs, and matches the float64 loop point by point", () => {
  for (const [spec, sigma, maxDisp] of [
    [{ dims: 5, order: 1, margin: 0.1 }, 0.15, 64],
    [{ dims: 2, order: 3, margin: 0.1 }, 0.03, 24],
  ] as const) {
    const curve = new HilbertCurve(spec);
    const soft = new SoftDecodedL1(curve, maxDisp, sigma);
    assert.ok(soft.simd, 'the soft L1 would loop in JS');
    const d = curve.dims;
    const n = 4099; // not a multiple of anything the kernel steps by
    const rng = new Rng(11, 0);
    const gt = new Float32Array(n);
    const valid = new Float32Array(n);
    const q = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      gt[i] = rng.next() * maxDisp;
      valid[i] = rng.next() < 0.9 ? 1 : 0;
      q[i] = Math.min(1, Math.max(0, gt[i] / maxDisp + 0.1 * (rng.next() - 0.5)));
    }
    // Points near the truth's fold, off the curve by up to half a spacing and more.
    const planar = curve.encode(q);
    const values = new Float32Array(n * d);
    for (let i = 0; i < n; i++) for (let c = 0; c < d; c++) values[i * d + c] = planar[c * n + i] + curve.spacing * (rng.next() - 0.5);
    values[7 * d] = NaN;
    valid[7] = 1;
    const fast = soft.all(values, gt, valid);
    const ref = soft.allJs(values, gt, valid);
    assert.ok(Number.isNaN(fast.loss[7]) && Number.isNaN(ref.loss[7]), 'a NaN point gives a NaN loss, which the trainer reports');
    let kinks = 0;
    for (let i = 0; i < n; i++) {
      if (i === 7) continue;
      if (valid[i] === 0) {
        assert.equal(fast.loss[i], 0);
        for (let c = 0; c < d; c++) assert.equal(fast.grad[i * d + c], 0);
        continue;
      }
      assert.ok(Math.abs(fast.loss[i] - ref.loss[i]) <= 1e-5 * Math.max(1, ref.loss[i]), `pixel ${i}: loss ${fast.loss[i]} vs ${ref.loss[i]}`);
      let worst = 0;
      let scale = 1;
      for (let c = 0; c < d; c++) {
        worst = Math.max(worst, Math.abs(fast.grad[i * d + c] - ref.grad[i * d + c]));
        scale = Math.max(scale, Math.abs(ref.grad[i * d + c]));
      }
      // float32 against float64 can disagree on sign(error) where a segment's error is ~1e-6 px.
      if (worst > 1e-4 * scale) kinks++;
    }
    assert.ok(kinks <= 2, `${kinks} pixels whose gradients differ`);
  }
});

test('where the soft L1 module cannot run, the JS loop serves, and says so once', async () => {
  const curve = new HilbertCurve({ dims: 4, order: 1, margin: 0.1 });
  const warnings: string[] = [];
  const warn = console.warn;
  console.warn = (...args: unknown[]) => void warnings.push(args.map(String).join(' '));
  try {
    await withoutHeapModules(() => {
      const slow = new SoftDecodedL1(curve, 24, 0.05);
      assert.equal(slow.simd, false);
      new SoftDecodedL1(curve, 24, 0.07);
      const values = Float32Array.from({ length: 4 * 9 }, (_, k) => 0.1 + ((k * 37) % 80) / 100);
      const gt = Float32Array.from({ length: 9 }, (_, i) => 2.5 * i);
      const valid = new Float32Array(9).fill(1);
      assert.deepEqual(slow.all(values, gt, valid), slow.allJs(values, gt, valid));
    });
  } finally {
    console.warn = warn;
  }
  assert.equal(warnings.length, 1, warnings.join('\n'));
  assert.match(warnings[0], /^hilbertq: soft-decoded-l1\.wat cannot run \(switched off \(withoutHeapModules\)\); the curve head's loss under output noise loops in JS/);
  assert.ok(new SoftDecodedL1(curve, 24, 0.05).simd, 'the module runs again');
});
