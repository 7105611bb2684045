// Conv2DBackpropFilter for wasm, which has none (training a conv net failed outright).
//
// Per filter tap: dW[tap] = P^T · dy, one untransposed product, where P^T [Ci, pixels] holds the
// input pixels the tap saw. gemm.wat computes it in place, straight into dW; where it cannot run,
// the builtin BatchMatMul hands it to XNNPACK, which packs dy (the same right factor for every
// tap) once per call, at about the cost of the products themselves. The input is laid out once
// as zero-padded frames per stride phase, [phase][Ci][N][frameH][frameW] (phase-frames.ts), and
// dy is padded to the same frame; a tap then reads its phase at a fixed offset, so P^T is one
// contiguous run of that buffer, read in place. Gathering P^T row by row had cost 30-100% of the
// products; the frame padding adds (frame / out - 1) to them, ~10% at 32x64. Both beat a single
// XNNPACK conv over x^T [Ci, H, W, N] with dy^T as a dilated filter (reduction over only N
// contiguous channels) by 1.3-2.5x at stride 1. Tiny maps take one im2col product instead
// (filterGradIm2col).
import * as tf from '@tensorflow/tfjs';
import type { Conv2DBackpropFilterAttrs, KernelConfig, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import { pad, runBuiltin } from './builtin-kernels.js';
import { swapLastAxes } from './fast-transpose.js';
import { gemmFor, type Gemm, type MatrixView } from './gemm.js';
import { frameAxis, splitIntoFrames, type FrameAxis } from './phase-frames.js';
import { f32, reshaped, withAlias, withScratch, type Scratch, type WasmBackend } from './wasm-heap.js';

/**
 * Output pixels (batch included) up to which filterGradIm2col serves: measured, it halves the
 * ViT's 4x8 layers at batch 4 (128 pixels) and loses from 8x16 (512) on.
 */
export const IM2COL_MAX_PIXELS = 256;

/**
 * The input as phase frames (see the header), flattened, plus one zero frame at the end: the
 * last tap's run reaches up to one frame past the last plane.
 */
function frames(backend: WasmBackend, s: Scratch, x: TensorInfo, rows: FrameAxis, cols: FrameAxis): TensorInfo {
  const [batch, height, width, channels] = x.shape;
  if (rows.stride === 1 && cols.stride === 1) {
    // One phase: channel planes (transpose.wat), padded.
    const planes = s.own(swapLastAxes(backend, reshaped(x, [batch * height * width, channels])));
    return s.own(
      pad(backend, reshaped(planes, [channels * batch, height, width]), [
        [0, 1],
        [rows.padBefore, rows.frame - height - rows.padBefore],
        [cols.padBefore, cols.frame - width - cols.padBefore],
      ]),
    );
  }
  const out = s.alloc([(rows.stride * cols.stride * channels * batch + 1) * rows.frame * cols.frame]);
  const dst = f32(backend, out);
  dst.fill(0);
  splitIntoFrames(dst, f32(backend, x), x.shape, rows, cols);
  return out;
}

/**
 * Small maps: one product over all taps, dW [kh*kw*Ci, Co] = P^T · dy with the im2col matrix P
 * [pixels, kh*kw*Ci] gathered in one JS pass (a run of Ci floats per pixel and tap). Frames
 * would pad a 4x8 map to 6x10 (+90% work) and nine small products cost more in per-call setup
 * than one.
 */
function filterGradIm2col(
  backend: WasmBackend, gemm: Gemm | null, s: Scratch, x: TensorInfo, dy: TensorInfo, info: tf.backend_util.Conv2DInfo, dW: TensorInfo,
): void {
  const [batch, height, width, inC] = x.shape;
  const { filterHeight: kh, filterWidth: kw, outHeight, outWidth, strideHeight: sh, strideWidth: sw } = info;
  const [top, left] = [info.padInfo.top, info.padInfo.left];
  const row = kh * kw * inC;
  const patches = s.alloc([batch * outHeight * outWidth, row]);
  const dst = f32(backend, patches);
  const src = f32(backend, x);
  let p = 0;
  for (let n = 0; n < batch; n++) {
    for (let oh = 0; oh < outHeight; oh++) {
      for (let ow = 0; ow < outWidth; ow++, p += row) {
        for (let th = 0; th < kh; th++) {
          const ih = oh * sh + th - top;
          for (let tw = 0; tw < kw; tw++) {
            const iw = ow * sw + tw - left;
            const at = p + (th * kw + tw) * inC;
            if (ih < 0 || ih >= height || iw < 0 || iw >= width) dst.fill(0, at, at + inC);
            else {
              const from = ((n * height + ih) * width + iw) * inC;
              dst.set(src.subarray(from, from + inC), at);
            }
          }
        }
      }
    }
  }
  const pixels = batch * outHeight * outWidth;
  const outC = dW.shape[3] as number;
  const patchesT = s.own(swapLastAxes(backend, reshaped(patches, [pixels, row])));
  productInto(backend, gemm, { tensor: patchesT, ld: pixels }, dy, dW, 0, row, outC, pixels);
}

/**
 * dW[offset..] = A [m, k] · B [k, n], A a run of rows in place (ld = k): gemm.wat, or where it
 * cannot run the builtin BatchMatMul (XNNPACK, which packs B) on an alias of A, then a copy.
 */
function productInto(
  backend: WasmBackend, gemm: Gemm | null, a: MatrixView, b: TensorInfo, dW: TensorInfo, offset: number, m: number, n: number, k: number,
): void {
  if (gemm) {
    gemm(a, { tensor: b, ld: n }, { tensor: dW, offset, ld: n }, m, n, k);
    return;
  }
  const product = withAlias(backend, a.tensor, a.offset ?? 0, [1, m, k], (rows) =>
    runBuiltin(backend, tf.BatchMatMul, { a: rows, b: reshaped(b, [1, k, n]) }, { transposeA: false, transposeB: false }),
  );
  f32(backend, dW).set(f32(backend, product), offset);
  backend.disposeData(product.dataId);
}

function conv2DBackpropFilter(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: NamedAttrMap }): TensorInfo {
  const backend = args.backend as WasmBackend;
  const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
  const attrs = args.attrs as unknown as Conv2DBackpropFilterAttrs;
  if (attrs.dataFormat === 'NCHW') throw new Error('wasm Conv2DBackpropFilter supports only NHWC');
  const [batch, height, width, inC] = x.shape as [number, number, number, number];
  const [kh, kw, , outC] = attrs.filterShape;
  const info = tf.backend_util.computeConv2DInfo(
    [batch, height, width, inC],
    attrs.filterShape,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const rows = frameAxis(info.outHeight, kh, info.strideHeight, info.padInfo.top);
  const cols = frameAxis(info.outWidth, kw, info.strideWidth, info.padInfo.left);
  const pixels = batch * rows.frame * cols.frame;
  const phaseSize = inC * pixels;

  const dW = backend.makeOutput(attrs.filterShape, 'float32');
  const gemm = gemmFor(backend);
  try {
    withScratch(backend, (s) => {
      if (batch * info.outHeight * info.outWidth <= IM2COL_MAX_PIXELS) {
        filterGradIm2col(backend, gemm, s, x, dy, info, dW);
        return;
      }
      const source = frames(backend, s, x, rows, cols);
      // dy in the frame: outputs past the real ones are zero, so reads past a plane contribute 0.
      const dyFramed = s.own(
        pad(backend, dy, [
          [0, 0],
          [0, rows.frame - info.outHeight],
          [0, cols.frame - info.outWidth],
          [0, 0],
        ]),
      );
      for (let th = 0; th < kh; th++) {
        for (let tw = 0; tw < kw; tw++) {
          const phase = (th % rows.stride) * cols.stride + (tw % cols.stride);
          const start = phase * phaseSize + Math.floor(th / rows.stride) * cols.frame + Math.floor(tw / cols.stride);
          productInto(backend, gemm, { tensor: source, offset: start, ld: pixels }, dyFramed, dW, (th * kw + tw) * inC * outC, inC, outC, pixels);
        }
      }
    });
    return dW;
  } catch (err) {
    backend.disposeData(dW.dataId);
    throw err;
  }
}

export const conv2DBackpropFilterConfig: KernelConfig = {
  kernelName: tf.Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropFilter as unknown as KernelConfig['kernelFunc'],
};
