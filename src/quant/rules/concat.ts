import { allTensorsRule } from './all-tensors.js';
import type { QuantRule } from './rule.js';

/**
 * Concat of inputs that already share one scale and zero point (e.g. the shifted views of one
 * map that the matching cost stacks) gives its output the same parameters, so ORT's
 * QLinearConcat only copies codes; the output's range could only be the inputs' anyway.
 * Otherwise every input and the output keep their own ranges (ORT QDQOperatorBase), and
 * QLinearConcat requantizes.
 */
export const concatRule: QuantRule = (node, plan) => {
  const inputs = node.input.filter((i) => i !== '');
  if (inputs.length > 0 && inputs.every((i) => plan.isQuantized(i))) {
    const roots = new Set(inputs.map((i) => plan.rootOf(i)));
    if (roots.size === 1 && !inputs.some((i) => plan.graph.initializer(i))) {
      plan.shareParams(node.output[0], inputs[0]);
      return true;
    }
  }
  return allTensorsRule(node, plan);
};
