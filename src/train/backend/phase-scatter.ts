// Interleaves the per-residue conv outputs of a strided input gradient back into NHWC order.
import type { InputGradPhase } from './conv-geometry.js';

export interface ScatterGeometry {
  batch: number;
  /** Input-gradient spatial size and channels. */
  height: number;
  width: number;
  channels: number;
  strides: [number, number];
  /** Padding before the first row/column in the forward conv. */
  padTop: number;
  padLeft: number;
  /** Conv-output channels per input-gradient channel, summed (depthwise channel multiplier). */
  group: number;
}

/**
 * dx[n, q_h*s_h + r_h - padTop, q_w*s_w + r_w - padLeft, c] =
 *   sum_g src[n, q_h - qBase_h, q_w - qBase_w, c*group + g]
 * for every q of the two phases. Each dx element belongs to exactly one phase pair, so plain
 * assignment suffices; elements of empty phases must have been zeroed by the caller.
 */
export function scatterPhase(
  dst: Float32Array,
  src: Float32Array,
  g: ScatterGeometry,
  ph: InputGradPhase,
  pw: InputGradPhase,
): void {
  const { batch, height, width, channels: c, group } = g;
  const [sh, sw] = g.strides;
  const srcC = c * group;
  const srcRow = pw.convOut * srcC;
  const srcImage = ph.convOut * srcRow;
  const dstRow = width * c;
  const dstImage = height * dstRow;
  const dstStepW = sw * c;
  // On the wasm heap both views share one buffer: copyWithin (a memmove) beats a JS loop 2x.
  const heap = group === 1 && dst.buffer === src.buffer ? new Float32Array(dst.buffer) : undefined;
  const srcBase = src.byteOffset / 4;
  const dstBase = dst.byteOffset / 4;
  for (let n = 0; n < batch; n++) {
    for (let qh = ph.qFirst; qh <= ph.qLast; qh++) {
      const ih = qh * sh + ph.residue - g.padTop;
      let s = n * srcImage + (qh - ph.qBase) * srcRow + (pw.qFirst - pw.qBase) * srcC;
      let d = n * dstImage + ih * dstRow + (pw.qFirst * sw + pw.residue - g.padLeft) * c;
      for (let qw = pw.qFirst; qw <= pw.qLast; qw++) {
        if (heap !== undefined) {
          heap.copyWithin(dstBase + d, srcBase + s, srcBase + s + c);
        } else if (group === 1) {
          for (let k = 0; k < c; k++) dst[d + k] = src[s + k];
        } else {
          for (let k = 0; k < c; k++) {
            let acc = 0;
            for (let j = 0; j < group; j++) acc += src[s + k * group + j];
            dst[d + k] = acc;
          }
        }
        s += srcC;
        d += dstStepW;
      }
    }
  }
}
