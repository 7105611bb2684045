import * as tf from '@tensorflow/tfjs';
import type { StereoBatch } from '../data/types.js';
import type { ModelGraph } from '../models/ir.js';
import type { ModelConfig } from '../models/model.js';
import { runGraph, type ParamMap } from '../models/tfjs-build.js';
import { decodeHeadOutput } from '../models/head-decode.js';

/**
 * FP32 reference inference with tfjs: images of any size are padded (edge replication) to the
 * model's stride, run, cropped back, and the head is decoded to disparity in pixels.
 */
export class TfjsPredictor {
  constructor(
    readonly graph: ModelGraph,
    readonly params: ParamMap,
    readonly config: ModelConfig,
  ) {}

  /** Raw head output, NCHW [n, channels, H, W], at the batch's size. */
  headOutput(batch: StereoBatch): Float32Array {
    const { n, height, width } = batch;
    const s = this.graph.stride;
    const ph = Math.ceil(height / s) * s;
    const pw = Math.ceil(width / s) * s;
    // The typed array is read outside tidy: tidy scans returned values element by element.
    const output = tf.tidy(() => {
      const image = (data: Float32Array): tf.Tensor4D => {
        const nhwc = tf.transpose(tf.tensor4d(data, [n, 3, height, width]), [0, 2, 3, 1]) as tf.Tensor4D;
        return edgePad(nhwc, ph - height, pw - width);
      };
      const out = runGraph(this.graph, this.params, { left: image(batch.left), right: image(batch.right) });
      const cropped = tf.slice(out, [0, 0, 0, 0], [n, height, width, out.shape[3]]);
      return tf.transpose(cropped, [0, 3, 1, 2]);
    });
    const data = output.dataSync() as Float32Array;
    output.dispose();
    return data;
  }

  /** Disparity in pixels, [n, H, W]. */
  predict(batch: StereoBatch): Float32Array {
    return decodeHeadOutput(this.headOutput(batch), batch.n, batch.height, batch.width, this.config);
  }
}

/** Pads bottom and right by repeating the last row/column (no invented structure at the edge). */
function edgePad(x: tf.Tensor4D, bottom: number, right: number): tf.Tensor4D {
  let y = x;
  if (bottom > 0) {
    const last = tf.slice(y, [0, y.shape[1] - 1, 0, 0], [-1, 1, -1, -1]);
    y = tf.concat([y, tf.tile(last, [1, bottom, 1, 1])], 1);
  }
  if (right > 0) {
    const last = tf.slice(y, [0, 0, y.shape[2] - 1, 0], [-1, -1, 1, -1]);
    y = tf.concat([y, tf.tile(last, [1, 1, right, 1])], 2);
  }
  return y;
}
