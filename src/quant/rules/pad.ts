import { sameScaleRule } from './same-scale.js';
import type { QuantRule } from './rule.js';

/**
 * ORT QDQPad: edge/reflect/wrap padding repeats input values and zero padding adds 0, which
 * the input's range always contains (activation ranges include 0), so the output shares the
 * input's scale and zero point. A non-zero constant would need its own range: stays float.
 */
export const padRule: QuantRule = (node, plan) => {
  const mode = plan.graph.attribute(node, 'mode')?.s;
  const isConstant = mode === undefined || new TextDecoder().decode(mode) === 'constant';
  const constant = node.input[2];
  if (isConstant && constant && plan.graph.scalarInitializer(constant) !== 0) return false;
  return sameScaleRule(node, plan);
};
