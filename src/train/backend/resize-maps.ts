// Source coordinates of tfjs's resize kernels, per output row or column. The gradient kernels
// must be the exact adjoints of the forward passes, so these follow the forward formulas of
// tfjs-backend-cpu (ResizeBilinear.ts, ResizeNearestNeighbor.ts) line by line.

function sizeRatio(inSize: number, outSize: number, alignCorners: boolean): number {
  return alignCorners && outSize > 1 ? (inSize - 1) / (outSize - 1) : inSize / outSize;
}

/** For each output index: the two source indices and the weight of the second. */
export interface BilinearTaps {
  lo: Int32Array;
  hi: Int32Array;
  frac: Float32Array;
}

export function bilinearTaps(inSize: number, outSize: number, alignCorners: boolean, halfPixelCenters: boolean): BilinearTaps {
  const ratio = sizeRatio(inSize, outSize, alignCorners);
  const taps = { lo: new Int32Array(outSize), hi: new Int32Array(outSize), frac: new Float32Array(outSize) };
  for (let o = 0; o < outSize; o++) {
    const src = halfPixelCenters ? ratio * (o + 0.5) - 0.5 : ratio * o;
    const lo = Math.max(0, Math.floor(src));
    taps.lo[o] = lo;
    taps.hi[o] = Math.min(inSize - 1, Math.ceil(src));
    // Can be negative near the edge with half-pixel centers; lo === hi there, so weights still sum to 1.
    taps.frac[o] = src - lo;
  }
  return taps;
}

export function nearestSources(inSize: number, outSize: number, alignCorners: boolean, halfPixelCenters: boolean): Int32Array {
  const ratio = sizeRatio(inSize, outSize, alignCorners);
  const out = new Int32Array(outSize);
  for (let o = 0; o < outSize; o++) {
    const src = halfPixelCenters ? ratio * (o + 0.5) : ratio * o;
    let i = Math.min(inSize - 1, alignCorners ? Math.round(src) : Math.floor(src));
    if (halfPixelCenters) i = Math.max(0, i);
    out[o] = i;
  }
  return out;
}
