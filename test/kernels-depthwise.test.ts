import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { assertMatchesCpu, setUpBackends, tensor } from './kernels-support.js';

type Pad = 'same' | 'valid';

const cases: { x: [number, number, number, number]; w: [number, number, number, number]; strides: number | [number, number]; pad: Pad }[] = [
  { x: [2, 7, 9, 3], w: [3, 3, 3, 1], strides: 1, pad: 'same' },
  { x: [2, 7, 9, 3], w: [3, 3, 3, 1], strides: 2, pad: 'same' },
  { x: [2, 7, 9, 3], w: [3, 3, 3, 2], strides: 2, pad: 'valid' },
  { x: [3, 9, 8, 4], w: [5, 5, 4, 3], strides: 1, pad: 'valid' },
  { x: [1, 10, 11, 2], w: [5, 5, 2, 1], strides: 2, pad: 'same' },
  { x: [2, 8, 9, 3], w: [3, 3, 3, 2], strides: [2, 1], pad: 'same' },
];

describe('depthwise conv gradient kernels on wasm match cpu', () => {
  before(setUpBackends);

  for (const c of cases) {
    const label = `x ${c.x.join('x')} w ${c.w.join('x')} s ${String(c.strides)} ${c.pad}`;
    it(`dx and dW: ${label}`, async () => {
      await assertMatchesCpu(label, () => {
        const x = tensor(c.x, 1) as tf.Tensor4D;
        const w = tensor(c.w, 2) as tf.Tensor4D;
        const conv = (a: tf.Tensor, b: tf.Tensor): tf.Tensor4D =>
          tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.strides, c.pad);
        const dy = tensor(conv(x, w).shape, 3);
        return tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(conv(a, b), dy)))([x, w]);
      });
    });
  }

  it('separableConv2d trains (depthwise then pointwise)', async () => {
    await assertMatchesCpu('separableConv2d', () => {
      const x = tensor([2, 9, 7, 3], 4) as tf.Tensor4D;
      const dw = tensor([3, 3, 3, 2], 5) as tf.Tensor4D;
      const pw = tensor([1, 1, 6, 4], 6) as tf.Tensor4D;
      const f = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor): tf.Tensor =>
        tf.separableConv2d(a as tf.Tensor4D, b as tf.Tensor4D, c as tf.Tensor4D, 2, 'same');
      const dy = tensor(f(x, dw, pw).shape, 7);
      return tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => tf.sum(tf.mul(f(a, b, c), dy)))([x, dw, pw]);
    });
  });
});
