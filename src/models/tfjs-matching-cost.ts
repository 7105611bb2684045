import * as tf from '@tensorflow/tfjs';

/**
 * Kernel name of the whole backward pass, (dy, left, right) -> (dLeft, dRight), for backends
 * that register one (the training backend does for wasm); elsewhere costGrads' ops run.
 */
export const MATCHING_COST_GRAD = 'HilbertqMatchingCostGrad';

export interface MatchingCostGradAttrs extends tf.NamedAttrMap {
  metric: 'ssd' | 'dot';
}

/**
 * The forward pass from tfjs ops (pad, one slice per displacement, SIMD elementwise ops), the
 * backward pass written out: autodiff of the slices pads a full-size gradient per displacement
 * (the backward cost 8x the forward); here each input's gradient is one more pass of slices and
 * multiplies, with the shift moved onto the one-channel output gradient for the right view.
 */
export function matchingCostNhwc(left: tf.Tensor4D, right: tf.Tensor4D, maxShift: number, metric: 'ssd' | 'dot'): tf.Tensor4D {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [l, r, save] = args as [tf.Tensor4D, tf.Tensor4D, tf.GradSaveFunc];
    save([l, r]);
    // Intermediates are freed here, not at the end of the caller's scope.
    const value = tf.tidy(() => costFromOps(l, r, maxShift, metric));
    // tfjs runs gradient functions outside any per-node scope: free the temporaries here.
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor[] =>
      tf.getKernel(MATCHING_COST_GRAD, tf.getBackend()) !== undefined
        ? (tf.engine().runKernel(MATCHING_COST_GRAD, { dy, left: saved[0], right: saved[1] }, { metric } as MatchingCostGradAttrs) as tf.Tensor[])
        : tf.tidy(() => costGrads(dy as tf.Tensor4D, saved as tf.Tensor4D[], maxShift, metric));
    return { value, gradFunc };
  });
  return op(left, right) as tf.Tensor4D;
}

/** right(x - d) for every d, zero where x - d < 0. */
function shiftsRight(r: tf.Tensor4D, maxShift: number): tf.Tensor4D[] {
  const width = r.shape[2];
  const padded = maxShift > 0 ? tf.pad(r, [[0, 0], [0, 0], [maxShift, 0], [0, 0]]) : r;
  return Array.from({ length: maxShift + 1 }, (_, d) => tf.slice(padded, [0, 0, maxShift - d, 0], [-1, -1, width, -1]));
}

/** x(y + d) for every d, zero where y + d is beyond the width. */
function shiftsLeft(x: tf.Tensor4D, maxShift: number): tf.Tensor4D[] {
  const width = x.shape[2];
  const padded = maxShift > 0 ? tf.pad(x, [[0, 0], [0, 0], [0, maxShift], [0, 0]]) : x;
  return Array.from({ length: maxShift + 1 }, (_, d) => tf.slice(padded, [0, 0, d, 0], [-1, -1, width, -1]));
}

function costFromOps(l: tf.Tensor4D, r: tf.Tensor4D, maxShift: number, metric: 'ssd' | 'dot'): tf.Tensor4D {
  const planes = shiftsRight(r, maxShift).map((rd) => tf.mean(metric === 'ssd' ? tf.squaredDifference(l, rd) : tf.mul(l, rd), 3, true));
  return (planes.length === 1 ? planes[0] : tf.concat(planes, 3)) as tf.Tensor4D;
}

/**
 * ssd: dL = 2/C (L sum_d g_d - sum_d g_d R_d); dR(y) = -2/C (sum_d g_d(y+d) L(y+d) - R(y) sum_d g_d(y+d)).
 * dot: dL = 1/C sum_d g_d R_d;                 dR(y) = 1/C sum_d g_d(y+d) L(y+d).
 */
function costGrads(dy: tf.Tensor4D, [l, r]: tf.Tensor4D[], maxShift: number, metric: 'ssd' | 'dot'): tf.Tensor[] {
  const c = l.shape[3];
  const g = tf.split(dy, maxShift + 1, 3) as tf.Tensor4D[];
  // g_d(y + d), zero beyond the width: plane d of dy, shifted left by d.
  const width = dy.shape[2];
  const dyPadded = maxShift > 0 ? tf.pad(dy, [[0, 0], [0, 0], [0, maxShift], [0, 0]]) : dy;
  const gShifted = g.map((_, d) => tf.slice(dyPadded, [0, 0, d, d], [-1, -1, width, 1]));
  const sum = (xs: tf.Tensor[]): tf.Tensor => (xs.length === 1 ? xs[0] : tf.addN(xs));
  const weightedR = sum(shiftsRight(r, maxShift).map((rd, d) => tf.mul(rd, g[d])));
  const weightedL = sum(shiftsLeft(l, maxShift).map((ld, d) => tf.mul(ld, gShifted[d])));
  if (metric === 'dot') return [tf.mul(weightedR, 1 / c), tf.mul(weightedL, 1 / c)];
  const dl = tf.mul(tf.sub(tf.mul(l, tf.sum(dy, 3, true)), weightedR), 2 / c);
  const dr = tf.mul(tf.sub(tf.mul(r, sum(gShifted)), weightedL), 2 / c);
  return [dl, dr];
}

