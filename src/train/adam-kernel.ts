import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapAddress } from './backend/wasm-heap.js';
import { adamWasmFor } from './adam-wasm.js';

/**
 * One Adam update of one parameter as a single kernel: new param, m and v in one pass over the
 * data. Written with tfjs ops it took ~15 small kernels per parameter; for the ViT's ~120
 * parameters that was ~1,800 kernel launches per step, more time than some of its convolutions.
 */
export const ADAM_UPDATE = 'HilbertqAdamUpdate';

export interface AdamUpdateAttrs extends tf.NamedAttrMap {
  lr: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  /** 1 - beta1^t and 1 - beta2^t. */
  correction1: number;
  correction2: number;
  /** Gradient scale from norm clipping (1 = none). */
  gradScale: number;
}

/**
 * lr (m / c1) / (sqrt(v / c2) + eps) with numerator and denominator times sqrt(c2): one division
 * per element, by sqrt(v) + epsilonHat, times stepSize.
 */
function biasCorrected(a: AdamUpdateAttrs): { stepSize: number; epsilonHat: number } {
  return { stepSize: (a.lr * Math.sqrt(a.correction2)) / a.correction1, epsilonHat: a.epsilon * Math.sqrt(a.correction2) };
}

/**
 * p, m, v -> p', m', v' (all float32 arrays of one length), every operation rounded to float32
 * in adam.wat's order, so this loop (cpu, or wasm without the module) and the SIMD module give
 * the same bits and a run resumes identically on either. (A float64 product or sum of two
 * float32 values rounded once to float32 is the correctly rounded float32 result.)
 */
export function adamUpdate(
  p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array,
  pOut: Float32Array, mOut: Float32Array, vOut: Float32Array, a: AdamUpdateAttrs,
): void {
  const f = Math.fround;
  const { stepSize, epsilonHat } = biasCorrected(a);
  const [scale, b1, c1, b2, c2, step, eps] = [a.gradScale, a.beta1, 1 - a.beta1, a.beta2, 1 - a.beta2, stepSize, epsilonHat].map(f);
  for (let i = 0; i < p.length; i++) {
    const gi = f(g[i] * scale);
    const mi = f(f(b1 * m[i]) + f(c1 * gi));
    const vi = f(f(b2 * v[i]) + f(f(c2 * gi) * gi));
    mOut[i] = mi;
    vOut[i] = vi;
    pOut[i] = f(p[i] - f(f(step * mi) / f(f(Math.sqrt(vi)) + eps)));
  }
}

type AnyBackend = tf.KernelBackend & Partial<Pick<BackendWasm, 'makeOutput' | 'typedArrayFromHeap'>> & {
  makeTensorInfo?: (shape: number[], dtype: tf.DataType, values: Float32Array) => tf.TensorInfo;
};

function kernelFunc({ inputs, backend, attrs }: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo[] {
  const b = backend as AnyBackend;
  const { param, grad, m, v } = inputs as Record<'param' | 'grad' | 'm' | 'v', tf.TensorInfo>;
  const a = attrs as AdamUpdateAttrs;
  if (b.makeOutput && b.typedArrayFromHeap) {
    // Allocate first: a later allocation may grow the heap and detach earlier views.
    const outs = [b.makeOutput(param.shape, 'float32'), b.makeOutput(m.shape, 'float32'), b.makeOutput(v.shape, 'float32')];
    const view = (t: tf.TensorInfo): Float32Array => (b.typedArrayFromHeap as BackendWasm['typedArrayFromHeap'])(t) as Float32Array;
    const simd = adamWasmFor(b as unknown as BackendWasm);
    if (simd) {
      const at = (t: tf.TensorInfo): number => heapAddress(b as unknown as BackendWasm, t);
      const { stepSize, epsilonHat } = biasCorrected(a);
      // adamUpdate in float32 lanes, ~10x faster than the JS loop, same bits.
      simd.adam(at(param), at(grad), at(m), at(v), at(outs[0]), at(outs[1]), at(outs[2]), tf.util.sizeFromShape(param.shape),
        a.gradScale, a.beta1, 1 - a.beta1, a.beta2, 1 - a.beta2, stepSize, epsilonHat);
    } else {
      adamUpdate(view(param), view(grad), view(m), view(v), view(outs[0]), view(outs[1]), view(outs[2]), a);
    }
    return outs;
  }
  if (!b.makeTensorInfo) throw new Error(`${ADAM_UPDATE} has no way to write outputs on this backend`);
  const read = (t: tf.TensorInfo): Float32Array => b.readSync(t.dataId) as Float32Array;
  const n = tf.util.sizeFromShape(param.shape);
  const [pOut, mOut, vOut] = [new Float32Array(n), new Float32Array(n), new Float32Array(n)];
  adamUpdate(read(param), read(grad), read(m), read(v), pOut, mOut, vOut, a);
  const make = b.makeTensorInfo.bind(b);
  return [make(param.shape, 'float32', pOut), make(m.shape, 'float32', mOut), make(v.shape, 'float32', vOut)];
}

for (const backendName of ['wasm', 'cpu']) {
  tf.registerKernel({ kernelName: ADAM_UPDATE, backendName, kernelFunc: kernelFunc as unknown as tf.KernelConfig['kernelFunc'] });
}
