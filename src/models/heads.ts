import type { GraphBuilder } from './graph-builder.js';

export type HeadKind = 'direct' | 'hilbert';

/** Output channels of a head: q itself, or a point of a `dims`-dimensional Hilbert curve. */
export function headChannels(head: HeadKind, dims: number): number {
  return head === 'direct' ? 1 : dims;
}

/**
 * The only part that differs between the two variants: one 3x3 conv to 1 or `dims` channels
 * on the backbone's 1/2-resolution features, a parameter-free bilinear x2 to input resolution,
 * then a sigmoid so that q (or every curve coordinate) lies in (0, 1) with no clipping edge
 * inside the quantized range. Upsampling the logits equals a 1x1 head on upsampled features,
 * at a quarter of the cost. Glorot init keeps the initial output near 0.5.
 */
export function addHead(b: GraphBuilder, features: string, head: HeadKind, dims: number): string {
  const logits = b.conv('head', features, headChannels(head, dims), { act: 'none' });
  const full = b.upsample('head.up', logits);
  return b.node('sigmoid', 'output', [full], {});
}
