import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { HilbertCurve } from '../src/curve/hilbert-curve.js';
import { directLoss, hilbertLoss } from '../src/train/losses.js';
import { initTrainingBackend } from '../src/train/backend/index.js';

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
  const direct = directLoss(tf.tensor4d([0.5, 0.9], [1, 1, 2, 1]), targets, 30).total.dataSync()[0];
  assert.ok(Math.abs(direct - 5) < 1e-5, `direct L1 ${direct}`); // |15 - 10|, the invalid pixel ignored
});
