// Input gradient of a (depthwise) conv as a few stride-1 forward convs, one per residue class of
// input positions (see conv-geometry.ts). Shared by Conv2DBackpropInput and its depthwise twin.
import type * as tf from '@tensorflow/tfjs';
import type { TensorInfo } from '@tensorflow/tfjs';
import { inputGradPhases, phaseIsEmpty, phaseIsIdentity } from './conv-geometry.js';
import { scatterPhase } from './phase-scatter.js';
import { alloc, f32, heapOf, type Scratch, withScratch, type WasmBackend } from './wasm-heap.js';

export interface InputGradSpec {
  dy: TensorInfo;
  /** [batch, height, width, channels] of the forward input. */
  inShape: [number, number, number, number];
  filterSize: [number, number];
  strides: [number, number];
  padTop: number;
  padLeft: number;
  /** Conv-output channels per input channel (depthwise channel multiplier; 1 for a plain conv). */
  group: number;
  /** Builds, in `s`, the filter of the stride-1 conv that computes one phase. */
  subFilter(s: Scratch, tapsH: number[], tapsW: number[]): TensorInfo;
  /** Runs the stride-1 conv of dy with explicit padding [top, bottom, left, right]. */
  conv(x: TensorInfo, filter: TensorInfo, pad: [number, number, number, number]): TensorInfo;
}

export function inputGradByPhases(backend: WasmBackend, spec: InputGradSpec): TensorInfo {
  const [batch, height, width, channels] = spec.inShape;
  const [sh, sw] = spec.strides;
  const rowPhases = inputGradPhases(height, spec.dy.shape[1], spec.filterSize[0], sh, spec.padTop);
  const colPhases = inputGradPhases(width, spec.dy.shape[2], spec.filterSize[1], sw, spec.padLeft);

  const direct =
    spec.group === 1 &&
    rowPhases.length === 1 &&
    colPhases.length === 1 &&
    phaseIsIdentity(rowPhases[0], sh, height) &&
    phaseIsIdentity(colPhases[0], sw, width);
  if (direct) {
    const [ph, pw] = [rowPhases[0], colPhases[0]];
    // Stride 1 and ordinary padding: one conv with the flipped filter is the whole answer.
    return withScratch(backend, (s) =>
      spec.conv(spec.dy, spec.subFilter(s, ph.taps, pw.taps), [ph.padBefore, ph.padAfter, pw.padBefore, pw.padAfter]),
    );
  }

  const dx = alloc(backend, [batch, height, width, channels]);
  try {
    f32(backend, dx).fill(0);
    const geometry = { batch, height, width, channels, strides: spec.strides, padTop: spec.padTop, padLeft: spec.padLeft, group: spec.group };
    for (const ph of rowPhases) {
      if (phaseIsEmpty(ph)) continue;
      for (const pw of colPhases) {
        if (phaseIsEmpty(pw)) continue;
        withScratch(backend, (s) => {
          const filter = spec.subFilter(s, ph.taps, pw.taps);
          const out = s.own(spec.conv(spec.dy, filter, [ph.padBefore, ph.padAfter, pw.padBefore, pw.padAfter]));
          // Views taken after the conv allocated its output: earlier views may be detached.
          scatterPhase(f32(backend, dx), f32(backend, out), geometry, ph, pw);
        });
      }
    }
    return dx;
  } catch (err) {
    backend.disposeData(dx.dataId);
    throw err;
  }
}

/**
 * A sub-filter from whole tap blocks: `source` holds one `block`-float block per tap of a
 * kw-wide grid, and the result, of `shape`, holds the blocks of tapsH x tapsW in that order.
 */
export function gatherTaps(
  backend: WasmBackend, s: Scratch, source: TensorInfo, tapsH: number[], tapsW: number[], kw: number, block: number, shape: number[],
): TensorInfo {
  const sub = s.alloc(shape);
  const { heap, base: from } = heapOf(f32(backend, source));
  let to = heapOf(f32(backend, sub)).base;
  for (const th of tapsH) {
    for (const tw of tapsW) {
      const at = from + (th * kw + tw) * block;
      heap.copyWithin(to, at, at + block);
      to += block;
    }
  }
  return sub;
}

/** The geometry part of an InputGradSpec, from the forward conv's info. */
export function convGeometry(
  dy: TensorInfo, inShape: InputGradSpec['inShape'], info: tf.backend_util.Conv2DInfo,
): Pick<InputGradSpec, 'dy' | 'inShape' | 'filterSize' | 'strides' | 'padTop' | 'padLeft'> {
  return {
    dy,
    inShape,
    filterSize: [info.filterHeight, info.filterWidth],
    strides: [info.strideHeight, info.strideWidth],
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
  };
}
