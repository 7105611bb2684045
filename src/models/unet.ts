import { widen, type GraphBuilder } from './graph-builder.js';
import { stereoStem } from './stereo-stem.js';

export interface UnetOptions {
  width: number;
  maxDisp: number;
}

/** The U-Net reaches 1/16; inputs must be multiples of this. */
export const UNET_STRIDE = 16;

/**
 * DispNetC-like backbone: shared encoder + correlation at 1/4 (stereo-stem.ts), an encoder on
 * the cost down to 1/16 for context, and a decoder of (1x1 reduce, bilinear x2, concat skip,
 * 3x3 conv) back to 1/2, where DispNet also stops; the head upsamples its own output.
 *
 * Returns the head input: a map at 1/2 resolution.
 */
export function buildUnetBackbone(b: GraphBuilder, left: string, right: string, o: UnetOptions): string {
  const c = (n: number): number => widen(n, o.width);
  const stem = stereoStem(b, left, right, { c2: c(16), c4: c(32), redir: c(16), fused: c(48), maxDisp: o.maxDisp });

  const e8 = b.conv('unet.enc8b', b.conv('unet.enc8a', stem.fused4, c(64), { stride: 2 }), c(64));
  const e16a = b.conv('unet.enc16a', e8, c(128), { stride: 2 });
  const e16 = b.conv('unet.enc16c', b.conv('unet.enc16b', e16a, c(128)), c(128));

  // Reduce with a linear 1x1 at the coarse level before upsampling: the same function class
  // as concatenating the wide map, at a fraction of the concat and 3x3 cost at the fine level.
  const up = (name: string, x: string, skip: string, channels: number): string => {
    const reduced = b.conv(`${name}.reduce`, x, channels, { kernel: 1, act: 'none' });
    const cat = b.node('concat', `${name}.cat`, [b.upsample(`${name}.up`, reduced), skip], { axis: 1 });
    return b.conv(name, cat, channels);
  };
  const d8 = up('unet.dec8', e16, e8, c(64));
  const d4 = up('unet.dec4', d8, stem.fused4, c(32));
  return up('unet.dec2', d4, stem.left2, c(16));
}
