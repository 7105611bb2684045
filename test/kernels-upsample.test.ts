import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { assertMatchesCpu, setUpBackends, tensor } from './kernels-support.js';

// Only where the cpu backend is a valid reference: its resize gradients ignore halfPixelCenters,
// its ResizeBilinearGrad labels non-square outputs [b, w, h, c], and its
// ResizeNearestNeighborGrad reads dy at image-sized batch offsets (wrong for batch > 1). Those
// cases are covered by finite differences in kernels-resize.test.ts.
describe('resize gradients on wasm match cpu (legacy sampling)', () => {
  before(setUpBackends);

  const bilinear: [number, number, boolean][] = [
    [5, 10, false],
    [6, 12, false],
    [7, 5, false],
    [5, 9, true],
    [8, 16, true],
  ];
  for (const [size, outSize, alignCorners] of bilinear) {
    it(`resizeBilinear ${size}x${size} -> ${outSize}x${outSize + 2}, alignCorners ${alignCorners}`, async () => {
      await assertMatchesCpu('resizeBilinear', () => {
        const x = tensor([2, size, size, 3], 1) as tf.Tensor4D;
        const f = (a: tf.Tensor): tf.Tensor => tf.image.resizeBilinear(a as tf.Tensor4D, [outSize, outSize + 2], alignCorners);
        const dy = tensor([2, outSize, outSize + 2, 3], 2);
        return [f(x), tf.grad((a: tf.Tensor) => tf.sum(tf.mul(f(a), dy)))(x)];
      });
    });
  }

  for (const [h, w, oh, ow, alignCorners] of [
    [4, 6, 8, 12, false],
    [5, 3, 9, 7, false],
    [5, 7, 10, 13, true],
  ] as [number, number, number, number, boolean][]) {
    it(`resizeNearestNeighbor ${h}x${w} -> ${oh}x${ow}, alignCorners ${alignCorners}`, async () => {
      await assertMatchesCpu('resizeNearestNeighbor', () => {
        const x = tensor([1, h, w, 3], 3) as tf.Tensor4D;
        const f = (a: tf.Tensor): tf.Tensor => tf.image.resizeNearestNeighbor(a as tf.Tensor4D, [oh, ow], alignCorners);
        const dy = tensor([1, oh, ow, 3], 4);
        return [f(x), tf.grad((a: tf.Tensor) => tf.sum(tf.mul(f(a), dy)))(x)];
      });
    });
  }
});

// With half-pixel centers (what src/models uses) tfjs's own gradients are wrong, so check ours
// as the adjoint of the wasm forward pass: <resize(x), dy> = <x, grad(dy)> for random x, dy.
describe('half-pixel resize gradients are adjoints of the forward pass', () => {
  before(setUpBackends);

  const dot = (a: tf.Tensor, b: tf.Tensor): number => {
    const u = a.dataSync();
    const v = b.dataSync();
    let acc = 0;
    for (let i = 0; i < u.length; i++) acc += u[i] * v[i];
    return acc;
  };
  // tfjs rejects alignCorners together with halfPixelCenters.
  const cases: [number, number, number, number][] = [
    [8, 12, 16, 24],
    [7, 5, 14, 10],
    [5, 9, 11, 7],
    [6, 7, 3, 4],
  ];
  for (const nearest of [false, true]) {
    for (const [h, w, oh, ow] of cases) {
      it(`${nearest ? 'nearest' : 'bilinear'} ${h}x${w} -> ${oh}x${ow}`, () => {
        tf.tidy(() => {
          const x = tensor([2, h, w, 3], 5) as tf.Tensor4D;
          const dy = tensor([2, oh, ow, 3], 6);
          const f = (a: tf.Tensor): tf.Tensor =>
            nearest
              ? tf.image.resizeNearestNeighbor(a as tf.Tensor4D, [oh, ow], false, true)
              : tf.image.resizeBilinear(a as tf.Tensor4D, [oh, ow], false, true);
          const lhs = dot(f(x), dy);
          const rhs = dot(x, tf.grad((a: tf.Tensor) => tf.sum(tf.mul(f(a), dy)))(x));
          assert.ok(Math.abs(lhs - rhs) <= 1e-4 * Math.max(1, Math.abs(lhs)), `${lhs} vs ${rhs}`);
        });
      });
    }
  }
});
