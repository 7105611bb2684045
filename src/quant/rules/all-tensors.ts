import type { QuantRule } from './rule.js';

/**
 * ORT QDQOperatorBase: every float input and output is quantized per tensor with its own range.
 * For Add, Mul, Concat and Sigmoid ORT has integer kernels (QLinearAdd, QLinearMul,
 * QLinearConcat, QLinearSigmoid); constant operands are quantized with the activation dtype,
 * since those kernels want both operands in one dtype.
 */
export const allTensorsRule: QuantRule = (node, plan) => {
  const inputs = node.input.filter((i) => i !== '');
  if (!inputs.every((i) => plan.graph.isFloat(i))) return false;
  for (const input of inputs) plan.quantizeTensor(input);
  for (const output of node.output) if (output) plan.quantizeTensor(output);
  return true;
};
