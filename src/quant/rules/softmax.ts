import { allTensorsRule } from './all-tensors.js';
import type { QuantRule } from './rule.js';

/** ORT QDQSoftmax: like every other op, except that the output range is [0, 1] by definition, not calibrated. */
export const softmaxRule: QuantRule = (node, plan) => {
  if (!allTensorsRule(node, plan)) return false;
  plan.fixRange(node.output[0], { min: 0, max: 1 });
  return true;
};
