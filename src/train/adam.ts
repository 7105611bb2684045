import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { ParamMap } from '../models/tfjs-build.js';
import { ADAM_UPDATE, type AdamUpdateAttrs } from './adam-kernel.js';
import { adamWasmFor } from './adam-wasm.js';
import { heapAddress } from './backend/wasm-heap.js';

/** In float64; on wasm straight from the heap, elsewhere from a read-back copy. */
function sumOfSquares(t: tf.Tensor): number {
  const backend = tf.engine().backend as unknown as BackendWasm;
  const simd = tf.getBackend() === 'wasm' ? adamWasmFor(backend) : null;
  if (simd) return simd.sumSquares(heapAddress(backend, t), t.size);
  const g = t.dataSync();
  let sum = 0;
  for (let i = 0; i < g.length; i++) sum += g[i] * g[i];
  return sum;
}

export interface AdamOptions {
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  /** Rescale the gradients when their global L2 norm exceeds this (0 = never). */
  clipNorm?: number;
}

/**
 * Adam written out rather than tfjs's optimizer: the learning rate changes every step, and its
 * whole state (moments and step count) must be saved and restored bit for bit on resume. Each
 * parameter's update is one kernel (adam-kernel.ts).
 */
export class Adam {
  step = 0;
  private readonly m = new Map<string, tf.Variable>();
  private readonly v = new Map<string, tf.Variable>();
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly epsilon: number;
  private readonly clipNorm: number;

  constructor(
    private readonly params: ParamMap,
    options: AdamOptions = {},
  ) {
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.epsilon = options.epsilon ?? 1e-8;
    this.clipNorm = options.clipNorm ?? 0;
    const zeroVariable = (like: tf.Tensor): tf.Variable => {
      // tf.variable shares the initial tensor's data; the tensor itself must still be released.
      const zeros = tf.zerosLike(like);
      const variable = tf.variable(zeros, false);
      zeros.dispose();
      return variable;
    };
    for (const [name, p] of params) {
      this.m.set(name, zeroVariable(p));
      this.v.set(name, zeroVariable(p));
    }
  }

  /** One update with learning rate lr; returns the gradients' global norm before clipping. */
  apply(grads: tf.NamedTensorMap, lr: number): number {
    this.step++;
    const t = this.step;
    const norm = Math.sqrt([...this.params.keys()].reduce((sum, name) => sum + sumOfSquares(grads[name]), 0));
    const attrs: AdamUpdateAttrs = {
      lr,
      beta1: this.beta1,
      beta2: this.beta2,
      epsilon: this.epsilon,
      correction1: 1 - this.beta1 ** t,
      correction2: 1 - this.beta2 ** t,
      gradScale: this.clipNorm > 0 && norm > this.clipNorm ? this.clipNorm / norm : 1,
    };
    tf.tidy(() => {
      for (const [name, p] of this.params) {
        const m = this.m.get(name) as tf.Variable;
        const v = this.v.get(name) as tf.Variable;
        const [p2, m2, v2] = tf.engine().runKernel(ADAM_UPDATE, { param: p, grad: grads[name], m, v }, attrs) as tf.Tensor[];
        p.assign(p2);
        m.assign(m2);
        v.assign(v2);
      }
    });
    return norm;
  }

  /** Moments in parameter order: m of every parameter, then v of every parameter. */
  saveState(): Float32Array[] {
    const names = [...this.params.keys()];
    return [...names.map((n) => this.m.get(n)), ...names.map((n) => this.v.get(n))].map(
      (t) => (t as tf.Variable).dataSync() as Float32Array,
    );
  }

  loadState(step: number, moments: Float32Array[]): void {
    const names = [...this.params.keys()];
    if (moments.length !== 2 * names.length) throw new Error(`optimizer state has ${moments.length} tensors, expected ${2 * names.length}`);
    tf.tidy(() => {
      names.forEach((name, i) => {
        const m = this.m.get(name) as tf.Variable;
        const v = this.v.get(name) as tf.Variable;
        m.assign(tf.tensor(moments[i], m.shape));
        v.assign(tf.tensor(moments[names.length + i], v.shape));
      });
    });
    this.step = step;
  }

  dispose(): void {
    for (const t of [...this.m.values(), ...this.v.values()]) t.dispose();
  }
}
