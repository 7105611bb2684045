import type { ModelProto } from '../onnx/onnx-proto.js';
import type { CalibrationMethod } from './calibrators/index.js';
import type { ConvRoundingReport, OutputRoundingReport } from './output-rounding.js';
import type { QuantPlan } from './plan.js';
import type { QParams, Range } from './qparams.js';
import type { ActivationDtype, QuantScheme } from './schemes.js';
import { tensorBytes } from './tensors.js';

export interface ActivationSummary {
  tensor: string;
  /** calibrated | fixed (known range) | constant (an initializer) | shared (another tensor's params) */
  source: 'calibrated' | 'fixed' | 'constant' | 'shared';
  sharedWith?: string;
  /** The range the scale was computed from (before widening to include 0). */
  range: Range;
  scale: number;
  zeroPoint: number;
}

export interface QuantSummary {
  scheme: QuantScheme;
  schemeDescription: string;
  method: CalibrationMethod;
  opset: number;
  calibration: { pairs: number; passes: number; tensors: number; collectorStateSize: number; description?: string };
  /** Nodes a rule quantized, by op type. */
  quantizedOps: Record<string, number>;
  /** Relu/Clip removed because the producer's QuantizeLinear clamps the same way. */
  foldedActivations: Record<string, number>;
  /** Nodes on float data without a rule, that a rule declined, that the caller excluded (nodesToExclude) or the scheme leaves float (its op types, small convs, the matching cost): they run in float. */
  floatOps: Record<string, string[]>;
  /** Nodes on non-float data (shape arithmetic), untouched. */
  otherOps: Record<string, number>;
  /** All initializer bytes, before and after. */
  weights: { floatBytes: number; quantizedBytes: number; clippedBiasValues: number };
  activations: ActivationSummary[];
  output: { name: string; dtype: ActivationDtype; scale: number; zeroPoint: number };
  /** The output conv's fitted rounding; null when its weights were rounded to nearest. */
  outputRounding: OutputRoundingReport | null;
  /** The other convs' fitted rounding, summed; null when they were rounded to nearest. */
  convRounding: ConvRoundingReport | null;
}

export interface SummaryInputs {
  plan: QuantPlan;
  params: ReadonlyMap<string, QParams & { range: Range }>;
  before: ModelProto;
  after: ModelProto;
  scheme: QuantScheme;
  method: CalibrationMethod;
  calibration: QuantSummary['calibration'];
  clippedBiasValues: number;
  outputRounding: OutputRoundingReport | null;
  convRounding: ConvRoundingReport | null;
}

export function summarize(s: SummaryInputs): QuantSummary {
  const { plan } = s;
  const graph = plan.graph;
  const quantizedOps: Record<string, number> = {};
  const foldedActivations: Record<string, number> = {};
  const floatOps: Record<string, string[]> = {};
  const otherOps: Record<string, number> = {};
  const count = (into: Record<string, number>, op: string): void => {
    into[op] = (into[op] ?? 0) + 1;
  };
  for (const node of graph.nodes) {
    if (plan.folded.has(node)) count(foldedActivations, node.op_type);
    else if (plan.handled.has(node)) count(quantizedOps, node.op_type);
    else if (node.output.some((o) => graph.isFloat(o))) (floatOps[node.op_type] ??= []).push(graph.nodeName(node));
    else count(otherOps, node.op_type);
  }
  const activations = [...plan.activations].map(([tensor, source]): ActivationSummary => {
    const p = s.params.get(tensor) as QParams & { range: Range };
    return {
      tensor,
      source: source.kind,
      ...(source.kind === 'shared' ? { sharedWith: plan.rootOf(tensor) } : {}),
      range: p.range,
      scale: p.scale,
      zeroPoint: p.zeroPoint,
    };
  });
  const bytes = (m: ModelProto): number => m.graph.initializer.reduce((sum, t) => sum + tensorBytes(t), 0);
  const outputName = 'output';
  const out = s.params.get(outputName) as QParams;
  return {
    scheme: s.scheme,
    schemeDescription: plan.scheme.description,
    method: s.method,
    opset: s.after.opset_import.find((o) => !o.domain)?.version ?? 0,
    calibration: s.calibration,
    quantizedOps,
    foldedActivations,
    floatOps,
    otherOps,
    weights: { floatBytes: bytes(s.before), quantizedBytes: bytes(s.after), clippedBiasValues: s.clippedBiasValues },
    activations,
    output: { name: outputName, dtype: plan.scheme.activation.dtype, scale: out.scale, zeroPoint: out.zeroPoint },
    outputRounding: s.outputRounding,
    convRounding: s.convRounding,
  };
}
