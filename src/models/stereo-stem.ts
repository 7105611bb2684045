import type { GraphBuilder } from './graph-builder.js';

/**
 * Matching cost between left and right features for displacements d = 0..maxShift (see the
 * matchingCost op in ir.ts): 'dot' is DispNetC's correlation, 'ssd' the mean squared difference.
 *
 * hilbertq uses 'ssd': with untrained features its arg-min already finds the true disparity
 * about as well as block matching, while the raw dot product prefers bright features over
 * aligned ones and has to be learned first (measured: 4.0 px vs 7.7 px EPE on the synthetic
 * validation set, against 6.4 px for a constant guess).
 */
export function matchingCost(
  b: GraphBuilder,
  name: string,
  left: string,
  right: string,
  maxShift: number,
  metric: 'dot' | 'ssd' = 'ssd',
): string {
  return b.node('matchingCost', name, [left, right], { maxShift, metric });
}

export interface StereoStemOptions {
  /** Channels at 1/2 and 1/4 of the shared feature encoder. */
  c2: number;
  c4: number;
  /** Channels of the left-image features concatenated to the cost ("redir" in DispNetC). */
  redir: number;
  /** Channels of the fused cost features at 1/4. */
  fused: number;
  /** Largest disparity in input pixels; the correlation covers 0..ceil(maxDisp / 4) at 1/4. */
  maxDisp: number;
}

export interface StereoStem {
  /** Left-image features and the fine correlation at 1/2 (a decoder skip). */
  left2: string;
  /** Correlation + left features, fused by one conv, at 1/4. */
  fused4: string;
}

/**
 * Shared by both families so that U-Net and ViT see the same stereo evidence: normalise both
 * images inside the graph ([0,1] -> [-1,1], visible to exporters), run one weight-shared encoder
 * on each view down to 1/4, correlate there, and fuse with the left features.
 */
export function stereoStem(b: GraphBuilder, left: string, right: string, o: StereoStemOptions): StereoStem {
  const encode = (view: string, x: string): { f2: string; f4: string } => {
    const norm = b.node('affine', `${view}.norm`, [x], { scale: 2, bias: -1 });
    const f2 = b.conv(`${view}.enc1`, norm, o.c2, { stride: 2, params: 'stem.enc1' });
    const f4a = b.conv(`${view}.enc2`, f2, o.c4, { stride: 2, params: 'stem.enc2' });
    const f4 = b.conv(`${view}.enc3`, f4a, o.c4, { params: 'stem.enc3' });
    return { f2, f4 };
  };
  const l = encode('left', left);
  const r = encode('right', right);
  const corr = matchingCost(b, 'stem.corr', l.f4, r.f4, Math.ceil(o.maxDisp / 4));
  // A learned matching score per candidate, normalised across candidates: the network gets a
  // soft winner-take-all over disparities from the first step instead of having to learn one.
  const planes = b.channels(corr);
  const match = b.channelSoftmax('stem.match', b.conv('stem.score', corr, planes, { kernel: 1, act: 'none' }));
  const redir = b.conv('stem.redir', l.f4, o.redir, { kernel: 1 });
  const cat = b.node('concat', 'stem.cost', [corr, match, redir], { axis: 1 });
  // Fine correlation at 1/2 over the full range: 1/4 alone cannot resolve sub-pixel disparity.
  // The unet's decoder reads it; the vit's DPT fusion does not, and GraphBuilder.build leaves it
  // out of the vit's graph.
  const corr2 = matchingCost(b, 'stem.corr2', l.f2, r.f2, Math.ceil(o.maxDisp / 2));
  const left2 = b.node('concat', 'stem.left2', [l.f2, corr2], { axis: 1 });
  return { left2, fused4: b.conv('stem.fuse', cat, o.fused) };
}
