import type { GraphBuilder } from './graph-builder.js';

/**
 * DispNetC correlation: out[d](y, x) = mean_c fL[c](y, x) * fR[c](y, x - d) for d = 0..maxShift,
 * zero where x - d falls off the image. Built from Pad + Slice + Mul + ReduceMean + Concat so
 * every piece is a plain ONNX op with a QDQ kernel; one right-pad serves all shifts.
 */
export function correlation(b: GraphBuilder, name: string, left: string, right: string, maxShift: number): string {
  const padded = maxShift > 0 ? b.node('pad', `${name}.pad`, [right], { top: 0, bottom: 0, left: maxShift, right: 0 }) : right;
  const planes: string[] = [];
  for (let d = 0; d <= maxShift; d++) {
    // Column x of the slice is column x - d of `right`: start skips maxShift - d pad columns,
    // end drops the d rightmost real columns.
    const shifted = maxShift > 0
      ? b.node('slice', `${name}.shift${d}`, [padded], { axis: 3, start: maxShift - d, end: d === 0 ? null : -d })
      : right;
    const prod = b.node('mul', `${name}.prod${d}`, [left, shifted], {});
    planes.push(b.node('reduceMean', `${name}.d${d}`, [prod], { axis: 1 }));
  }
  return b.node('concat', name, planes, { axis: 1 });
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
  /** Left-image features at 1/2 (a decoder skip). */
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
  const corr = correlation(b, 'stem.corr', l.f4, r.f4, Math.ceil(o.maxDisp / 4));
  const redir = b.conv('stem.redir', l.f4, o.redir, { kernel: 1 });
  const cat = b.node('concat', 'stem.cost', [corr, redir], { axis: 1 });
  return { left2: l.f2, fused4: b.conv('stem.fuse', cat, o.fused) };
}
