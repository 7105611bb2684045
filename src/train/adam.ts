import * as tf from '@tensorflow/tfjs';
import type { ParamMap } from '../models/tfjs-build.js';

export interface AdamOptions {
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  /** Rescale the gradients when their global L2 norm exceeds this (0 = never). */
  clipNorm?: number;
}

/**
 * Adam written out rather than tfjs's optimizer: the learning rate changes every step, and its
 * whole state (moments and step count) must be saved and restored bit for bit on resume.
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
    const norm = tf.tidy(() => {
      const squares = [...this.params.keys()].map((name) => tf.sum(tf.square(grads[name])));
      return tf.sqrt(tf.addN(squares)).dataSync()[0];
    });
    const scale = this.clipNorm > 0 && norm > this.clipNorm ? this.clipNorm / norm : 1;
    const correction1 = 1 - this.beta1 ** t;
    const correction2 = 1 - this.beta2 ** t;
    tf.tidy(() => {
      for (const [name, p] of this.params) {
        const g = scale === 1 ? grads[name] : tf.mul(grads[name], scale);
        const m = this.m.get(name) as tf.Variable;
        const v = this.v.get(name) as tf.Variable;
        m.assign(tf.add(tf.mul(m, this.beta1), tf.mul(g, 1 - this.beta1)));
        v.assign(tf.add(tf.mul(v, this.beta2), tf.mul(tf.square(g), 1 - this.beta2)));
        const update = tf.div(tf.div(m, correction1), tf.add(tf.sqrt(tf.div(v, correction2)), this.epsilon));
        p.assign(tf.sub(p, tf.mul(update, lr)));
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
