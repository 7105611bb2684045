import { colorizeDisparity, sideBySide } from './colorize.js';
import type { RgbImage, StereoSample } from './types.js';

/** Left, right and colourised disparity side by side; a mid-grey panel when there is no ground truth. */
export function previewSample(sample: StereoSample, maxDisp?: number): RgbImage {
  const { width, height } = sample;
  const dispPanel = sample.disp
    ? colorizeDisparity(width, height, sample.disp, sample.valid, maxDisp)
    : { width, height, data: new Uint8Array(width * height * 3).fill(128) };
  return sideBySide([{ width, height, data: sample.left }, { width, height, data: sample.right }, dispPanel]);
}
