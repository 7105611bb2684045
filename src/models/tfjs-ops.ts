import * as tf from '@tensorflow/tfjs';
import type { NodeOf, OpType } from './ir.js';
import { matchingCostNhwc } from './tfjs-matching-cost.js';

/**
 * One tfjs implementation per IR op. Maps are held in NHWC (the layout tfjs-wasm's XNNPACK
 * convolutions want), so every map op translates its NCHW-described axis; tensors (tokens)
 * are used as they are. Everything here is differentiable with tf.grad / optimizers.
 */
export type TfjsOp<K extends OpType> = (node: NodeOf<K>, args: tf.Tensor[], fusedActivation?: 'relu' | 'relu6') => tf.Tensor;

/** NCHW axis of a map -> NHWC axis. */
const NHWC_AXIS = { 1: 3, 2: 1, 3: 2 } as const;

export const TFJS_OPS: { [K in OpType]: TfjsOp<K> } = {
  affine: (node, [x]) => {
    const { scale, bias } = node.attrs;
    const scaled = scale === 1 ? x : tf.mul(x, scale);
    return bias === 0 ? scaled : tf.add(scaled, bias);
  },
  conv2d: (node, [x, filter, bias], fusedActivation) =>
    tf.fused.conv2d({
      x: x as tf.Tensor4D,
      filter: filter as tf.Tensor4D,
      bias,
      strides: node.attrs.stride,
      pad: node.attrs.pad,
      dilations: node.attrs.dilation,
      activation: fusedActivation ?? 'linear',
    }),
  relu: (_node, [x]) => tf.relu(x),
  relu6: (_node, [x]) => tf.relu6(x),
  sigmoid: (_node, [x]) => tf.sigmoid(x),
  add: (_node, [a, b]) => tf.add(a, b),
  mul: (_node, [a, b]) => tf.mul(a, b),
  concat: (_node, xs) => (xs.length > 2 && xs.every((x) => x.shape[3] === 1) ? concatPlanes(xs) : tf.concat(xs, 3)),
  resize: (node, [x]) => {
    const [, h, w] = x.shape;
    const size: [number, number] = [h * node.attrs.scale, w * node.attrs.scale];
    // halfPixelCenters = true matches ONNX Resize coordinate_transformation_mode = half_pixel.
    return node.attrs.mode === 'bilinear'
      ? tf.image.resizeBilinear(x as tf.Tensor4D, size, false, true)
      : tf.image.resizeNearestNeighbor(x as tf.Tensor4D, size, false, true);
  },
  pad: (node, [x]) => {
    const { top, bottom, left, right } = node.attrs;
    return tf.pad(x, [[0, 0], [top, bottom], [left, right], [0, 0]]);
  },
  slice: (node, [x]) => {
    const axis = NHWC_AXIS[node.attrs.axis];
    const length = x.shape[axis] as number;
    const { start, end } = node.attrs;
    const stop = end === null ? length : end < 0 ? length + end : end;
    const begin = [0, 0, 0, 0];
    const size = [...x.shape];
    begin[axis] = start;
    size[axis] = stop - start;
    return tf.slice(x, begin, size);
  },
  reduceMean: (_node, [x]) => tf.mean(x, 3, true),
  toTokens: (_node, [x]) => {
    const [n, h, w, c] = x.shape;
    return tf.reshape(x, [n, h * w, c]);
  },
  fromTokens: (_node, [tokens, ref]) => {
    const [n, h, w] = ref.shape;
    return tf.reshape(tokens, [n, h, w, tokens.shape[2] as number]);
  },
  matMul: (_node, [a, b]) => {
    if (b.rank === 2 && a.rank > 2) {
      // One GEMM over all tokens instead of a broadcast batch matmul.
      const k = a.shape[a.rank - 1] as number;
      const flat = tf.matMul(tf.reshape(a, [-1, k]), b as tf.Tensor2D);
      return tf.reshape(flat, [...a.shape.slice(0, -1), b.shape[1] as number]);
    }
    return tf.matMul(a as tf.Tensor3D, b as tf.Tensor3D);
  },
  softmax: (_node, [x]) => tf.softmax(x, -1),
  layerNorm: (node, [x, gamma, beta]) => {
    const { mean, variance } = tf.moments(x, -1, true);
    const normed = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, node.attrs.epsilon)));
    return tf.add(tf.mul(normed, gamma), beta);
  },
  transpose: (node, [x]) => tf.transpose(x, node.attrs.perm),
  reshape: (node, [x]) => tf.reshape(x, node.attrs.shape.map((d, i) => (d === 0 ? x.shape[i] : d))),
  matchingCost: (node, [l, r]) => matchingCostNhwc(l as tf.Tensor4D, r as tf.Tensor4D, node.attrs.maxShift, node.attrs.metric),
};

/**
 * Channel concat of single-channel maps (the correlation planes). tfjs-wasm concatenates along
 * the last axis with one copy per pixel and input; stacking whole planes and transposing once
 * is several times faster and has the same gradient.
 */
function concatPlanes(xs: tf.Tensor[]): tf.Tensor {
  const [n, h, w] = xs[0].shape as number[];
  const stacked = tf.concat(xs.map((x) => tf.reshape(x, [1, -1])), 0);
  return tf.reshape(tf.transpose(stacked, [1, 0]), [n, h, w, xs.length]);
}
