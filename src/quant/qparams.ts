/** A float range [min, max] observed (or fixed) for one tensor. */
export interface Range {
  min: number;
  max: number;
}

/** Per-tensor affine quantization: real = (code - zeroPoint) * scale. Scale is a float32 value. */
export interface QParams {
  scale: number;
  zeroPoint: number;
}

/**
 * Asymmetric parameters for an activation, as ORT's compute_scale_zp: the range is widened to
 * include 0 so that zero (padding, ReLU floor) is exactly representable.
 */
export function activationQParams(range: Range, qmin: number, qmax: number): QParams {
  const lo = Math.min(range.min, 0);
  const hi = Math.max(range.max, 0);
  const scale = (hi - lo) / (qmax - qmin);
  if (!(scale > 1e-30) || !Number.isFinite(scale)) return { scale: 1, zeroPoint: qmin };
  const zeroPoint = Math.min(qmax, Math.max(qmin, Math.round(qmin - lo / scale)));
  return { scale: Math.fround(scale), zeroPoint };
}

/** Round half to even, as QuantizeLinear and numpy do. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

export function quantizeValue(x: number, p: QParams, qmin: number, qmax: number): number {
  return Math.min(qmax, Math.max(qmin, roundHalfEven(x / p.scale) + p.zeroPoint));
}

export interface QuantizedWeight {
  values: Int8Array;
  /** One scale per channel along `axis`, or a single one per tensor. */
  scales: Float32Array;
  axis: number | null;
}

/**
 * Symmetric int8 weights in -qmax..qmax, zero point 0, one scale per slice along `axis` (null: per tensor).
 * A slice of zeros gets scale 1 rather than 0, which DequantizeLinear would accept but a
 * bias scale derived from it would not.
 */
export function quantizeWeight(values: Float32Array, dims: readonly number[], axis: number | null, qmax: number): QuantizedWeight {
  const channels = axis === null ? 1 : dims[axis];
  const inner = axis === null ? values.length : dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  const channelOf = (i: number): number => (axis === null ? 0 : Math.floor(i / inner) % channels);
  const absMax = new Float64Array(channels);
  for (let i = 0; i < values.length; i++) absMax[channelOf(i)] = Math.max(absMax[channelOf(i)], Math.abs(values[i]));
  const scales = Float32Array.from(absMax, (m) => (m > 0 ? m / qmax : 1));
  const out = new Int8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const q = roundHalfEven(values[i] / scales[channelOf(i)]);
    out[i] = Math.max(-qmax, Math.min(qmax, q));
  }
  return { values: out, scales, axis };
}

const INT32_MAX = 2 ** 31 - 1;

/** Into the symmetric int32 range of bias codes, -(2^31 - 1)..2^31 - 1. */
export function clampInt32(v: number): number {
  return Math.max(-INT32_MAX, Math.min(INT32_MAX, v));
}

/** int32 bias with scale inputScale * weightScale[c] and zero point 0, as the integer kernels expect. */
export function quantizeBias(values: Float32Array, inputScale: number, weightScales: Float32Array): { values: Int32Array; scales: Float32Array; clipped: number } {
  const perChannel = weightScales.length > 1;
  const scales = Float32Array.from(weightScales, (w) => Math.fround(inputScale * w));
  const out = new Int32Array(values.length);
  let clipped = 0;
  for (let i = 0; i < values.length; i++) {
    const q = roundHalfEven(values[i] / scales[perChannel ? i : 0]);
    if (Math.abs(q) > INT32_MAX) clipped++;
    out[i] = clampInt32(q);
  }
  return { values: out, scales: perChannel ? scales : scales.subarray(0, 1), clipped };
}
