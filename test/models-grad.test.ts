import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { buildModelGraph, type ModelConfig } from '../src/models/model.js';
import { createParams, disposeParams, runGraph } from '../src/models/tfjs-build.js';

// The CPU backend has every gradient kernel; tfjs-wasm lacks Conv2DBackpropFilter by itself.
before(async () => {
  await tf.setBackend('cpu');
});

const TINY: ModelConfig = {
  family: 'unet', head: 'hilbert', dims: 2, order: 3, margin: 0.1, maxDisp: 16,
  width: 0.25, blocks: 2, heads: 2, tokenChannels: 32,
};

function stereoPair(seed: number): { left: tf.Tensor4D; right: tf.Tensor4D } {
  return {
    left: tf.randomUniform([2, 32, 32, 3], 0, 1, 'float32', seed) as tf.Tensor4D,
    right: tf.randomUniform([2, 32, 32, 3], 0, 1, 'float32', seed + 1) as tf.Tensor4D,
  };
}

for (const family of ['unet', 'vit'] as const) {
  test(`${family}: every parameter receives a non-zero gradient`, () => {
    const graph = buildModelGraph({ ...TINY, family });
    const params = createParams(graph, 2);
    const inputs = stereoPair(3);
    const weights = tf.randomNormal([2, 32, 32, 2], 0, 1, 'float32', 5);
    const { grads } = tf.variableGrads(() => tf.sum(tf.mul(runGraph(graph, params, inputs), weights)), [...params.values()]);
    const byVariable = new Map([...params].map(([name, v]) => [v.name, name]));
    const zero = Object.entries(grads).filter(([, g]) => !(tf.norm(g).dataSync()[0] > 0)).map(([id]) => byVariable.get(id));
    assert.deepEqual(zero, []);
    assert.equal(Object.keys(grads).length, graph.params.length);
    tf.dispose(Object.values(grads));
    disposeParams(params);
  });
}

test('an optimizer step through the interpreter lowers the loss', () => {
  const graph = buildModelGraph({ ...TINY, family: 'unet', head: 'direct' });
  const params = createParams(graph, 1);
  const inputs = stereoPair(7);
  const target = tf.fill([2, 32, 32, 1], 0.2);
  const loss = (): tf.Scalar => tf.mean(tf.square(tf.sub(runGraph(graph, params, inputs, { training: true }), target)));
  const optimizer = tf.train.adam(1e-2);
  const first = loss().dataSync()[0];
  for (let i = 0; i < 5; i++) optimizer.minimize(loss, false, [...params.values()]);
  assert.ok(loss().dataSync()[0] < first * 0.9);
  disposeParams(params);
});
