import type { QuantRule } from './rule.js';

/**
 * ORT QDQMatMul: an initializer operand is an int8 weight, per column of the [in, out] matrix
 * (its last axis); activation operands and the output are activations. ORT fuses the group
 * into QLinearMatMul.
 */
export const matMulRule: QuantRule = (node, plan) => {
  if (!node.input.every((i) => plan.graph.isFloat(i))) return false;
  for (const input of node.input) {
    const init = plan.graph.initializer(input);
    if (init) plan.quantizeWeight(input, Math.max(0, (init.dims ?? []).length - 1));
    else plan.quantizeTensor(input);
  }
  plan.quantizeTensor(node.output[0]);
  return true;
};
