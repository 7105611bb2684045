import { buildModelGraph, type ModelConfig } from '../models/model.js';
import type { ModelGraph } from '../models/ir.js';
import { buildOnnxModel, type ExportOptions } from './export.js';
import { floatValues } from './initializers.js';
import { HEAD_TAIL_KEY, METADATA_KEYS } from './metadata.js';
import type { ModelProto } from './onnx-proto.js';

/**
 * The IR parameter values of an ONNX file hilbertq exported: each parameter is an initializer of
 * the same name (a conv weight in OIHW, everything else as in the IR; a parameter used both ways
 * has a second copy suffixed with its layout). Null when the file is not such an export.
 */
export function irValuesOf(model: ModelProto, graph: ModelGraph): Map<string, Float32Array> | null {
  const initializers = new Map(model.graph.initializer.map((t) => [t.name, t]));
  const convWeights = new Set(graph.nodes.filter((n) => n.op === 'conv2d').map((n) => n.inputs[1]));
  const values = new Map<string, Float32Array>();
  for (const p of graph.params) {
    // The plain name holds whichever layout the exporter asked for first; the other copy is suffixed.
    const suffixedOihw = initializers.get(`${p.name}.oihw`);
    const asIr = initializers.get(`${p.name}.ir`) ?? (convWeights.has(p.name) && !suffixedOihw ? undefined : initializers.get(p.name));
    const asOihw = convWeights.has(p.name) ? (suffixedOihw ?? initializers.get(p.name)) : undefined;
    const size = p.shape.reduce((a, b) => a * b, 1);
    if (asIr) {
      const v = floatValues(asIr);
      if (v.length !== size) return null;
      values.set(p.name, v);
    } else if (asOihw) {
      const v = floatValues(asOihw);
      if (v.length !== size) return null;
      values.set(p.name, oihwToHwio(v, p.shape));
    } else {
      return null;
    }
  }
  return values;
}

/** OIHW [cout, cin, kh, kw] back to the IR's HWIO [kh, kw, cin, cout]. */
function oihwToHwio(values: Float32Array, shape: readonly number[]): Float32Array {
  const [kh, kw, cin, cout] = shape;
  const out = new Float32Array(values.length);
  for (let o = 0; o < cout; o++) {
    for (let i = 0; i < cin; i++) {
      for (let y = 0; y < kh; y++) {
        for (let x = 0; x < kw; x++) out[((y * kw + x) * cin + i) * cout + o] = values[((o * cin + i) * kh + y) * kw + x];
      }
    }
  }
  return out;
}

/** The IR graph a hilbertq export was lowered from (its config in the metadata); null for other files. */
export function irGraphOf(model: ModelProto): ModelGraph | null {
  const meta = new Map((model.metadata_props ?? []).map((p) => [p.key, p.value]));
  const configJson = meta.get(METADATA_KEYS.config);
  if (configJson === undefined || meta.get(METADATA_KEYS.graph) === undefined) return null;
  let graph: ModelGraph;
  try {
    graph = buildModelGraph(JSON.parse(configJson) as ModelConfig);
  } catch {
    return null;
  }
  return graph.name === meta.get(METADATA_KEYS.graph) ? graph : null;
}

/**
 * The ONNX nodes an IR op type was lowered to in a hilbertq export: an emitter writes its last
 * node under the IR node's name and its intermediates under `irNode/suffix` (emit-context.ts).
 */
export function loweredNodesOf(model: ModelProto, op: ModelGraph['nodes'][number]['op']): string[] {
  const irNames = (irGraphOf(model)?.nodes ?? []).filter((n) => n.op === op).map((n) => n.name);
  return model.graph.node.map((n) => n.name).filter((name) => irNames.some((ir) => name === ir || name.startsWith(`${ir}/`)));
}

/**
 * The same model lowered again from its one description (the config in its metadata) with other
 * export options, e.g. the matching cost as a grouped conv for a fully integer graph. Metadata and
 * opset are kept, and so is where the head's tail runs unless `opts.headTail` moves it. Null
 * when the file is not a hilbertq export whose parameters all read back.
 */
export function reexportOnnx(model: ModelProto, opts: Pick<ExportOptions, 'matchingCost' | 'headTail'>): ModelProto | null {
  const graph = irGraphOf(model);
  if (!graph) return null;
  const values = irValuesOf(model, graph);
  if (!values) return null;
  const opset = model.opset_import.find((o) => (o.domain ?? '') === '')?.version;
  const given = model.metadata_props ?? [];
  // Unless asked otherwise, the head's tail stays where the given file has it.
  const headTail = opts.headTail ?? (given.some((p) => p.key === HEAD_TAIL_KEY) ? 'decoder' : 'graph');
  const rebuilt = buildOnnxModel(graph, values, { ...opts, headTail, ...(opset !== undefined ? { opset: Number(opset) } : {}) });
  const tail = (rebuilt.metadata_props ?? []).filter((p) => p.key === HEAD_TAIL_KEY);
  rebuilt.metadata_props = [...given.filter((p) => p.key !== HEAD_TAIL_KEY), ...tail];
  return rebuilt;
}
