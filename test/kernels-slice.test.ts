import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { assertMatchesCpu, setUpBackends, tensor } from './kernels-support.js';

describe('Slice, Concat, SplitV, Tile, Unpack and UnsortedSegmentSum on wasm match cpu', () => {
  before(setUpBackends);

  const slices: [number[], number[], number[]][] = [
    [[10], [3], [5]],
    [[6, 7], [1, 0], [4, 7]],
    [[6, 7], [2, 3], [3, 2]],
    [[4, 5, 6], [1, 2, 3], [2, 3, 3]],
    [[2, 7, 9, 5], [1, 2, 3, 0], [1, 4, 5, 5]],
    [[2, 7, 9, 5], [0, 1, 0, 1], [2, 5, 9, 3]],
    [[2, 3, 4, 5, 6], [1, 0, 1, 2, 0], [1, 3, 2, 2, 6]],
    [[2, 3, 2, 3, 2, 3], [0, 1, 0, 1, 1, 0], [2, 2, 2, 2, 1, 3]],
    [[3, 4], [0, 0], [3, 0]],
  ];
  for (const [shape, begin, size] of slices) {
    it(`slice ${shape.join('x')} at ${begin.join(',')} size ${size.join('x')}, with gradient`, async () => {
      await assertMatchesCpu('slice', () => {
        const x = tensor(shape, 1);
        const f = (a: tf.Tensor): tf.Tensor => tf.slice(a, begin, size);
        const dy = tensor(size, 2);
        return [f(x), tf.grad((a: tf.Tensor) => tf.sum(tf.mul(f(a), dy)))(x)];
      });
    });
  }

  it('int32 slice', async () => {
    await assertMatchesCpu('int32 slice', () => [tf.cast(tf.slice(tf.range(0, 60, 1, 'int32').reshape([3, 4, 5]), [1, 1, 1], [2, 2, 3]), 'float32')]);
  });

  const tiles: [number[], number[]][] = [
    [[5], [3]],
    [[2, 3], [2, 1]],
    [[2, 3], [1, 4]],
    [[2, 1, 4, 3], [1, 5, 1, 1]],
    [[2, 3, 4, 1], [1, 1, 1, 6]],
    [[2, 3, 2, 5], [2, 1, 3, 2]],
    [[1, 2, 3, 2, 2], [3, 1, 2, 1, 2]],
  ];
  for (const [shape, reps] of tiles) {
    // tfjs-core has no Tile gradient above rank 4.
    const withGrad = shape.length <= 4;
    it(`tile ${shape.join('x')} by ${reps.join(',')}${withGrad ? ', with gradient' : ''}`, async () => {
      await assertMatchesCpu('tile', () => {
        const x = tensor(shape, 11);
        const f = (a: tf.Tensor): tf.Tensor => tf.tile(a, reps);
        if (!withGrad) return [f(x)];
        const dy = tensor(f(x).shape, 12);
        return [f(x), tf.grad((a: tf.Tensor) => tf.sum(tf.mul(f(a), dy)))(x)];
      });
    });
  }

  const concats: [number[][], number][] = [
    [[[2, 3, 4, 6], [2, 3, 4, 32], [2, 3, 4, 1]], 3],
    [[[2, 3, 4, 5], [2, 1, 4, 5]], 1],
    [[[2, 3], [4, 3]], 0],
    [[[2, 3, 2, 2, 3], [2, 3, 2, 2, 20]], -1],
    [[[3, 0, 2], [3, 4, 2]], 1],
  ];
  for (const [shapes, axis] of concats) {
    it(`concat ${shapes.map((sh) => sh.join('x')).join(' + ')} on axis ${axis}, with gradient (SplitV)`, async () => {
      await assertMatchesCpu('concat', () => {
        const xs = shapes.map((sh, i) => tensor(sh, 20 + i));
        const f = (...a: tf.Tensor[]): tf.Tensor => tf.concat(a, axis);
        const dy = tensor(f(...xs).shape, 30);
        return [f(...xs), ...tf.grads((...a: tf.Tensor[]) => tf.sum(tf.mul(f(...a), dy)))(xs)];
      });
    });
  }

  it('int32 concat and split into unequal parts', async () => {
    await assertMatchesCpu('int32 concat, split', () => {
      const a = tf.range(0, 12, 1, 'int32').reshape([2, 6]);
      const parts = tf.split(tensor([3, 10, 4], 31), [2, 5, 3], 1);
      return [tf.cast(tf.concat([a, a], 1), 'float32'), ...parts];
    });
  });

  it('int32 and bool tile', async () => {
    await assertMatchesCpu('int32/bool tile', () => {
      const i = tf.tile(tf.range(0, 6, 1, 'int32').reshape([2, 3]), [2, 3]);
      const b = tf.tile(tf.tensor2d([[true, false, true]], [1, 3], 'bool'), [3, 2]);
      return [tf.cast(i, 'float32'), tf.cast(b, 'float32')];
    });
  });

  it('correlation cost layer (pad, slice per displacement, mul, mean, concat) with gradients', async () => {
    await assertMatchesCpu('correlation', () => {
      const left = tensor([2, 5, 9, 4], 3) as tf.Tensor4D;
      const right = tensor([2, 5, 9, 4], 4) as tf.Tensor4D;
      const maxDisp = 4;
      const cost = (l: tf.Tensor, r: tf.Tensor): tf.Tensor => {
        const padded = tf.pad(r, [[0, 0], [0, 0], [maxDisp, 0], [0, 0]]);
        const maps = [];
        for (let d = 0; d <= maxDisp; d++) {
          maps.push(tf.mean(tf.mul(l, tf.slice(padded, [0, 0, maxDisp - d, 0], l.shape)), 3, true));
        }
        return tf.concat(maps, 3);
      };
      const dy = tensor([2, 5, 9, maxDisp + 1], 5);
      return tf.grads((l: tf.Tensor, r: tf.Tensor) => tf.sum(tf.mul(cost(l, r), dy)))([left, right]);
    });
  });

  for (const axis of [0, 1, 3, -1]) {
    it(`unstack rank 4 on axis ${axis}, and stack gradient on rank 5`, async () => {
      await assertMatchesCpu('unstack', () => {
        const x = tensor([3, 4, 2, 5], 6);
        const parts = tf.unstack(x, axis);
        const g = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.stack([a, tf.mul(a, 2)], 1), tensor([3, 2, 4, 2, 5], 7))))(x);
        return [...parts, g];
      });
    });
  }

  it('gather gradient (UnsortedSegmentSum), repeated and 2-D indices', async () => {
    await assertMatchesCpu('gather', () => {
      const table = tensor([10, 6], 8);
      const ids = tf.tensor2d([[1, 5, 1], [9, 0, 5]], [2, 3], 'int32');
      const dy = tensor([2, 3, 6], 9);
      return [tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.gather(t, ids), dy)))(table)];
    });
  });

  it('unsortedSegmentSum op ignores out-of-range ids', async () => {
    await assertMatchesCpu('segment sum', () => {
      const x = tensor([6, 4], 10);
      return [tf.unsortedSegmentSum(x, tf.tensor1d([0, 2, -1, 2, 7, 1], 'int32'), 3)];
    });
  });
});
