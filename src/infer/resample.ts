/**
 * Bilinear resampling of planar float maps (half-pixel centres, edge clamp), for running a
 * model at another size than the images and bringing its disparity back.
 */
export function resizePlanes(src: Float32Array, planes: number, h: number, w: number, oh: number, ow: number): Float32Array {
  if (h === oh && w === ow) return src;
  const out = new Float32Array(planes * oh * ow);
  const ry = h / oh;
  const rx = w / ow;
  for (let y = 0; y < oh; y++) {
    const sy = Math.min(h - 1, Math.max(0, (y + 0.5) * ry - 0.5));
    const y0 = Math.floor(sy);
    const y1 = Math.min(h - 1, y0 + 1);
    const fy = sy - y0;
    for (let x = 0; x < ow; x++) {
      const sx = Math.min(w - 1, Math.max(0, (x + 0.5) * rx - 0.5));
      const x0 = Math.floor(sx);
      const x1 = Math.min(w - 1, x0 + 1);
      const fx = sx - x0;
      for (let p = 0; p < planes; p++) {
        const base = p * h * w;
        const top = src[base + y0 * w + x0] * (1 - fx) + src[base + y0 * w + x1] * fx;
        const bottom = src[base + y1 * w + x0] * (1 - fx) + src[base + y1 * w + x1] * fx;
        out[p * oh * ow + y * ow + x] = top * (1 - fy) + bottom * fy;
      }
    }
  }
  return out;
}

/** Pads planar maps at the bottom and right by repeating the last row and column. */
export function edgePadPlanes(src: Float32Array, planes: number, h: number, w: number, ph: number, pw: number): Float32Array {
  if (h === ph && w === pw) return src;
  const out = new Float32Array(planes * ph * pw);
  for (let p = 0; p < planes; p++) {
    for (let y = 0; y < ph; y++) {
      const sy = Math.min(y, h - 1);
      const row = src.subarray(p * h * w + sy * w, p * h * w + sy * w + w);
      const dst = p * ph * pw + y * pw;
      out.set(row, dst);
      out.fill(row[w - 1], dst + w, dst + pw);
    }
  }
  return out;
}

/** The top-left h x w window of planar maps of size ph x pw. */
export function cropPlanes<T extends Float32Array | Uint8Array | Uint16Array>(src: T, planes: number, ph: number, pw: number, h: number, w: number): T {
  if (h === ph && w === pw) return src;
  const out = new (src.constructor as new (n: number) => T)(planes * h * w);
  for (let p = 0; p < planes; p++) {
    for (let y = 0; y < h; y++) out.set(src.subarray(p * ph * pw + y * pw, p * ph * pw + y * pw + w), p * h * w + y * w);
  }
  return out;
}
