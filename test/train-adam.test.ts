import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { Adam } from '../src/train/adam.js';
import { ADAM_UPDATE, adamUpdate, type AdamUpdateAttrs } from '../src/train/adam-kernel.js';
import { adamWasmFor } from '../src/train/adam-wasm.js';
import { setUpBackends, values } from './kernels-support.js';

/** Adam as the textbook writes it, in float64, with global-norm clipping. */
function referenceAdam(params: number[][], gradsPerStep: number[][][], lr: number, clipNorm: number): number[][] {
  const p = params.map((x) => [...x]);
  const m = p.map((x) => x.map(() => 0));
  const v = p.map((x) => x.map(() => 0));
  gradsPerStep.forEach((grads, s) => {
    const t = s + 1;
    const norm = Math.sqrt(grads.flat().reduce((a, g) => a + g * g, 0));
    const scale = norm > clipNorm ? clipNorm / norm : 1;
    p.forEach((x, k) =>
      x.forEach((_, i) => {
        const g = grads[k][i] * scale;
        m[k][i] = 0.9 * m[k][i] + 0.1 * g;
        v[k][i] = 0.999 * v[k][i] + 0.001 * g * g;
        x[i] -= (lr * (m[k][i] / (1 - 0.9 ** t))) / (Math.sqrt(v[k][i] / (1 - 0.999 ** t)) + 1e-8);
      }),
    );
  });
  return p;
}

describe('Adam: one fused kernel per parameter equals the textbook update, with clipping', () => {
  before(setUpBackends);

  it('the wasm backend runs adam.wat', async () => {
    await tf.setBackend('wasm');
    // Otherwise the 'on wasm' case below would only test the JS loop that cpu also runs.
    assert.notEqual(adamWasmFor(tf.backend() as unknown as BackendWasm), null);
  });

  for (const backend of ['wasm', 'cpu'] as const) {
    it(`on ${backend}`, async () => {
      await tf.setBackend(backend);
      // 12 elements: SIMD lanes only; 5: lanes and a scalar tail.
      const shapes = [[3, 4], [5]];
      const init = shapes.map((s, k) => Array.from(values(s, k + 1)));
      const gradsPerStep = [0, 1, 2].map((step) => shapes.map((s, k) => Array.from(values(s, 10 * step + k + 7)).map((g) => g * (step === 1 ? 50 : 1))));
      const params = new Map(shapes.map((s, k) => [`p${k}`, tf.variable(tf.tensor(init[k], s))]));
      const adam = new Adam(params, { clipNorm: 5 });
      const norms: number[] = [];
      for (const grads of gradsPerStep) {
        const named = Object.fromEntries(grads.map((g, k) => [`p${k}`, tf.tensor(g, shapes[k])]));
        norms.push(adam.apply(named, 0.01));
        tf.dispose(Object.values(named));
      }
      assert.ok(norms[1] > 5, 'step 2 exercises clipping');
      const expected = referenceAdam(init, gradsPerStep, 0.01, 5);
      [...params.values()].forEach((p, k) => {
        const got = p.dataSync();
        expected[k].forEach((e, i) => assert.ok(Math.abs(got[i] - e) < 1e-6, `p${k}[${i}]: ${got[i]} vs ${e}`));
      });
      adam.dispose();
      for (const p of params.values()) p.dispose();
      await tf.setBackend('wasm');
    });
  }
});

describe('Adam: the JS loop and the SIMD module give the same bits', () => {
  before(setUpBackends);
  it('on 1,003 elements (lanes and a tail), clipped, late in training', async () => {
    await tf.setBackend('wasm');
    const n = 1003;
    const [p, g, m, v] = [1, 2, 3, 4].map((seed) => values([n], seed));
    for (let i = 0; i < n; i++) v[i] = Math.abs(v[i]) * 1e-3;
    const attrs: AdamUpdateAttrs = { lr: 3e-4, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, correction1: 1 - 0.9 ** 1234, correction2: 1 - 0.999 ** 1234, gradScale: 0.37 };
    const js = [new Float32Array(n), new Float32Array(n), new Float32Array(n)];
    adamUpdate(p, g, m, v, js[0], js[1], js[2], attrs);
    const inputs = { param: tf.tensor(p), grad: tf.tensor(g), m: tf.tensor(m), v: tf.tensor(v) };
    const outs = tf.engine().runKernel(ADAM_UPDATE, inputs, attrs) as tf.Tensor[];
    outs.forEach((t, k) => assert.deepEqual(t.dataSync(), js[k], ['param', 'm', 'v'][k]));
    tf.dispose([...outs, ...Object.values(inputs)]);
  });
});
