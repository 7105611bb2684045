import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { StereoBatch, TrainingScenes } from '../data/types.js';
import { DepthPredictor } from '../infer/depth-predictor.js';
import type { ModelConfig } from '../models/model.js';
import { disposeParams, loadWeights } from '../models/tfjs-build.js';
import { MANIFEST_FILE, recordedTrainingSize } from '../models/weights-io.js';
import { FileFormatError } from '../util/errors.js';
import { TfjsPredictor } from './tfjs-predictor.js';

/** Anything evaluation can run: a trained model folder (tfjs, FP32) or an ONNX file (ORT). */
export interface OpenedPredictor {
  label: string;
  /** 'fp32' for float models, else the quantization scheme. */
  precision: string;
  config: ModelConfig;
  /** The HxW and scene style the model was trained at, when recorded. */
  trainingSize: TrainingScenes | null;
  /** Why the model's output decodes on a slow path, or null (a float model folder: null). */
  slowDecode: string | null;
  predict(batch: StereoBatch): Promise<Float32Array>;
  release(): Promise<void>;
}

export async function openPredictor(path: string): Promise<OpenedPredictor> {
  if (!existsSync(path)) throw new FileFormatError(path, 'does not exist');
  if (statSync(path).isDirectory()) {
    const { config, graph, params, meta } = loadWeights(path);
    const tfjs = new TfjsPredictor(graph, params, config);
    return {
      label: path,
      precision: 'fp32',
      config,
      trainingSize: recordedTrainingSize(meta, join(path, MANIFEST_FILE)),
      slowDecode: null,
      predict: async (batch) => tfjs.predict(batch),
      release: async () => disposeParams(params),
    };
  }
  const ort = await DepthPredictor.load(path);
  return {
    label: path,
    precision: ort.scheme,
    config: ort.config,
    trainingSize: ort.trainingSize,
    slowDecode: ort.slowDecode,
    predict: (batch) => ort.predictBatch(batch),
    release: () => ort.release(),
  };
}
