import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { GraphBuilder } from '../src/models/graph-builder.js';
import { buildModelGraph, type ModelConfig } from '../src/models/model.js';
import { matchingCost } from '../src/models/stereo-stem.js';
import { createParams, disposeParams, loadWeights, runGraph, saveWeights } from '../src/models/tfjs-build.js';

const BASE: ModelConfig = { family: 'unet', head: 'hilbert', dims: 2, order: 3, margin: 0.1, maxDisp: 32 };

before(async () => {
  await tf.setBackend('wasm');
});

function stereoPair(n: number, h: number, w: number, seed: number): { left: tf.Tensor4D; right: tf.Tensor4D } {
  return {
    left: tf.randomUniform([n, h, w, 3], 0, 1, 'float32', seed) as tf.Tensor4D,
    right: tf.randomUniform([n, h, w, 3], 0, 1, 'float32', seed + 1) as tf.Tensor4D,
  };
}

for (const family of ['unet', 'vit'] as const) {
  test(`${family}: output shape and range for both heads at two input sizes`, () => {
    for (const [head, channels] of [['direct', 1], ['hilbert', 2]] as const) {
      const graph = buildModelGraph({ ...BASE, family, head });
      const params = createParams(graph, 3);
      for (const [h, w] of [[64, 128], [96, 160]]) {
        const inputs = stereoPair(2, h, w, 11);
        const y = runGraph(graph, params, inputs);
        assert.deepEqual(y.shape, [2, h, w, channels]);
        const v = y.dataSync();
        assert.ok(v.every((x) => x > 0 && x < 1), 'sigmoid output in (0, 1)');
        tf.dispose([y, inputs.left, inputs.right]);
      }
      disposeParams(params);
    }
  });
}

test('NCHW layout at the boundary gives the transposed NHWC result', () => {
  const graph = buildModelGraph(BASE);
  const params = createParams(graph, 1);
  const inputs = stereoPair(1, 64, 64, 5);
  const nhwc = runGraph(graph, params, inputs);
  const nchw = runGraph(graph, params, {
    left: tf.transpose(inputs.left, [0, 3, 1, 2]),
    right: tf.transpose(inputs.right, [0, 3, 1, 2]),
  }, { layout: 'NCHW' });
  assert.deepEqual(nchw.shape, [1, 2, 64, 64]);
  assert.deepEqual(tf.transpose(nchw, [0, 2, 3, 1]).dataSync(), nhwc.dataSync());
  assert.throws(() => runGraph(graph, params, stereoPair(1, 64, 72, 1)), /multiples of 16/);
  disposeParams(params);
});

test('dot-product correlation matches a hand-computed case', () => {
  const b = new GraphBuilder();
  const out = matchingCost(b, 'corr', b.input('left', 2), b.input('right', 2), 2, 'dot');
  const graph = b.build(out, out, {}, 'corr');
  // NCHW [1, 2, 1, 4]: channel 0 and channel 1 of one row.
  const left = tf.tensor4d([1, 2, 3, 4, 0, 1, 0, 1], [1, 2, 1, 4]);
  const right = tf.tensor4d([4, 3, 2, 1, 1, 2, 3, 4], [1, 2, 1, 4]);
  const y = runGraph(graph, new Map(), { left, right }, { layout: 'NCHW' });
  // out[d][x] = mean_c left[c][x] * right[c][x - d], 0 where x - d < 0.
  const expected = [
    [2, 4, 3, 4],
    [0, 4.5, 4.5, 5.5],
    [0, 0, 6, 7],
  ];
  assert.deepEqual(y.shape, [1, 3, 1, 4]);
  assert.deepEqual(Array.from(y.dataSync()), expected.flat());
});

test('SSD matching cost matches a hand-computed case', () => {
  const b = new GraphBuilder();
  const out = matchingCost(b, 'cost', b.input('left', 2), b.input('right', 2), 1, 'ssd');
  const graph = b.build(out, out, {}, 'cost');
  const left = tf.tensor4d([1, 2, 3, 0, 1, 0], [1, 2, 1, 3]);
  const right = tf.tensor4d([3, 1, 2, 1, 1, 2], [1, 2, 1, 3]);
  const y = runGraph(graph, new Map(), { left, right }, { layout: 'NCHW' });
  // out[d][x] = mean_c (left[c][x] - right[c][x - d])^2, right = 0 where x - d < 0.
  // d=0: x0 ((1-3)^2+(0-1)^2)/2=2.5, x1 ((2-1)^2+(1-1)^2)/2=0.5, x2 ((3-2)^2+(0-2)^2)/2=2.5
  // d=1: x0 (1+0)/2=0.5, x1 ((2-3)^2+(1-1)^2)/2=0.5, x2 ((3-1)^2+(0-1)^2)/2=2.5
  assert.deepEqual(Array.from(y.dataSync()), [2.5, 0.5, 2.5, 0.5, 0.5, 2.5]);
});

test('save/load round trip reproduces the outputs exactly', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hilbertq-weights-'));
  try {
    for (const family of ['unet', 'vit'] as const) {
      const graph = buildModelGraph({ ...BASE, family, dims: 3 });
      const params = createParams(graph, 9);
      const inputs = stereoPair(1, 64, 96, 21);
      const before = runGraph(graph, params, inputs).dataSync();
      saveWeights(dir, graph, params, { step: 5 });
      const manifest = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
      assert.equal(readFileSync(join(dir, 'weights.bin')).byteLength, graph.paramCount * 4);
      assert.equal(manifest.params[0].offset, 0);
      const loaded = loadWeights(dir);
      assert.deepEqual(loaded.config, graph.meta.config);
      assert.deepEqual(loaded.meta, { step: 5 });
      const after = runGraph(loaded.graph, loaded.params, inputs).dataSync();
      assert.deepEqual(after, before);
      disposeParams(params);
      disposeParams(loaded.params);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.equal(existsSync(dir), false);
});

test('head noise only acts while training, and is reproducible from its seed', () => {
  const graph = buildModelGraph({ ...BASE, family: 'unet' });
  const params = createParams(graph, 1);
  const inputs = stereoPair(1, 32, 32, 1);
  const clean = runGraph(graph, params, inputs).dataSync();
  const noise = { std: 0.5, seed: 4 };
  assert.deepEqual(runGraph(graph, params, inputs, { headNoise: noise }).dataSync(), clean);
  const noisy = runGraph(graph, params, inputs, { training: true, headNoise: noise }).dataSync();
  assert.notDeepEqual(noisy, clean);
  assert.deepEqual(runGraph(graph, params, inputs, { training: true, headNoise: noise }).dataSync(), noisy);
  disposeParams(params);
});
