import { ConfigError } from '../../util/errors.js';
import { Rng } from '../../util/rng.js';
import { resolveSyntheticOptions, type ResolvedSyntheticOptions } from '../options.js';
import type { StereoSample, SyntheticOptions } from '../types.js';
import { IDENTITY_RESPONSE, expose, randomResponse } from './photometric.js';
import { renderScene } from './render.js';
import { makeScene } from './scene.js';

/** A synthetic sample, with the right-view ground truth the file formats do not carry. */
export interface SyntheticSample extends StereoSample {
  disp: Float32Array;
  valid: Uint8Array;
  occ: Uint8Array;
  /** Disparity of the surface each right pixel sees (x_left = x_right + d). */
  dispRight: Float32Array;
  /** Number of surfaces in the scene, background included. */
  surfaceCount: number;
}

/** Indices are Rng stream ids, which are 32-bit signed integers. */
const MAX_INDEX = 0x7fffffff;

/**
 * Procedural stereo scenes in the spirit of FlyingThings3D. Each sample is a pure function of
 * (seed, index), so a training run can stream them in any order without touching the disk.
 */
export class SyntheticStereo {
  readonly options: Readonly<ResolvedSyntheticOptions>;

  constructor(opts: SyntheticOptions) {
    this.options = Object.freeze(resolveSyntheticOptions(opts));
  }

  sample(index: number): SyntheticSample {
    if (!Number.isInteger(index) || index < 0 || index > MAX_INDEX) {
      throw new ConfigError('index', index, `must be an integer in [0, ${MAX_INDEX}]`);
    }
    const { seed, width, height, photometric } = this.options;
    const rng = new Rng(seed, index);
    const scene = makeScene(this.options, rng);
    const views = renderScene(scene);
    const leftResponse = photometric ? randomResponse(rng) : IDENTITY_RESPONSE;
    const rightResponse = photometric ? randomResponse(rng) : IDENTITY_RESPONSE;
    return {
      width,
      height,
      left: expose(views.leftColour, leftResponse, rng),
      right: expose(views.rightColour, rightResponse, rng),
      disp: views.dispLeft,
      valid: new Uint8Array(width * height).fill(1),
      occ: views.occ,
      dispRight: views.dispRight,
      surfaceCount: scene.surfaces.length,
    };
  }
}
