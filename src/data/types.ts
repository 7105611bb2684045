/** One rectified stereo pair with optional ground truth, as every data source delivers it. */
export interface StereoSample {
  width: number;
  height: number;
  /** RGB interleaved, HWC, length H*W*3. */
  left: Uint8Array;
  /** RGB interleaved, HWC, length H*W*3. */
  right: Uint8Array;
  /** Left-view disparity in px (x_right = x_left - d), length H*W; null without ground truth. */
  disp: Float32Array | null;
  /** 1 where disp is known and finite, 0 elsewhere; null iff disp is null. */
  valid: Uint8Array | null;
  /** 1 where the left pixel has no match in the right view; null when unknown. */
  occ: Uint8Array | null;
}

export interface SyntheticOptions {
  height: number;
  width: number;
  maxDisp: number;
  minObjects?: number;
  maxObjects?: number;
  seed: number;
  /** Gain, bias and noise differences between the views (default true for 'mixed', false otherwise). */
  photometric?: boolean;
  /** Scene style (default 'mixed'); see SCENE_STYLES. */
  scenes?: SceneStyle;
}

/**
 * - mixed: FlyingThings-like clutter: up to 16 objects, thin bars, star polygons, weak and flat
 *   textures, camera noise. Hard to be precise on: errors come from matching, not from INT8.
 * - precision: few large slanted planes (ellipses, convex polygons), every surface well textured,
 *   rendered clean (identical camera response). A model can be precise relative to its range, so
 *   INT8 error shows, as in the paper's clean rendered scenes.
 * - room: rendered clean as precision, but the background is a room: a plane and one to three
 *   walls meeting it at creases (continuous depth, no occlusion), with 0-2 objects. Depth edges,
 *   where every model is least precise, are rarer, as in the paper's rendered indoor scenes.
 */
export const SCENE_STYLES = ['mixed', 'precision', 'room'] as const;
export type SceneStyle = (typeof SCENE_STYLES)[number];

/** What a model was trained on, as its records say: synthetic and calibration pairs default to it. */
export interface TrainingScenes {
  height: number;
  width: number;
  scenes: SceneStyle;
}

export interface StereoDataset {
  readonly length: number;
  readonly name: string;
  /** Largest disparity the source can hold, when the source knows it (used for display). */
  readonly maxDisp?: number;
  get(index: number): StereoSample;
}

/** Planar NCHW tensors for training: images in [0,1], masks 0/1. */
export interface StereoBatch {
  n: number;
  height: number;
  width: number;
  /** N*3*H*W */
  left: Float32Array;
  /** N*3*H*W */
  right: Float32Array;
  /** N*H*W, 0 where invalid */
  disp: Float32Array;
  /** N*H*W */
  valid: Float32Array;
  /** N*H*W: valid and visible in the right view (equals valid when occlusion is unknown) */
  nonOcc: Float32Array;
}

/** An 8-bit RGB image, HWC. */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/** A disparity map with its validity mask. */
export interface DisparityMap {
  width: number;
  height: number;
  disp: Float32Array;
  valid: Uint8Array;
}
