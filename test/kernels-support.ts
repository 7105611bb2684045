// Shared by the kernels-*.test.ts files: run one computation on the cpu backend (reference) and on
// wasm with our kernels, and compare.
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initTrainingBackend } from '../src/train/backend/index.js';

let ready: Promise<void> | undefined;

/** Initialises wasm with the training kernels once per test process; leaves wasm selected. */
export function setUpBackends(): Promise<void> {
  // Silences the cpu backend's "install tfjs-node" banner.
  tf.env().set('IS_TEST', true);
  ready ??= initTrainingBackend('wasm');
  return ready;
}

/** Deterministic values in [-1, 1): tests must not depend on tfjs's random state per backend. */
export function values(shape: number[], seed: number): Float32Array {
  const out = new Float32Array(tf.util.sizeFromShape(shape));
  let s = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < out.length; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = ((s >>> 0) / 4294967296) * 2 - 1;
  }
  return out;
}

/** Runs `f` under `backend` and returns its outputs as plain arrays (tensors disposed). */
export async function runOn(backend: 'cpu' | 'wasm', f: () => tf.Tensor[]): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const outs = tf.tidy(f);
  const arrays = outs.map((t) => Float32Array.from(t.dataSync()));
  tf.dispose(outs);
  await tf.setBackend('wasm');
  return arrays;
}

/** Asserts that wasm reproduces cpu to `tol` relative to the largest reference magnitude. */
export async function assertMatchesCpu(label: string, f: () => tf.Tensor[], tol = 1e-4): Promise<void> {
  const ref = await runOn('cpu', f);
  const got = await runOn('wasm', f);
  assert.equal(got.length, ref.length, `${label}: output count`);
  ref.forEach((r, i) => {
    const g = got[i];
    assert.equal(g.length, r.length, `${label}: output ${i} size`);
    let scale = 0;
    let diff = 0;
    for (let j = 0; j < r.length; j++) {
      scale = Math.max(scale, Math.abs(r[j]));
      diff = Math.max(diff, Math.abs(r[j] - g[j]));
    }
    assert.ok(diff <= tol * Math.max(scale, 1e-6), `${label}: output ${i} differs by ${diff} (scale ${scale})`);
  });
}

/** A float32 tensor of deterministic values. */
export function tensor(shape: number[], seed: number): tf.Tensor {
  return tf.tensor(values(shape, seed), shape);
}
