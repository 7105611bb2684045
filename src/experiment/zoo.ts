import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TrainingScenes } from '../data/types.js';
import type { ModelConfig } from '../models/model.js';
import { MANIFEST_FILE, recordedTrainingSize } from '../models/weights-io.js';
import { ConfigError, FileFormatError } from '../util/errors.js';

/**
 * A model of the zoo. The headline pair of a family is named FAMILY-direct and FAMILY-hilbert
 * (the curve head the zoo ships as its best; which curve that is, its config says); every other
 * hilbert model is a curve-ablation variant, compared with its family's direct model.
 */
export interface ZooModel {
  name: string;
  dir: string;
  config: ModelConfig;
  role: 'headline' | 'ablation';
  /** The `hilbertq train ...` command recorded when the model was trained, if any. */
  command: string | null;
  /**
   * For a fine-tuned model (trained with --init): the command that trained the model it started
   * from, as recorded with it; retraining the zoo runs that first.
   */
  baseCommand: string | null;
  /** Whether it was trained with --init (then baseCommand must be known to retrain it). */
  fineTuned: boolean;
  /** The TrainConfig recorded with it (meta.training.config): what `experiment --train` rebuilds from. */
  trainingConfig: unknown;
  /** For a fine-tuned model: the TrainConfig of the model it started from (config.init.training.config). */
  baseTrainingConfig: unknown;
  trainingSize: TrainingScenes;
}

export function listZoo(zooDir: string): ZooModel[] {
  if (!existsSync(zooDir)) throw new ConfigError('--models', zooDir, 'does not exist');
  const models = readdirSync(zooDir)
    .filter((name) => existsSync(join(zooDir, name, MANIFEST_FILE)))
    .sort()
    .map((name) => readZooModel(join(zooDir, name), name));
  if (models.length === 0) throw new ConfigError('--models', zooDir, 'holds no model folders (model.json + weights.bin)');
  return models;
}

function readZooModel(dir: string, name: string): ZooModel {
  const file = join(dir, MANIFEST_FILE);
  let manifest: { config?: ModelConfig; meta?: Record<string, unknown> };
  try {
    manifest = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new FileFormatError(file, `is not valid JSON: ${(err as Error).message}`);
  }
  const config = manifest.config;
  if (!config || typeof config !== 'object') throw new FileFormatError(file, 'has no model config');
  const training = manifest.meta?.training as { command?: string; config?: { init?: { training?: { command?: string; config?: unknown } } } } | undefined;
  const baseCommand = training?.config?.init?.training?.command;
  return {
    name,
    dir,
    config,
    role: name === `${config.family}-${config.head}` ? 'headline' : 'ablation',
    command: typeof training?.command === 'string' ? training.command : null,
    baseCommand: typeof baseCommand === 'string' ? baseCommand : null,
    fineTuned: training?.config?.init !== undefined,
    trainingConfig: training?.config,
    baseTrainingConfig: training?.config?.init?.training?.config,
    trainingSize: recordedTrainingSize(manifest.meta) ?? { height: 64, width: 128, scenes: 'mixed' },
  };
}
