import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { setUpBackends, tensor } from './kernels-support.js';

/** Everything that can leak: engine tensors and bytes, backend buffers, and the wasm heap. */
function footprint(): { numTensors: number; numBytes: number; dataIds: number; heapBytes: number } {
  const backend = tf.backend() as BackendWasm;
  const { numTensors, numBytes } = tf.memory();
  // The heap only grows; a stable size means no C++-side buffers (XNNPACK operators) pile up.
  const heapBytes = (backend.wasm as unknown as { HEAPU8: Uint8Array }).HEAPU8.length;
  return { numTensors, numBytes, dataIds: backend.numDataIds(), heapBytes };
}

/** conv s2 -> relu -> conv -> resize 2x -> concat skip -> conv, as in the U-Net. */
function tinyNet(): { vars: tf.Variable[]; loss: (x: tf.Tensor4D, y: tf.Tensor4D) => tf.Scalar } {
  const w1 = tf.variable(tf.mul(tensor([3, 3, 3, 8], 1), 0.3));
  const w2 = tf.variable(tf.mul(tensor([3, 3, 8, 8], 2), 0.3));
  const w3 = tf.variable(tf.mul(tensor([3, 3, 11, 1], 3), 0.3));
  const b3 = tf.variable(tf.zeros([1]));
  const loss = (x: tf.Tensor4D, y: tf.Tensor4D): tf.Scalar => {
    const down = tf.relu(tf.conv2d(x, w1 as tf.Tensor4D, 2, 'same'));
    const mid = tf.relu6(tf.conv2d(down, w2 as tf.Tensor4D, 1, 'same'));
    const up = tf.image.resizeBilinear(mid, [x.shape[1], x.shape[2]]);
    const out = tf.add(tf.conv2d(tf.concat([up, x], 3), w3 as tf.Tensor4D, 1, 'same'), b3);
    return tf.mean(tf.abs(tf.sub(out, y)));
  };
  return { vars: [w1, w2, w3, b3], loss };
}

describe('training kernels leak nothing on wasm', () => {
  before(setUpBackends);

  it('memory stays flat over optimizer steps of a tiny conv net, and the loss falls', () => {
    const net = tinyNet();
    const x = tensor([2, 15, 17, 3], 4) as tf.Tensor4D;
    const y = tensor([2, 15, 17, 1], 5) as tf.Tensor4D;
    const optimizer = tf.train.adam(0.01);
    const step = (): number => {
      const cost = optimizer.minimize(() => net.loss(x, y), true, net.vars);
      const value = cost!.dataSync()[0];
      cost!.dispose();
      return value;
    };
    // The first steps allocate optimizer slots and let the heap settle.
    const first = step();
    step();
    const start = footprint();
    let last = first;
    for (let i = 0; i < 8; i++) last = step();
    assert.deepEqual(footprint(), start);
    assert.ok(last < first, `loss ${first} -> ${last}`);
    optimizer.dispose();
    tf.dispose([x, y, ...net.vars]);
  });

  it('memory stays flat over repeated gradients through every replaced kernel', () => {
    const x = tensor([2, 24, 20, 6], 6) as tf.Tensor4D;
    const w = tensor([3, 3, 6, 6], 7) as tf.Tensor4D;
    const dw = tensor([3, 3, 6, 2], 8) as tf.Tensor4D;
    const q = tensor([2, 3, 40, 48], 9);
    const table = tensor([30, 6], 10);
    const ids = tf.tensor1d([3, 1, 3, 29], 'int32');
    const f = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor, d: tf.Tensor, t: tf.Tensor): tf.Scalar => {
      const a4 = a as tf.Tensor4D;
      const convs = [
        tf.conv2d(a4, b as tf.Tensor4D, 2, 'valid'), // cropped filter gradient, strided phases
        tf.conv2d(a4, b as tf.Tensor4D, 1, 'same'), // single-phase input gradient
        tf.conv2d(a4, b as tf.Tensor4D, 1, [[0, 0], [3, 0], [0, 3], [0, 0]]), // surplus rows
        tf.depthwiseConv2d(a4, c as tf.Tensor4D, 2, 'same'),
      ].map((t4) => tf.mean(t4));
      const scores = tf.matMul(d, d, false, true);
      const mixed = tf.matMul(tf.softmax(scores), d);
      const parts = tf.unstack(tf.stack([a, tf.mul(a, 2)], 4), 4);
      const sliced = tf.slice(a, [0, 1, 2, 0], [2, 20, 15, 6]);
      const gathered = tf.gather(t, ids);
      const resized = [
        tf.image.resizeBilinear(a4, [48, 40], false, true),
        tf.image.resizeNearestNeighbor(a4, [37, 41]),
        tf.tile(a, [1, 2, 1, 3]),
      ].map((r) => tf.mean(r));
      return tf.addN([...convs, ...resized, tf.mean(mixed), tf.mean(parts[1]), tf.mean(sliced), tf.mean(gathered)]) as tf.Scalar;
    };
    const g = tf.grads(f);
    const run = (): void => {
      const grads = g([x, w, dw, q, table]);
      tf.dispose(grads);
    };
    run();
    run();
    const start = footprint();
    for (let i = 0; i < 10; i++) run();
    // Outside any gradient too: conv2dTranspose runs Conv2DBackpropInput as its forward pass.
    for (let i = 0; i < 5; i++) tf.conv2dTranspose(x, w, [2, 48, 40, 6], 2, 'same').dispose();
    assert.deepEqual(footprint(), start);
    tf.dispose([x, w, dw, q, table, ids]);
  });
});
