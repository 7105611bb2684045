import type { ModelGraph } from './ir.js';
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

/**
 * The head's tail (the bilinear x2 and the sigmoid) is parameter-free, so a runtime may apply it
 * after the graph instead of in it: ExportOptions.headTail 'decoder' (the quantizer's choice for
 * 8-bit activations) exports the graph up to the logits, at half resolution, and the decoder
 * (src/infer/head-tail.ts) upsamples and squashes the codes before decoding. This names that
 * tail in the ONNX metadata.
 */
export const HEAD_TAIL = 'bilinear-x2-sigmoid';

/** The graph without its head's tail, ending at the logits; null when it does not end in that tail. */
export function withoutHeadTail(graph: ModelGraph): ModelGraph | null {
  const sigmoid = graph.nodes.find((n) => n.name === graph.output);
  if (sigmoid?.op !== 'sigmoid') return null;
  const up = graph.nodes.find((n) => n.name === sigmoid.inputs[0]);
  if (up?.op !== 'resize' || up.attrs.scale !== 2 || up.attrs.mode !== 'bilinear') return null;
  const logits = up.inputs[0];
  // The tail must be only the head's: nothing else may read the upsampled logits.
  if (graph.nodes.some((n) => n !== sigmoid && n.inputs.includes(up.name))) return null;
  return { ...graph, nodes: graph.nodes.filter((n) => n !== sigmoid && n !== up), output: logits };
}
