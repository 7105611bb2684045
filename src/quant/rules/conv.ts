import type { QuantRule } from './rule.js';

/** ORT QDQConv: activation in and out, int8 weight per output channel (OIHW axis 0), int32 bias. */
export const convRule: QuantRule = (node, plan) => {
  const [x, weight, bias] = node.input;
  if (!plan.graph.isFloat(x)) return false;
  plan.quantizeTensor(x);
  plan.quantizeWeight(weight, 0);
  if (bias) {
    if (plan.graph.initializer(weight) && plan.graph.initializer(bias)) plan.quantizeBias(node, bias, x, weight);
    else plan.quantizeTensor(bias);
  }
  plan.quantizeTensor(node.output[0]);
  return true;
};
