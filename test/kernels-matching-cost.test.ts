import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { matchingCostNhwc } from '../src/models/tfjs-matching-cost.js';
import { runOn, setUpBackends, tensor } from './kernels-support.js';

/** The matching cost from plain tfjs ops (pad, slice, add, mul, mean, concat): the definition the ONNX graph also follows. */
function reference(l: tf.Tensor4D, r: tf.Tensor4D, maxShift: number, metric: 'ssd' | 'dot'): tf.Tensor {
  const width = l.shape[2];
  const padded = tf.pad(r, [[0, 0], [0, 0], [maxShift, 0], [0, 0]]);
  const planes: tf.Tensor[] = [];
  for (let d = 0; d <= maxShift; d++) {
    const shifted = tf.slice(padded, [0, 0, maxShift - d, 0], [-1, -1, width, -1]);
    const per = metric === 'ssd' ? tf.square(tf.sub(l, shifted)) : tf.mul(l, shifted);
    planes.push(tf.mean(per, 3, true));
  }
  return tf.concat(planes, 3);
}

describe('the fused matching-cost kernel equals its definition, value and gradients', () => {
  before(setUpBackends);
  const cases: [number[], number, 'ssd' | 'dot'][] = [
    [[2, 3, 9, 4], 3, 'ssd'],
    [[1, 4, 5, 3], 6, 'ssd'],
    [[2, 3, 9, 4], 3, 'dot'],
    [[1, 2, 4, 5], 0, 'ssd'],
  ];
  for (const [shape, maxShift, metric] of cases) {
    for (const backend of ['wasm', 'cpu'] as const) {
      it(`${metric} ${shape.join('x')} maxShift ${maxShift} on ${backend}`, async () => {
        const compute = (f: typeof reference) => (): tf.Tensor[] => {
          const l = tensor(shape, 1) as tf.Tensor4D;
          const r = tensor(shape, 2) as tf.Tensor4D;
          const dy = tensor([...shape.slice(0, 3), maxShift + 1], 3);
          const [gl, gr] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(f(a as tf.Tensor4D, b as tf.Tensor4D, maxShift, metric), dy)))([l, r]);
          return [f(l, r, maxShift, metric), gl, gr];
        };
        const expected = await runOn(backend, compute(reference));
        const actual = await runOn(backend, compute(matchingCostNhwc));
        expected.forEach((e, i) => {
          const scale = Math.max(...e.map(Math.abs));
          const worst = Math.max(...e.map((v, k) => Math.abs(v - actual[i][k])));
          assert.ok(worst <= 1e-5 * scale, `output ${i}: max diff ${worst} (scale ${scale})`);
        });
      });
    }
  }
});
