// Source layout for the filter gradient (see Conv2DBackpropFilter.ts): the input split by stride
// phase into zero-padded frames, so that every filter tap's patch matrix is one contiguous run.

/** One spatial axis of a conv, seen from its filter gradient. */
export interface FrameAxis {
  stride: number;
  padBefore: number;
  /**
   * Positions per phase frame: the output size plus the farthest tap offset within a phase. Tap
   * t reads, for output o, frame position o + floor(t / stride) of phase t mod stride.
   */
  frame: number;
}

export function frameAxis(outSize: number, kernel: number, stride: number, padBefore: number): FrameAxis {
  return { stride, padBefore, frame: outSize + Math.floor((kernel - 1) / stride) };
}

/**
 * dst[ph, pw, c, n, i, j] = x[n, i*sh + ph - padTop, j*sw + pw - padLeft, c] where that lies in
 * x; nothing else is written, so `dst` must be zeroed first. One pass over x.
 */
export function splitIntoFrames(dst: Float32Array, x: Float32Array, shape: number[], rows: FrameAxis, cols: FrameAxis): void {
  const [batch, height, width, channels] = shape;
  const plane = batch * rows.frame * cols.frame;
  let i = 0;
  for (let n = 0; n < batch; n++) {
    for (let h = 0; h < height; h++) {
      const r = h + rows.padBefore;
      const rh = r % rows.stride;
      const fr = (r - rh) / rows.stride;
      if (fr >= rows.frame) {
        i += width * channels;
        continue;
      }
      const rowBase = (n * rows.frame + fr) * cols.frame;
      for (let w = 0; w < width; w++) {
        const c = w + cols.padBefore;
        const rw = c % cols.stride;
        const fc = (c - rw) / cols.stride;
        if (fc >= cols.frame) {
          i += channels;
          continue;
        }
        let d = (rh * cols.stride + rw) * channels * plane + rowBase + fc;
        for (let ch = 0; ch < channels; ch++, d += plane) dst[d] = x[i++];
      }
    }
  }
}
