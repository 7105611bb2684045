import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
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
/** One training run in a model's history: the command and TrainConfig it recorded (either may be missing). */
export interface TrainingStage {
  command: string | null;
  config: unknown;
}

export interface ZooModel {
  name: string;
  dir: string;
  config: ModelConfig;
  role: 'headline' | 'ablation';
  /** The `hilbertq train ...` command recorded when the model was trained, if any. */
  command: string | null;
  /**
   * The runs that made it, first to last, each as it recorded itself: a fine-tuned model's
   * (--init) record holds the record of the model it started from, and so on. `experiment
   * --train` retrains them in this order; the last is the model's own.
   */
  stages: TrainingStage[];
  trainingSize: TrainingScenes;
}

export function listZoo(zooDir: string): ZooModel[] {
  if (!existsSync(zooDir)) throw new ConfigError('--models', zooDir, 'does not exist');
  // readdirSync threw ENOTDIR with a stack for a file given as the zoo.
  if (!statSync(zooDir).isDirectory()) throw new ConfigError('--models', zooDir, 'is a file, not a folder of models');
  const models = readdirSync(zooDir)
    .filter((name) => existsSync(join(zooDir, name, MANIFEST_FILE)))
    .sort()
    .map((name) => readZooModel(join(zooDir, name), name));
  if (models.length === 0) throw new ConfigError('--models', zooDir, 'holds no model folders (model.json + weights.bin)');
  return models;
}

function readZooModel(dir: string, name: string): ZooModel {
  const file = join(dir, MANIFEST_FILE);
  let manifest: { config?: ModelConfig; meta?: Record<string, unknown> } | null;
  try {
    manifest = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new FileFormatError(file, `is not valid JSON: ${(err as Error).message}`);
  }
  const config = manifest?.config;
  if (!config || typeof config !== 'object') throw new FileFormatError(file, 'has no model config');
  const training = manifest?.meta?.training as { command?: unknown } | undefined;
  return {
    name,
    dir,
    config,
    role: name === `${config.family}-${config.head}` ? 'headline' : 'ablation',
    command: typeof training?.command === 'string' ? training.command : null,
    stages: trainingStages(training),
    trainingSize: recordedTrainingSize(manifest?.meta, file) ?? { height: 64, width: 128, scenes: 'mixed' },
  };
}

/** A training record and the records its --init chain holds, oldest first. */
function trainingStages(training: unknown): TrainingStage[] {
  const stages: TrainingStage[] = [];
  for (let t = training; isRecord(t); ) {
    stages.unshift({ command: typeof t.command === 'string' ? t.command : null, config: t.config });
    const init = isRecord(t.config) ? t.config.init : undefined;
    t = isRecord(init) ? init.training : undefined;
    // Fine-tuned from a model without a record: that stage is there, unknown, and refused as such.
    if (init !== undefined && !isRecord(t)) stages.unshift({ command: null, config: undefined });
  }
  return stages;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
