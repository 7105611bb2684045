import { FileFormatError } from '../util/errors.js';
import { curveOf } from './head-decode.js';
import type { ModelGraph } from './ir.js';
import { buildModelGraph, validateModelConfig, type ModelConfig } from './model.js';
import type { WeightsManifest } from './weights-io.js';

/**
 * The config and graph a weights manifest describes, checked as every reader of it needs: a
 * config the models and the curve codec accept, a graph name that agrees with it, and every
 * parameter of that graph listed with its shape. Each failure is one line naming `manifestPath`
 * (an order of 99 used to surface later as "invalid order = 99", naming no file; export wrote
 * ONNX files for configs eval then refused; a contradicting graph name was ignored).
 */
export function manifestGraph(manifest: WeightsManifest, manifestPath: string): { config: ModelConfig; graph: ModelGraph } {
  const config = manifest.config as ModelConfig | null;
  if (typeof config !== 'object' || config === null) throw new FileFormatError(manifestPath, 'has no model config');
  let graph: ModelGraph;
  try {
    validateModelConfig(config);
    graph = buildModelGraph(config);
    if (config.head === 'hilbert') curveOf(config);
  } catch (err) {
    throw new FileFormatError(manifestPath, `has an invalid model config: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (manifest.graph !== graph.name) throw new FileFormatError(manifestPath, `names graph ${JSON.stringify(manifest.graph)}, but its config builds ${graph.name}`);
  const saved = new Map(manifest.params.map((p) => [p.name, p.shape.join('x')]));
  for (const p of graph.params) {
    if (saved.get(p.name) !== p.shape.join('x')) {
      throw new FileFormatError(manifestPath, `parameter ${p.name} [${p.shape}] is missing or has another shape`);
    }
  }
  return { config, graph };
}
