import type { NodeProto } from '../../onnx/onnx-proto.js';
import type { QuantPlan } from '../plan.js';

/**
 * One ONNX op type's quantization, like a class in ORT's quantization/registry.py: it requests
 * Q/DQ for the node's tensors through the plan and returns whether the node now runs on
 * quantized values. A node whose rule returns false, or whose op type has no rule, stays float
 * between the DequantizeLinear of its inputs and the QuantizeLinear of its outputs.
 */
export type QuantRule = (node: NodeProto, plan: QuantPlan) => boolean;

export type QuantRuleRegistry = Readonly<Record<string, QuantRule>>;
