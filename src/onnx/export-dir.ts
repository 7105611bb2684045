import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { TrainingScenes } from '../data/types.js';
import { manifestGraph } from '../models/manifest-graph.js';
import type { ModelConfig } from '../models/model.js';
import type { ModelGraph } from '../models/ir.js';
import { MANIFEST_FILE, WEIGHTS_FILE, readWeightsDir, recordedTrainingSize, refuseNonFiniteWeights } from '../models/weights-io.js';
import { FileFormatError } from '../util/errors.js';
import { writeFileAtomic } from '../util/fs.js';
import { fileSha256 } from '../util/hash.js';
import { buildOnnxModel, type ExportOptions } from './export.js';
import { TRAINING_SCENES_KEY, TRAINING_SIZE_KEY, WEIGHTS_SHA256_KEY } from './metadata.js';
import { encodeModel } from './onnx-proto.js';

export interface ExportSummary {
  file: string;
  bytes: number;
  opset: number;
  /** ONNX nodes in the exported graph. */
  nodes: number;
  graph: string;
}

/**
 * Exports a saved model folder (model.json + weights.bin, see weights-io.ts) to one .onnx file,
 * written atomically. Needs no tfjs: the graph is rebuilt from the saved config.
 */
export function exportModelDir(modelDir: string, outFile: string, opts: ExportOptions = {}): ExportSummary {
  const { graph, values, trainingSize } = readModelDir(modelDir);
  const metadata = {
    ...(trainingSize ? { [TRAINING_SIZE_KEY]: `${trainingSize.height}x${trainingSize.width}` } : {}),
    // Mixed scenes are the default and stay unrecorded, so older exports read the same.
    ...(trainingSize && trainingSize.scenes !== 'mixed' ? { [TRAINING_SCENES_KEY]: trainingSize.scenes } : {}),
    [WEIGHTS_SHA256_KEY]: fileSha256(join(modelDir, WEIGHTS_FILE)),
    ...opts.metadata,
  };
  const model = buildOnnxModel(graph, values, { ...opts, metadata });
  const bytes = encodeModel(model);
  writeFileAtomic(outFile, bytes);
  return { file: outFile, bytes: bytes.byteLength, opset: model.opset_import[0].version, nodes: model.graph.node.length, graph: graph.name };
}

/** The graph and checked parameter values of a model folder; every failure names the file. */
export function readModelDir(modelDir: string): {
  config: ModelConfig;
  graph: ModelGraph;
  values: Map<string, Float32Array>;
  trainingSize: TrainingScenes | null;
} {
  const manifestPath = join(modelDir, MANIFEST_FILE);
  const binPath = join(modelDir, WEIGHTS_FILE);
  if (!existsSync(manifestPath)) throw new FileFormatError(manifestPath, 'does not exist (not a hilbertq model folder?)');
  if (!existsSync(binPath)) throw new FileFormatError(binPath, 'does not exist');
  const { manifest, values } = readWeightsDir(modelDir);
  const { config, graph } = manifestGraph(manifest, manifestPath);
  refuseNonFiniteWeights(values, binPath);
  return { config, graph, values, trainingSize: recordedTrainingSize(manifest.meta, manifestPath) };
}
