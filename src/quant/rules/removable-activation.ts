import { allTensorsRule } from './all-tensors.js';
import type { QuantRule } from './rule.js';

/**
 * ORT QDQRemovableActivation: a Relu (or a Clip with floor 0, e.g. ReLU6) after a quantized op
 * is removed; the producer writes the activation's output, whose calibrated range starts at 0,
 * so the QuantizeLinear clamps exactly where the activation did. Otherwise it is quantized
 * like any other op.
 */
export const removableActivationRule: QuantRule = (node, plan) => {
  const input = node.input[0];
  if (!plan.isQuantized(input)) return false;
  const floorIsZero = node.op_type === 'Relu' || plan.graph.scalarInitializer(node.input[1]) === 0;
  if (floorIsZero && plan.foldActivation(node)) return true;
  return allTensorsRule({ ...node, input: [input] }, plan);
};
