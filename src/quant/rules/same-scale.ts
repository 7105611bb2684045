import type { QuantRule } from './rule.js';

/**
 * ORT QDQDirect8BitOp (Reshape, Transpose, Slice, Resize): ops that only move or interpolate
 * values. When the input is quantized, the output takes the input's scale and zero point, and
 * ORT's optimizer drops the DQ -> op -> Q pair so the op runs on the 8-bit codes.
 */
export const sameScaleRule: QuantRule = (node, plan) => {
  const input = node.input[0];
  if (!plan.isQuantized(input) || !plan.graph.isFloat(node.output[0])) return false;
  plan.shareParams(node.output[0], input);
  return true;
};
