import { allTensorsRule } from './all-tensors.js';
import { concatRule } from './concat.js';
import { convRule } from './conv.js';
import { matMulRule } from './matmul.js';
import { padRule } from './pad.js';
import { removableActivationRule } from './removable-activation.js';
import type { QuantRuleRegistry } from './rule.js';
import { sameScaleRule } from './same-scale.js';
import { softmaxRule } from './softmax.js';

/**
 * One rule per ONNX op type (ORT's QDQRegistry). Deliberately absent, so they stay float between
 * DQ and Q: LayerNormalization, ReduceMean and ReduceSumSquare (no integer CPU kernel in ORT; quantizing their
 * outputs already happens through their consumers) and Shape (int64 output). Squeeze and
 * Unsqueeze are data movement ORT runs on the 8-bit codes (the matching cost's stack).
 */
export const QUANT_RULES: QuantRuleRegistry = {
  Conv: convRule,
  MatMul: matMulRule,
  Add: allTensorsRule,
  Mul: allTensorsRule,
  Concat: concatRule,
  Sigmoid: allTensorsRule,
  Softmax: softmaxRule,
  Relu: removableActivationRule,
  Clip: removableActivationRule,
  Resize: sameScaleRule,
  Slice: sameScaleRule,
  Reshape: sameScaleRule,
  Transpose: sameScaleRule,
  Squeeze: sameScaleRule,
  Unsqueeze: sameScaleRule,
  Pad: padRule,
};
