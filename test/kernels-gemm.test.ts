import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { swapLastAxes } from '../src/train/backend/fast-transpose.js';
import { gemmFor, type Gemm } from '../src/train/backend/gemm.js';
import { withoutHeapModules } from '../src/train/backend/heap-wasm.js';
import { shiftedConv } from '../src/train/backend/shifted-conv.js';
import type { WasmBackend } from '../src/train/backend/wasm-heap.js';
import { assertMatchesCpu, setUpBackends, tensor, values } from './kernels-support.js';

const wasmBackend = (): WasmBackend => tf.backend() as unknown as WasmBackend;

function read(t: tf.TensorInfo): Float32Array {
  return Float32Array.from(wasmBackend().readSync(t.dataId) as Float32Array);
}

function assertClose(label: string, got: Float32Array, want: Float64Array): void {
  assert.equal(got.length, want.length, `${label}: size`);
  for (let i = 0; i < want.length; i++) {
    assert.ok(Math.abs(got[i] - want[i]) <= 1e-5 * (1 + Math.abs(want[i])), `${label}: element ${i} is ${got[i]}, want ${want[i]}`);
  }
}

describe('gemm.wat on the wasm heap', () => {
  let gemm: Gemm;
  before(async () => {
    await setUpBackends();
    const g = gemmFor(wasmBackend());
    assert.ok(g, 'gemm.wat instantiates on the wasm backend');
    gemm = g;
  });

  // m and n cover the 4x8, 4x4 and 1-row tiles and the scalar columns; lda/ldb/ldc exceed the
  // matrix widths and the operands start at offsets, as the kernels use them.
  const sizes = [
    [1, 1, 1], [3, 5, 2], [4, 8, 16], [5, 13, 7], [9, 17, 33], [8, 12, 4], [6, 3, 10], [13, 20, 9],
  ];
  for (const [m, n, k] of sizes) {
    for (const accumulate of [false, true]) {
      it(`C[${m}x${n}] ${accumulate ? '+=' : '='} A[${m}x${k}] B[${k}x${n}] with strides and offsets`, () => {
        const [lda, ldb, ldc, offA, offB, offC] = [k + 3, n + 2, n + 5, 7, 2, 1];
        const a = tf.tensor(values([offA + m * lda], 1));
        const b = tf.tensor(values([offB + k * ldb], 2));
        const c = tf.tensor(values([offC + m * ldc], 3));
        const [av, bv, before] = [a, b, c].map((t) => t.dataSync() as Float32Array);
        const want = Float64Array.from(before);
        for (let i = 0; i < m; i++) {
          for (let j = 0; j < n; j++) {
            let sum = accumulate ? before[offC + i * ldc + j] : 0;
            for (let p = 0; p < k; p++) sum += av[offA + i * lda + p] * bv[offB + p * ldb + j];
            want[offC + i * ldc + j] = sum;
          }
        }
        gemm({ tensor: a, offset: offA, ld: lda }, { tensor: b, offset: offB, ld: ldb }, { tensor: c, offset: offC, ld: ldc }, m, n, k, accumulate);
        // Elements outside C's m x n window are untouched: compared with their old values.
        assertClose('C', read(c), want);
        tf.dispose([a, b, c]);
      });
    }
  }

  it('sums shifted copies of A over a kh x kw tap grid, each with its own rows of B', () => {
    const [m, n, k, kh, kw, rowShift, colShift] = [7, 10, 3, 2, 3, 11, 3];
    const a = tf.tensor(values([m * k + (kh - 1) * rowShift + (kw - 1) * colShift], 4));
    const b = tf.tensor(values([kh * kw * k * n], 5));
    const c = tf.zeros([m * n]);
    const [av, bv] = [a, b].map((t) => t.dataSync() as Float32Array);
    const want = new Float64Array(m * n);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        for (let t = 0; t < kh * kw; t++) {
          const shift = Math.floor(t / kw) * rowShift + (t % kw) * colShift;
          for (let p = 0; p < k; p++) want[i * n + j] += av[shift + i * k + p] * bv[(t * k + p) * n + j];
        }
      }
    }
    gemm({ tensor: a, ld: k }, { tensor: b, ld: n }, { tensor: c, ld: n }, m, n, k, false, { kh, kw, rowShift, colShift });
    assertClose('C', read(c), want);
    tf.dispose([a, b, c]);
  });

  it('shiftedConv equals tf.conv2d on the cpu backend, asymmetric padding included', async () => {
    for (const [shape, filter, pad] of [
      [[2, 5, 7, 3], [3, 3, 3, 6], [1, 1, 1, 1]],
      [[1, 4, 6, 5], [2, 3, 5, 9], [0, 1, 2, 0]],
      [[3, 6, 5, 2], [1, 1, 2, 4], [0, 0, 0, 0]],
    ] as const) {
      const x = tensor([...shape], 6);
      const w = tensor([...filter], 7);
      const got = shiftedConv(wasmBackend(), gemm, x, w, [...pad]);
      const out = read(got);
      wasmBackend().disposeData(got.dataId);
      await tf.setBackend('cpu');
      const xc = tensor([...shape], 6) as tf.Tensor4D;
      const wc = tensor([...filter], 7) as tf.Tensor4D;
      const want = tf.conv2d(xc, wc, 1, [[0, 0], [pad[0], pad[1]], [pad[2], pad[3]], [0, 0]]);
      const wantValues = Float64Array.from(want.dataSync());
      tf.dispose([xc, wc, want]);
      await tf.setBackend('wasm');
      assertClose(`conv ${shape.join('x')} * ${filter.join('x')} pad ${pad.join(',')}`, out, wantValues);
      tf.dispose([x, w]);
    }
  });

  it('shiftedConv refuses a filter that leaves no output, before reading past the frame', () => {
    const x = tensor([1, 8, 3, 2], 10);
    const w = tensor([3, 5, 2, 4], 11);
    assert.throws(() => shiftedConv(wasmBackend(), gemm, x, w, [0, 0, 0, 0]), /leaves no output/);
    tf.dispose([x, w]);
  });
});

describe('transpose.wat', () => {
  before(setUpBackends);

  for (const shape of [[1, 1], [5, 7], [4, 8], [3, 9, 13], [2, 2, 16, 4], [1, 33, 30]]) {
    it(`swaps the last two axes of ${shape.join('x')} exactly as the builtin does`, () => {
      const x = tensor(shape, 8);
      const perm = [...shape.keys()];
      perm.push(perm.splice(-2, 1)[0]);
      const want = tf.transpose(x, perm);
      const got = swapLastAxes(wasmBackend(), x);
      assert.deepEqual(got.shape, want.shape);
      assert.deepEqual(read(got), want.dataSync());
      wasmBackend().disposeData(got.dataId);
      tf.dispose([x, want]);
    });
  }
});

describe('Sum on wasm matches cpu', () => {
  before(setUpBackends);
  const cases: { shape: number[]; axis: number | number[]; keepDims: boolean; note: string }[] = [
    { shape: [2, 5, 6, 7], axis: [0, 1, 2], keepDims: false, note: 'a bias gradient (gemm.wat)' },
    { shape: [2, 5, 6, 9], axis: [2, 0, 1], keepDims: true, note: 'leading axes in any order, kept' },
    { shape: [3, 4, 12], axis: 0, keepDims: false, note: 'one leading axis' },
    { shape: [2, 5, 6, 3], axis: [0, 1, 2], keepDims: false, note: 'under 4 columns (builtin)' },
    { shape: [2, 5, 6, 7], axis: [1, 2], keepDims: false, note: 'not leading (builtin)' },
    { shape: [4, 6], axis: [0, 1], keepDims: false, note: 'all axes (builtin)' },
  ];
  for (const c of cases) {
    it(`${c.shape.join('x')} over ${String(c.axis)}: ${c.note}`, async () => {
      await assertMatchesCpu(c.note, () => [tf.sum(tensor(c.shape, 9), c.axis, c.keepDims)]);
    });
  }
});

describe('without the WebAssembly modules, the kernels fall back to XNNPACK and still match cpu', () => {
  before(setUpBackends);

  it('conv forward, dx and dW at stride 1 and 2, both filter-gradient paths', async () => {
    for (const [shape, strides] of [[[2, 7, 9, 3], 1], [[2, 15, 13, 3], 1], [[2, 29, 27, 3], 2]] as const) {
      await withoutHeapModules(() =>
        assertMatchesCpu(`conv ${shape.join('x')} s${strides}`, () => {
          const x = tensor([...shape], 1) as tf.Tensor4D;
          const w = tensor([3, 3, 3, 5], 2) as tf.Tensor4D;
          const conv = (a: tf.Tensor, b: tf.Tensor): tf.Tensor4D => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, strides, 'same');
          const y = conv(x, w);
          const dy = tensor(y.shape, 3);
          return [y, ...tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(conv(a, b), dy)))([x, w])];
        }),
      );
    }
  });

  it('batched and transposed matMul, and a bias-gradient Sum', async () => {
    await withoutHeapModules(() =>
      assertMatchesCpu('matMul', () => {
        const a = tensor([3, 40, 50], 4);
        const b = tensor([3, 45, 50], 5);
        const f = (x: tf.Tensor, y: tf.Tensor): tf.Tensor => tf.matMul(x, y, false, true);
        const dy = tensor([3, 40, 45], 6);
        return [f(a, b), tf.sum(tensor([2, 5, 6, 7], 7), [0, 1, 2]), ...tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(f(x, y), dy)))([a, b])];
      }),
    );
  });
});
