// Patch matrices for the filter gradient (see Conv2DBackpropFilter.ts), built so that every row
// is a contiguous run of the source and can be moved with copyWithin.

/** Planes [planes, planeHeight, planeWidth] and where one filter tap reads them. */
export interface TapSource {
  planes: number;
  planeHeight: number;
  planeWidth: number;
  /** Output (oh, ow) reads source (oh + rowShift, ow + colShift)... */
  rowShift: number;
  colShift: number;
  /** ...when 0 <= row < rowLimit and 0 <= col < colLimit; otherwise it reads zero padding. */
  rowLimit: number;
  colLimit: number;
}

/** dst[p, oh, ow] = src[p, oh + rowShift, ow + colShift] inside the limits, 0 outside. */
export function gatherTap(
  dst: Float32Array,
  src: Float32Array,
  t: TapSource,
  outHeight: number,
  outWidth: number,
): void {
  const owFirst = Math.max(0, -t.colShift);
  const owLast = Math.min(outWidth - 1, t.colLimit - 1 - t.colShift);
  // Both views live on the wasm heap, where copyWithin (a memmove) beats a JS loop.
  const heap = new Float32Array(dst.buffer);
  if (src.buffer !== dst.buffer) throw new Error('gatherTap expects both arrays on one heap');
  const srcBase = src.byteOffset / 4;
  const dstBase = dst.byteOffset / 4;
  const planeSize = t.planeHeight * t.planeWidth;
  for (let p = 0; p < t.planes; p++) {
    for (let oh = 0; oh < outHeight; oh++) {
      const row = (p * outHeight + oh) * outWidth;
      const ih = oh + t.rowShift;
      if (ih < 0 || ih >= t.rowLimit || owLast < owFirst) {
        dst.fill(0, row, row + outWidth);
        continue;
      }
      if (owFirst > 0) dst.fill(0, row, row + owFirst);
      if (owLast < outWidth - 1) dst.fill(0, row + owLast + 1, row + outWidth);
      const from = srcBase + p * planeSize + ih * t.planeWidth + owFirst + t.colShift;
      heap.copyWithin(dstBase + row + owFirst, from, from + owLast - owFirst + 1);
    }
  }
}

/**
 * Splits x [N, H, W, C] into stride phases: dst[rh, rw, c, n, hq, wq] = x[n, hq*sh+rh, wq*sw+rw, c]
 * with hq < ceil(H/sh), wq < ceil(W/sw). Positions past the image are left unwritten; the tap
 * limits keep them from being read. One pass, where a rank-6 builtin transpose took 25x longer.
 */
export function splitPhases(dst: Float32Array, x: Float32Array, shape: number[], strides: [number, number]): void {
  const [batch, height, width, channels] = shape;
  const [sh, sw] = strides;
  const hq = Math.ceil(height / sh);
  const wq = Math.ceil(width / sw);
  const plane = batch * hq * wq;
  let i = 0;
  for (let n = 0; n < batch; n++) {
    for (let h = 0; h < height; h++) {
      const rh = h % sh;
      const rowBase = (n * hq + (h - rh) / sh) * wq;
      for (let w = 0; w < width; w++) {
        const rw = w % sw;
        let d = (rh * sw + rw) * channels * plane + rowBase + (w - rw) / sw;
        for (let c = 0; c < channels; c++, d += plane) dst[d] = x[i++];
      }
    }
  }
}
