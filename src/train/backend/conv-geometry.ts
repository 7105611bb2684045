// Index arithmetic for convolution gradients, one spatial axis at a time. Pure functions, so the
// padding corner cases (odd sizes, 'valid' leftovers, explicit pads) can be tested without tensors.
//
// Forward convention (tfjs, dilation 1): out[o] = sum_k in[o*stride - padBefore + k] * w[k],
// with `in` read as zero outside [0, inSize).

/** How to compute a filter gradient along one axis as a stride-1 conv dilated by `stride`. */
export interface FilterGradAxis {
  /** Rows of the input actually read by the forward pass: [0, keep). May be < inSize. */
  keep: number;
  padBefore: number;
  padAfter: number;
}

/**
 * Filter gradient: dW[k] = sum_o in[o*stride - padBefore + k] * dy[o]. Read as a conv over `in`
 * with dy as the filter (dilation = stride), it yields exactly `filterSize` outputs when the padded
 * input spans (filterSize-1) + (outSize-1)*stride + 1 rows. Rows the forward pass never touched
 * (a 'valid' leftover) are cropped rather than convolved and thrown away.
 */
export function filterGradAxis(
  inSize: number,
  outSize: number,
  filterSize: number,
  stride: number,
  padBefore: number,
): FilterGradAxis {
  const span = filterSize - 1 + (outSize - 1) * stride + 1;
  const keep = Math.max(0, Math.min(inSize, span - padBefore));
  return { keep, padBefore, padAfter: span - padBefore - keep };
}

/**
 * One residue class of input positions for the input gradient of a strided conv.
 *
 * Input position i = q*stride + residue - padBefore receives dy[o] * w[k] exactly when
 * k = residue + m*stride and o = q - m. So each residue class is a stride-1 correlation of dy with
 * the sub-filter w[residue + m*stride], taps reversed: out[q] = sum_j dy[q - (taps.length-1) + j] *
 * w[taps[j]]. Doing the s*s classes separately costs the forward FLOPs, where convolving a
 * zero-inserted dy would cost stride^2 times more.
 */
export interface InputGradPhase {
  residue: number;
  /** Filter indices in correlation order. */
  taps: number[];
  /** First and last q of this class inside the input; qLast < qFirst means none. */
  qFirst: number;
  qLast: number;
  /** Zero padding of dy for the stride-1 conv; never negative. */
  padBefore: number;
  padAfter: number;
  /** q of conv output row 0; rows before qFirst or after qLast are surplus and skipped. */
  qBase: number;
  /** Rows of the conv output. */
  convOut: number;
}

export function inputGradPhases(
  inSize: number,
  outSize: number,
  filterSize: number,
  stride: number,
  padBefore: number,
): InputGradPhase[] {
  const phases: InputGradPhase[] = [];
  for (let residue = 0; residue < stride; residue++) {
    const taps: number[] = [];
    for (let k = residue; k < filterSize; k += stride) taps.unshift(k);
    const qFirst = Math.ceil((padBefore - residue) / stride);
    const qLast = Math.floor((inSize - 1 + padBefore - residue) / stride);
    const reach = taps.length - 1;
    // Pad dy so that conv row 0 is q = qFirst; if that would need negative padding, start at
    // q = reach instead and skip the surplus rows (rare: pads larger than the filter).
    const padTop = Math.max(0, reach - qFirst);
    const qBase = reach - padTop;
    const rows = qLast - qBase + 1;
    const padBottom = Math.max(0, rows + reach - outSize - padTop);
    phases.push({
      residue,
      taps,
      qFirst,
      qLast,
      padBefore: padTop,
      padAfter: padBottom,
      qBase,
      convOut: outSize + padTop + padBottom - reach,
    });
  }
  return phases;
}

/** True if a phase contributes nothing: no filter taps, or no input positions in its class. */
export function phaseIsEmpty(p: InputGradPhase): boolean {
  return p.taps.length === 0 || p.qLast < p.qFirst;
}

/** True if the conv output of this (only) phase is already laid out as the input gradient. */
export function phaseIsIdentity(p: InputGradPhase, stride: number, inSize: number): boolean {
  return stride === 1 && p.qBase === p.qFirst && p.convOut === inSize;
}
