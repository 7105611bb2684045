import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { filterGradAxis, inputGradPhases, phaseIsEmpty } from '../src/train/backend/conv-geometry.js';
import { IM2COL_MAX_PIXELS } from '../src/train/backend/Conv2DBackpropFilter.js';
import { runBuiltin, trainingKernels } from '../src/train/backend/index.js';
import { withAlias, type WasmBackend } from '../src/train/backend/wasm-heap.js';
import { assertMatchesCpu, setUpBackends, tensor, values } from './kernels-support.js';

describe('conv gradient geometry (1-D, brute force)', () => {
  // Every (size, filter, stride, pads) combination small enough to enumerate, checked against
  // the defining sums, so padding corner cases cannot hide.
  const combos: [number, number, number, number, number][] = [];
  for (let inSize = 1; inSize <= 9; inSize++) {
    for (let k = 1; k <= 5; k++) {
      for (let s = 1; s <= 3; s++) {
        for (let p = 0; p < k; p++) {
          for (let pa = 0; pa < k; pa++) {
            const outSize = Math.floor((inSize + p + pa - k) / s) + 1;
            if (outSize >= 1) combos.push([inSize, k, s, p, outSize]);
          }
        }
      }
    }
  }

  it('input-gradient phases reproduce dx = sum dy[o] w[k] over o*s - p + k = i', () => {
    for (const [inSize, k, s, p, outSize] of combos) {
      const w = values([k], 1);
      const dy = values([outSize], 2);
      const expected = new Float64Array(inSize);
      for (let o = 0; o < outSize; o++) {
        for (let t = 0; t < k; t++) {
          const i = o * s - p + t;
          if (i >= 0 && i < inSize) expected[i] += dy[o] * w[t];
        }
      }
      const got = new Float64Array(inSize);
      const seen = new Uint8Array(inSize);
      for (const ph of inputGradPhases(inSize, outSize, k, s, p)) {
        if (phaseIsEmpty(ph)) continue;
        const reach = ph.taps.length - 1;
        assert.equal(ph.convOut, outSize + ph.padBefore + ph.padAfter - reach);
        for (let q = ph.qFirst; q <= ph.qLast; q++) {
          const t = q - ph.qBase;
          assert.ok(t >= 0 && t < ph.convOut, `row ${t} outside conv output ${ph.convOut}`);
          let acc = 0;
          ph.taps.forEach((tap, j) => {
            const o = t + j - ph.padBefore;
            if (o >= 0 && o < outSize) acc += dy[o] * w[tap];
          });
          const i = q * s + ph.residue - p;
          assert.equal(seen[i], 0, `position ${i} written twice`);
          seen[i] = 1;
          got[i] = acc;
        }
      }
      for (let i = 0; i < inSize; i++) {
        assert.ok(Math.abs(got[i] - expected[i]) < 1e-9, `dx[${i}] for ${[inSize, k, s, p, outSize]}`);
      }
    }
  });

  it('filter-gradient padding reproduces dW = sum x[o*s - p + k] dy[o]', () => {
    for (const [inSize, k, s, p, outSize] of combos) {
      const x = values([inSize], 3);
      const dy = values([outSize], 4);
      const axis = filterGradAxis(inSize, outSize, k, s, p);
      assert.equal(axis.padBefore + axis.keep + axis.padAfter, k - 1 + (outSize - 1) * s + 1);
      assert.ok(axis.padAfter >= 0 && axis.keep <= inSize);
      for (let t = 0; t < k; t++) {
        let expected = 0;
        let got = 0;
        for (let o = 0; o < outSize; o++) {
          const i = o * s - p + t;
          if (i >= 0 && i < inSize) expected += x[i] * dy[o];
          const j = t + o * s - axis.padBefore; // index into the cropped input
          if (j >= 0 && j < axis.keep) got += x[j] * dy[o];
        }
        assert.ok(Math.abs(got - expected) < 1e-9, `dW[${t}] for ${[inSize, k, s, p, outSize]}`);
      }
    }
  });
});

type Pad = 'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]];

interface ConvCase {
  x: [number, number, number, number];
  w: [number, number, number, number];
  strides: number | [number, number];
  pad: Pad;
}

const convCases: ConvCase[] = [
  { x: [2, 7, 9, 3], w: [3, 3, 3, 5], strides: 1, pad: 'same' },
  { x: [2, 7, 9, 3], w: [3, 3, 3, 5], strides: 2, pad: 'same' },
  { x: [2, 7, 9, 3], w: [3, 3, 3, 5], strides: 1, pad: 'valid' },
  { x: [2, 7, 9, 3], w: [3, 3, 3, 5], strides: 2, pad: 'valid' },
  { x: [3, 9, 7, 4], w: [5, 5, 4, 2], strides: 1, pad: 'same' },
  { x: [1, 11, 10, 2], w: [5, 5, 2, 3], strides: 2, pad: 'same' },
  { x: [2, 9, 11, 3], w: [5, 5, 3, 4], strides: 2, pad: 'valid' },
  { x: [2, 8, 10, 6], w: [1, 1, 6, 4], strides: 2, pad: 'valid' },
  { x: [2, 8, 10, 3], w: [2, 2, 3, 4], strides: 2, pad: 'same' },
  { x: [2, 13, 12, 3], w: [4, 3, 3, 2], strides: 3, pad: 'valid' },
  { x: [2, 7, 9, 3], w: [3, 3, 3, 5], strides: [1, 2], pad: 'same' },
  { x: [2, 7, 9, 3], w: [3, 3, 3, 5], strides: 2, pad: [[0, 0], [1, 2], [0, 1], [0, 0]] },
  { x: [1, 6, 6, 2], w: [3, 3, 2, 2], strides: 1, pad: [[0, 0], [3, 0], [0, 4], [0, 0]] },
  // A numeric pad with a non-square filter: tfjs sizes both axes by the filter height (8 output
  // columns here, where the padding alone would give 9); the cpu backend follows that size.
  { x: [2, 7, 8, 3], w: [3, 2, 3, 5], strides: 1, pad: 1 },
  // Over IM2COL_MAX_PIXELS output pixels: the filter gradient from phase frames, not im2col.
  { x: [2, 15, 13, 3], w: [3, 3, 3, 5], strides: 1, pad: 'same' },
  { x: [2, 29, 27, 3], w: [3, 3, 3, 5], strides: 2, pad: 'same' },
  { x: [2, 19, 17, 4], w: [5, 5, 4, 2], strides: 1, pad: 'valid' },
  { x: [2, 40, 34, 2], w: [4, 3, 2, 3], strides: [3, 2], pad: [[0, 0], [1, 2], [0, 1], [0, 0]] },
];

function label(c: ConvCase): string {
  return `x ${c.x.join('x')} w ${c.w.join('x')} s ${String(c.strides)} pad ${JSON.stringify(c.pad)}`;
}

describe('conv2d gradient kernels on wasm match cpu', () => {
  before(setUpBackends);

  it('registers every training kernel on wasm', () => {
    for (const config of trainingKernels) {
      assert.equal(tf.getKernel(config.kernelName, 'wasm')?.kernelFunc, config.kernelFunc, config.kernelName);
    }
  });

  it('both filter-gradient paths are exercised', () => {
    const pixels = (c: ConvCase): number => {
      const info = tf.backend_util.computeConv2DInfo(c.x, c.w, c.strides, 1, c.pad as 'same');
      return c.x[0] * info.outHeight * info.outWidth;
    };
    assert.ok(convCases.some((c) => pixels(c) <= IM2COL_MAX_PIXELS));
    assert.ok(convCases.filter((c) => pixels(c) > IM2COL_MAX_PIXELS).length >= 4);
  });

  for (const c of convCases) {
    it(`y, dx and dW: ${label(c)}`, async () => {
      await assertMatchesCpu(label(c), () => {
        const x = tensor(c.x, 1) as tf.Tensor4D;
        const w = tensor(c.w, 2) as tf.Tensor4D;
        const conv = (a: tf.Tensor, b: tf.Tensor): tf.Tensor4D =>
          tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.strides, c.pad);
        const y = conv(x, w);
        const dy = tensor(y.shape, 3);
        return [y, ...tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(conv(a, b), dy)))([x, w])];
      });
    });
  }

  it('conv2dTranspose forward and gradients (stride 2, odd output size)', async () => {
    await assertMatchesCpu('conv2dTranspose', () => {
      const x = tensor([2, 4, 5, 6], 4) as tf.Tensor4D;
      const w = tensor([3, 3, 3, 6], 5) as tf.Tensor4D;
      const f = (a: tf.Tensor, b: tf.Tensor): tf.Tensor4D =>
        tf.conv2dTranspose(a as tf.Tensor4D, b as tf.Tensor4D, [2, 7, 9, 3], 2, 'same');
      const dy = tensor([2, 7, 9, 3], 6);
      return [f(x, w), ...tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(f(a, b), dy)))([x, w])];
    });
  });

  it('fused conv2d with bias and relu trains through the same kernels', async () => {
    await assertMatchesCpu('fused conv2d', () => {
      const x = tensor([2, 9, 7, 3], 7) as tf.Tensor4D;
      const w = tensor([3, 3, 3, 4], 8) as tf.Tensor4D;
      const b = tensor([4], 9) as tf.Tensor1D;
      const f = (xx: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor): tf.Tensor =>
        tf.fused.conv2d({ x: xx as tf.Tensor4D, filter: ww as tf.Tensor4D, strides: 2, pad: 'same', bias: bb, activation: 'relu' });
      const dy = tensor(f(x, w, b).shape, 10);
      return tf.grads((xx: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) => tf.sum(tf.mul(f(xx, ww, bb), dy)))([x, w, b]);
    });
  });

  it('dilated conv gradients are refused by tfjs itself, on every backend', () => {
    // Documents why no dilation > 1 case appears above: tfjs-core asserts before any kernel runs.
    const x = tensor([1, 9, 9, 2], 11) as tf.Tensor4D;
    const w = tensor([3, 3, 2, 2], 12) as tf.Tensor4D;
    assert.throws(
      () => tf.grad((ww: tf.Tensor) => tf.sum(tf.conv2d(x, ww as tf.Tensor4D, 1, 'same', 'NHWC', 2)))(w),
      /dilation/,
    );
    tf.dispose([x, w]);
  });
});

describe('withAlias (the filter gradient reads its patches in place)', () => {
  before(setUpBackends);

  it('a builtin reads the aliased slice, and releasing the alias frees nothing', async () => {
    await tf.setBackend('wasm');
    const backend = tf.backend() as unknown as WasmBackend;
    const source = tf.range(0, 12, 1, 'float32');
    const ids = backend.numDataIds();
    const sum = withAlias(backend, { dataId: source.dataId, shape: source.shape, dtype: 'float32' }, 5, [2, 3], (alias) => {
      assert.equal(backend.numDataIds(), ids + 1);
      return runBuiltin(backend, 'Sum', { x: alias }, { axis: [1], keepDims: false });
    });
    assert.deepEqual(Array.from(backend.readSync(sum.dataId) as Float32Array), [5 + 6 + 7, 8 + 9 + 10]);
    backend.disposeData(sum.dataId);
    assert.equal(backend.numDataIds(), ids, 'the alias is unregistered');
    assert.deepEqual(Array.from(source.dataSync()), Array.from({ length: 12 }, (_, i) => i), 'the source is intact');
    // The source's memory is still its own: a new tensor does not land on it.
    const other = tf.fill([12], 7);
    assert.deepEqual(Array.from(source.dataSync()), Array.from({ length: 12 }, (_, i) => i));
    tf.dispose([source, other]);
  });
});
