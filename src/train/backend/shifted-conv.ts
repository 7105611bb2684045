// A stride-1 convolution as one matrix product per filter tap (gemm.wat), for convolutions whose
// filters are new every call: the input gradient's, and the forward ones while training (Conv2D.ts).
// XNNPACK's convolution repacks its filter on every new one (~9 ns per weight here): for the
// ViT's 4x8 maps that packing cost as much as the convolution itself.
//
// With the input zero-padded into a frame of row pitch Wp, output pixel (ho, wo) of tap (i, j)
// reads frame position (ho + i) * Wp + (wo + j): the same rows-times-pitch index shifted by
// i * Wp + j. So per image, the output frame [Ho * Wp, O] is the sum over taps of the frame from
// that shift on, [Ho * Wp, C], times the tap's [C, O] filter: one gemm call with taps, no gather.
// Columns wo >= Wo are computed and dropped (Wp / Wo - 1 extra work: +25% at 4x8, +6% at 16x32).
import type { TensorInfo } from '@tensorflow/tfjs';
import { pad } from './builtin-kernels.js';
import type { Gemm } from './gemm.js';
import { f32, heapOf, type WasmBackend, withScratch, written } from './wasm-heap.js';

/** x [N, H, W, C] conv filter [kh, kw, C, O], stride 1, explicit zero padding [top, bottom, left, right]. */
export function shiftedConv(
  backend: WasmBackend,
  gemm: Gemm,
  x: TensorInfo,
  filter: TensorInfo,
  [top, bottom, left, right]: [number, number, number, number],
): TensorInfo {
  const [batch, height, width, inC] = x.shape;
  const [kh, kw, , outC] = filter.shape;
  const frameH = height + top + bottom;
  const pitch = width + left + right;
  const outH = frameH - kh + 1;
  const outW = pitch - kw + 1;
  // The frame's spare row covers the dropped columns' reads only while some output remains.
  if (outH < 1 || outW < 1) throw new Error(`shiftedConv: a ${kh}x${kw} filter leaves no output of a ${frameH}x${pitch} frame`);
  if (kh * kw === 1 && top + bottom + left + right === 0) {
    return written(backend, [batch, height, width, outC], (y) =>
      gemm({ tensor: x, ld: inC }, { tensor: filter, ld: outC }, { tensor: y, ld: outC }, batch * height * width, outC, inC),
    );
  }
  return withScratch(backend, (s) => {
    // One extra zero row per image: the last output row's dropped columns read past the frame.
    const rows = frameH + 1;
    const framed = s.own(pad(backend, x, [[0, 0], [top, bottom + 1], [left, right], [0, 0]]));
    const wide = s.alloc([batch, outH, pitch, outC]);
    const taps = { kh, kw, rowShift: pitch * inC, colShift: inC };
    for (let n = 0; n < batch; n++) {
      gemm(
        { tensor: framed, offset: n * rows * pitch * inC, ld: inC },
        { tensor: filter, ld: outC },
        { tensor: wide, offset: n * outH * pitch * outC, ld: outC },
        outH * pitch, outC, inC, false, taps,
      );
    }
    return written(backend, [batch, outH, outW, outC], (y) => {
      const { heap, base: from } = heapOf(f32(backend, wide));
      const to = heapOf(f32(backend, y)).base;
      const run = outW * outC;
      for (let r = 0; r < batch * outH; r++) heap.copyWithin(to + r * run, from + r * pitch * outC, from + r * pitch * outC + run);
    });
  });
}
