import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initTrainingBackend } from '../src/train/backend/index.js';

await initTrainingBackend('wasm');

/**
 * The resize gradients are checked against central finite differences of the wasm forward:
 * the cpu backend cannot serve as reference here (its ResizeBilinearGrad also ignores
 * halfPixelCenters, and mislabels the shape of non-square images).
 */
function checkAgainstFiniteDifferences(
  resize: (x: tf.Tensor4D) => tf.Tensor4D,
  inShape: [number, number, number, number],
  outShape: [number, number, number, number],
): void {
  const x = tf.randomNormal(inShape, 0, 1, 'float32', 1) as tf.Tensor4D;
  const w = tf.randomNormal(outShape, 0, 1, 'float32', 2);
  const f = (t: tf.Tensor): tf.Scalar => tf.sum(tf.mul(resize(t as tf.Tensor4D), w));
  const analytic = tf.grad(f)(x).dataSync();
  const base = x.dataSync();
  const eps = 1e-2;
  for (let i = 0; i < base.length; i++) {
    const plus = Float32Array.from(base);
    const minus = Float32Array.from(base);
    plus[i] += eps;
    minus[i] -= eps;
    const numeric = tf.tidy(() => (f(tf.tensor4d(plus, inShape)).dataSync()[0] - f(tf.tensor4d(minus, inShape)).dataSync()[0]) / (2 * eps));
    assert.ok(Math.abs(analytic[i] - numeric) < 2e-3 * Math.max(1, Math.abs(numeric)), `element ${i}: ${analytic[i]} vs ${numeric}`);
  }
  tf.dispose([x, w]);
}

// 3 channels take the JS loop, 6 the SIMD module (four lanes and a two-channel tail).
for (const halfPixel of [true, false]) {
  for (const [h, w, oh, ow, c] of [
    [3, 4, 6, 8, 3],
    [5, 3, 10, 6, 3],
    [4, 6, 7, 9, 3],
    [3, 4, 6, 8, 6],
    [4, 6, 7, 9, 6],
  ]) {
    test(`ResizeBilinearGrad (halfPixelCenters=${halfPixel}) ${h}x${w}x${c} -> ${oh}x${ow}`, () => {
      checkAgainstFiniteDifferences((x) => tf.image.resizeBilinear(x, [oh, ow], false, halfPixel), [2, h, w, c], [2, oh, ow, c]);
    });
  }
}

test('ResizeBilinearGrad with alignCorners', () => {
  checkAgainstFiniteDifferences((x) => tf.image.resizeBilinear(x, [7, 9], true, false), [1, 4, 5, 2], [1, 7, 9, 2]);
});

test('ResizeNearestNeighbor gradient at scale 2 (half-pixel) sums each 2x2 block', () => {
  checkAgainstFiniteDifferences((x) => tf.image.resizeNearestNeighbor(x, [6, 10], false, true), [1, 3, 5, 2], [1, 6, 10, 2]);
});
