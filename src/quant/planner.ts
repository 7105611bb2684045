import type { ModelProto, NodeProto } from '../onnx/onnx-proto.js';
import { GraphIndex } from './graph-index.js';
import { QuantPlan } from './plan.js';
import type { QuantRuleRegistry } from './rules/rule.js';
import type { SchemeSpec } from './schemes.js';

/** hilbertq graph inputs are RGB images in [0, 1]: their range is known, and 1/255 (uint8) is exact for 8-bit pixels. */
export const IMAGE_RANGE = { min: 0, max: 1 } as const;

/**
 * Applies the rule of each node's op type in graph order, then again until no request changes
 * the plan: a data-movement op early in the graph may only learn on a later sweep that its
 * input is quantized (by a consumer further down). Nodes named in `nodesToExclude` (ORT's
 * nodes_to_exclude) get no rule and stay float, and so do the nodes that only feed them; nodes
 * named in `floatAlone` stay float without pulling their producers along (the w8a8 matching
 * cost: the encoders feeding it stay integer, their outputs dequantized for it).
 */
export function planQuantization(
  model: ModelProto,
  scheme: SchemeSpec,
  rules: QuantRuleRegistry,
  nodesToExclude: ReadonlySet<string> = new Set(),
  floatAlone: ReadonlySet<string> = new Set(),
): QuantPlan {
  const graph = new GraphIndex(model);
  const plan = new QuantPlan(graph, scheme);
  const float = floatNodes(graph, nodesToExclude);
  for (const node of graph.nodes) if (floatAlone.has(node.name)) float.add(node);
  // Graph inputs are images in [0, 1], quantized up front (so that data movement reading them
  // directly can share their scale), unless only float nodes read them.
  for (const input of graph.graphInputs()) {
    if (graph.isFloat(input) && graph.consumers(input).some((c) => !float.has(c))) plan.fixRange(input, IMAGE_RANGE);
  }
  for (let sweep = 0; sweep <= graph.nodes.length; sweep++) {
    const before = plan.version;
    for (const node of graph.nodes) {
      if (plan.folded.has(node)) continue;
      if (float.has(node)) continue;
      const rule = Object.hasOwn(rules, node.op_type) ? rules[node.op_type] : undefined;
      if (rule?.(node, plan)) plan.handled.add(node);
    }
    if (plan.version === before) break;
  }
  // The model's result leaves the graph quantized, whatever op produced it.
  for (const output of graph.graphOutputs()) plan.quantizeTensor(output);
  return plan;
}

/**
 * The nodes left float: the excluded ones, plus every node all of whose outputs
 * only float nodes read (e.g. the input normalisation in front of a float image conv), so that
 * no QuantizeLinear/DequantizeLinear pair is spent on values that are float on both sides.
 * (ORT would otherwise also turn a float Conv between a DequantizeLinear and a QuantizeLinear
 * into a QLinearConv of its own.)
 */
function floatNodes(graph: GraphIndex, nodesToExclude: ReadonlySet<string>): Set<NodeProto> {
  const float = new Set(graph.nodes.filter((n) => nodesToExclude.has(n.name)));
  if (float.size === 0) return float;
  for (let i = graph.nodes.length - 1; i >= 0; i--) {
    const node = graph.nodes[i];
    const outputs = node.output.filter((o) => o !== '');
    const feedsOnlyFloat = outputs.every((o) => !graph.isGraphOutput(o) && graph.consumers(o).length > 0 && graph.consumers(o).every((c) => float.has(c)));
    if (outputs.length > 0 && feedsOnlyFloat) float.add(node);
  }
  return float;
}
