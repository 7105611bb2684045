import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { assertMatchesCpu, setUpBackends, tensor } from './kernels-support.js';

// Shapes large enough to take the XNNPACK path (>= 32^3 multiply-adds per batch) unless noted.
// b is given as stored, i.e. already [.., N, K] when tb. Batch broadcasting is checked forward
// only: tfjs-core's BatchMatMul gradient does not reduce broadcast dims, on any backend.
const cases: { a: number[]; b: number[]; ta: boolean; tb: boolean; note?: string; broadcast?: true }[] = [
  { a: [70, 40], b: [40, 33], ta: false, tb: false },
  { a: [40, 70], b: [40, 33], ta: true, tb: false },
  { a: [70, 40], b: [33, 40], ta: false, tb: true },
  { a: [40, 70], b: [33, 40], ta: true, tb: true },
  { a: [3, 50, 40], b: [3, 40, 45], ta: false, tb: false },
  { a: [2, 3, 50, 40], b: [2, 3, 45, 40], ta: false, tb: true, note: 'attention scores' },
  { a: [2, 3, 40, 50], b: [2, 3, 40, 45], ta: true, tb: false },
  { a: [4, 50, 40], b: [40, 45], ta: false, tb: false, note: 'shared weights', broadcast: true },
  { a: [4, 40, 50], b: [45, 40], ta: true, tb: true, note: 'shared weights, both transposed', broadcast: true },
  { a: [50, 40], b: [4, 40, 45], ta: false, tb: false, note: 'shared left factor', broadcast: true },
  { a: [2, 1, 50, 40], b: [1, 3, 40, 45], ta: false, tb: false, note: 'mixed broadcast, builtin', broadcast: true },
  { a: [5, 8, 6], b: [5, 7, 6], ta: false, tb: true, note: 'tiny, builtin' },
  { a: [1, 64, 64], b: [1, 64, 64], ta: false, tb: false },
];

describe('BatchMatMul on wasm matches cpu', () => {
  before(setUpBackends);

  for (const c of cases) {
    const label = `${c.a.join('x')}${c.ta ? 'ᵀ' : ''} · ${c.b.join('x')}${c.tb ? 'ᵀ' : ''}${c.note ? ` (${c.note})` : ''}`;
    it(`${label}: product${c.broadcast ? '' : ' and both gradients'}`, async () => {
      await assertMatchesCpu(label, () => {
        const a = tensor(c.a, 1);
        const b = tensor(c.b, 2);
        const f = (x: tf.Tensor, y: tf.Tensor): tf.Tensor => tf.matMul(x, y, c.ta, c.tb);
        const out = f(a, b);
        if (c.broadcast) return [out];
        const dy = tensor(out.shape, 3);
        return [out, ...tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(f(x, y), dy)))([a, b])];
      });
    });
  }

  it('dense layer with bias and relu (fused matMul forward, BatchMatMul backward)', async () => {
    await assertMatchesCpu('fused dense', () => {
      const x = tensor([64, 48], 4) as tf.Tensor2D;
      const w = tensor([48, 40], 5) as tf.Tensor2D;
      const bias = tensor([40], 6);
      const f = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor): tf.Tensor =>
        tf.fused.matMul({ a: a as tf.Tensor2D, b: b as tf.Tensor2D, bias: c, activation: 'relu' });
      const dy = tensor([64, 40], 7);
      return tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => tf.sum(tf.mul(f(a, b, c), dy)))([x, w, bias]);
    });
  });
});
