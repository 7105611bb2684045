import type { RgbImage } from '../data/types.js';
import { ConfigError } from '../util/errors.js';
import type { HeadOutput, OutputDecoder } from './output-decoder.js';
import { cropPlanes, edgePadPlanes, resizePlanes } from './resample.js';

// Browser-safe (no node: imports): the web page runs a pair through these same steps on
// onnxruntime-web that DepthPredictor runs on onnxruntime-node.

export type { HeadOutput };

/** Runs the model on one planar pair whose size is a multiple of its stride. */
export type RawRunner = (left: Float32Array, right: Float32Array, height: number, width: number) => Promise<HeadOutput>;

export interface StereoPairResult {
  width: number;
  height: number;
  /** Left-view disparity in the input images' pixels, row-major, at the input size. */
  disparity: Float32Array;
  /** The head's output at the size the model ran at (before decoding), planar [channels, h, w]. */
  raw: HeadOutput;
  modelHeight: number;
  modelWidth: number;
}

/** v / 255 for every 8-bit value, rounded to float32 as the planar maps store it. */
const UNIT = Float32Array.from({ length: 256 }, (_, v) => v / 255);

/**
 * Interleaved 8-bit RGB to planar [3, h, w] floats in [0, 1], as the models take it. A table
 * look-up per value and the image's bytes read once: the straightforward loop (a division per
 * value, `image.data` looked up each time) took 1.2 ms per 128x256 image, a sixth of a w8a8 run.
 */
export function rgbToPlanar(image: RgbImage): Float32Array {
  const hw = image.width * image.height;
  const data = image.data;
  const out = new Float32Array(3 * hw);
  for (let p = 0, i = 0; p < hw; p++, i += 3) {
    out[p] = UNIT[data[i]];
    out[hw + p] = UNIT[data[i + 1]];
    out[2 * hw + p] = UNIT[data[i + 2]];
  }
  return out;
}

/**
 * One stereo pair through a model, as DepthPredictor.predict does it: optionally resized to
 * `resize`, edge-padded to the stride, run, cropped back, decoded, and brought back to the
 * input size (disparity scaled by the width ratio).
 */
export async function predictStereoPair(
  left: RgbImage,
  right: RgbImage,
  model: { stride: number; decoder: OutputDecoder; run: RawRunner },
  resize?: { height: number; width: number },
): Promise<StereoPairResult> {
  if (left.width !== right.width || left.height !== right.height) {
    throw new ConfigError('right image', `${right.width}x${right.height}`, `must match the left image, ${left.width}x${left.height}`);
  }
  const { width, height } = left;
  const target = resize ?? { height, width };
  const l = resizePlanes(rgbToPlanar(left), 3, height, width, target.height, target.width);
  const r = resizePlanes(rgbToPlanar(right), 3, height, width, target.height, target.width);
  const seen: { raw?: HeadOutput } = {};
  let disparity = await runPlanarPair(l, r, target.height, target.width, model, (output) => (seen.raw = output));
  if (target.height !== height || target.width !== width) {
    // Disparity is a horizontal distance: it scales with the width ratio.
    disparity = resizePlanes(disparity, 1, target.height, target.width, height, width);
    const scale = width / target.width;
    for (let i = 0; i < disparity.length; i++) disparity[i] *= scale;
  }
  return { width, height, disparity, raw: seen.raw as HeadOutput, modelHeight: target.height, modelWidth: target.width };
}

/**
 * One planar pair of any size: edge-padded to the stride, run, cropped back and decoded. `onRaw`
 * sees the head's output at the pair's size before decoding.
 */
export async function runPlanarPair(
  left: Float32Array,
  right: Float32Array,
  height: number,
  width: number,
  model: { stride: number; decoder: OutputDecoder; run: RawRunner },
  onRaw?: (raw: HeadOutput) => void,
): Promise<Float32Array> {
  const s = model.stride;
  const ph = Math.ceil(height / s) * s;
  const pw = Math.ceil(width / s) * s;
  const output = await model.run(edgePadPlanes(left, 3, height, width, ph, pw), edgePadPlanes(right, 3, height, width, ph, pw), ph, pw);
  // The head's tail (when the graph leaves it to the decoder) runs on the padded logits, as the graph would.
  const raw = cropPlanes(model.decoder.expand(output, ph, pw), model.decoder.channels, ph, pw, height, width);
  onRaw?.(raw);
  return model.decoder.decode(raw, height, width);
}
