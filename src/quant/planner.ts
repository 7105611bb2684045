import type { ModelProto } from '../onnx/onnx-proto.js';
import { GraphIndex } from './graph-index.js';
import { QuantPlan } from './plan.js';
import type { QuantRuleRegistry } from './rules/rule.js';
import type { SchemeSpec } from './schemes.js';

/** hilbertq graph inputs are RGB images in [0, 1]: their range is known, and 1/255 (uint8) is exact for 8-bit pixels. */
export const IMAGE_RANGE = { min: 0, max: 1 } as const;

/**
 * Applies the rule of each node's op type in graph order, then again until no request changes
 * the plan: a data-movement op early in the graph may only learn on a later sweep that its
 * input is quantized (by a consumer further down).
 */
export function planQuantization(model: ModelProto, scheme: SchemeSpec, rules: QuantRuleRegistry): QuantPlan {
  const graph = new GraphIndex(model);
  const plan = new QuantPlan(graph, scheme);
  for (const input of graph.graphInputs()) if (graph.isFloat(input)) plan.fixRange(input, IMAGE_RANGE);
  for (let sweep = 0; sweep <= graph.nodes.length; sweep++) {
    const before = plan.version;
    for (const node of graph.nodes) {
      if (plan.folded.has(node)) continue;
      const rule = Object.hasOwn(rules, node.op_type) ? rules[node.op_type] : undefined;
      if (rule?.(node, plan)) plan.handled.add(node);
    }
    if (plan.version === before) break;
  }
  // The model's result leaves the graph quantized, whatever op produced it.
  for (const output of graph.graphOutputs()) plan.quantizeTensor(output);
  return plan;
}
