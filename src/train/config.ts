import { SCENE_STYLES, type SceneStyle } from '../data/types.js';
import { HilbertCurve } from '../curve/hilbert-curve.js';
import type { FakeQuantPlan } from '../models/fake-quant.js';
import { validateModelConfig, type ModelConfig } from '../models/model.js';
import { ConfigError } from '../util/errors.js';
import { checkBatchPixels } from './batch-limit.js';

/** Everything that determines a training run. Saved as RUN_DIR/config.json. */
export interface TrainConfig {
  model: ModelConfig;
  height: number;
  width: number;
  steps: number;
  batch: number;
  seed: number;
  /** Peak learning rate of the cosine schedule, and its linear warm-up in steps. */
  lr: number;
  warmup: number;
  clipNorm: number;
  /**
   * Hilbert loss weights (see losses.ts). Defaults from a sweep on a width-0.5 U-Net, 32x64,
   * 800 steps, validation EPE in px: alpha 1: 2.75; alpha 10, beta 0: 1.91; beta 1: 1.86;
   * beta 10: 2.35; alpha 100, beta 1: 1.82 (direct head: 1.69). README, "Choosing alpha and beta".
   */
  alpha: number;
  beta: number;
  /** Std of Gaussian noise added to the head input while training (0 = off). */
  headNoise: number;
  /**
   * Hilbert head: std of the output noise (curve-cube units) the decoded-disparity L1 is taken
   * under (losses.ts, SoftDecodedL1); 0 or absent: the exact decode.
   */
  outputNoise?: number;
  /**
   * Quantization-aware training: the forward pass rounds what the quantized model of this plan
   * rounds (`hilbertq train --qat MODEL.onnx`). Absent: plain float training.
   */
  fakeQuant?: FakeQuantPlan;
  /**
   * Start from the weights of a trained model folder instead of random ones (fine-tuning). The
   * folder's own training record and a hash of its weights are kept here, so the run says what
   * it was fine-tuned from even after that folder changes. With `newHead`, only the body is
   * taken (the folder may hold another head of the same family, width and range) and the head's
   * parameters start fresh from the seed: a trained body re-used for another curve.
   */
  init?: { model: string; weightsSha256: string; training: unknown; newHead?: boolean };
  /**
   * Training data: the synthetic generator (streamed; `scenes` absent means 'mixed') or a dataset
   * folder (random crops). Validation uses the same scene style.
   */
  data: { source: 'synthetic'; maxObjects?: number; scenes?: SceneStyle } | { source: 'folder'; path: string; format?: string };
  valEvery: number;
  valCount: number;
  checkpointEvery: number;
  logEvery: number;
}

/** Fixed generator seeds of the held-out sets; training seeds must differ from them. */
export const VALIDATION_SEED = 1_000_003;
export const TEST_SEED = 2_000_003;

/** Optimizer steps when a command gives none (`hilbertq train`, and the experiment reading its commands). */
export const DEFAULT_STEPS = 2000;

export const TRAIN_DEFAULTS = {
  lr: 2e-3,
  warmup: 100,
  clipNorm: 5,
  alpha: 10,
  beta: 1,
  headNoise: 0,
  valEvery: 250,
  valCount: 32,
  checkpointEvery: 250,
  logEvery: 10,
} as const;

/** The most validation pairs a run may ask for (each validation takes about 50 ms a pair at 128x256). */
export const MAX_VAL_COUNT = 10_000;

/** Fields that must be JSON numbers: a resumed config.json is hand-editable, and "300" >= 1 holds. */
const NUMBER_FIELDS = ['height', 'width', 'steps', 'batch', 'seed', 'lr', 'warmup', 'clipNorm', 'alpha', 'beta', 'headNoise', 'valEvery', 'valCount', 'checkpointEvery', 'logEvery'] as const;

/**
 * Checks every setting of a run. The flags build a well-typed config, but a resume reads
 * config.json as it is on disk, so the shape is checked too: a missing data.path reached the
 * dataset code as undefined and ended in a TypeError.
 */
export function validateTrainConfig(c: TrainConfig): void {
  if (!isObject(c)) throw new ConfigError('config', shown(c), 'expected a JSON object of settings');
  if (!isObject(c.model)) throw new ConfigError('model', shown(c.model), 'expected an object of model settings');
  for (const field of NUMBER_FIELDS) {
    if (typeof c[field] !== 'number') throw new ConfigError(field, shown(c[field]), 'must be a number');
  }
  const positiveInt = (field: string, v: number): void => {
    if (!Number.isInteger(v) || v < 1) throw new ConfigError(field, v, 'must be an integer >= 1');
  };
  positiveInt('height', c.height);
  positiveInt('width', c.width);
  positiveInt('steps', c.steps);
  positiveInt('batch', c.batch);
  positiveInt('valEvery', c.valEvery);
  positiveInt('valCount', c.valCount);
  // Validation runs on all of them every valEvery steps: 10^11 pairs looked like a hang.
  if (c.valCount > MAX_VAL_COUNT) throw new ConfigError('valCount', c.valCount, `at most ${MAX_VAL_COUNT}: every validation runs the model on all of them`);
  positiveInt('checkpointEvery', c.checkpointEvery);
  positiveInt('logEvery', c.logEvery);
  if (!Number.isInteger(c.warmup) || c.warmup < 0) throw new ConfigError('warmup', c.warmup, 'must be an integer >= 0');
  if (!Number.isInteger(c.seed) || c.seed < 0) throw new ConfigError('seed', c.seed, 'must be an integer >= 0');
  if (c.seed === VALIDATION_SEED || c.seed === TEST_SEED) {
    throw new ConfigError('seed', c.seed, 'is reserved for the held-out validation/test sets');
  }
  // Refused by the flags already; a config.json's batch or size is checked here.
  checkBatchPixels(c.batch, c.height, c.width);
  if (!(c.lr > 0 && c.lr < 1)) throw new ConfigError('lr', c.lr, 'must be in (0, 1)');
  if (!(c.clipNorm >= 0 && c.clipNorm < Infinity)) throw new ConfigError('clipNorm', c.clipNorm, 'must be >= 0 (0 = no clipping)');
  if (!(c.alpha >= 0) || !(c.beta >= 0)) throw new ConfigError('alpha/beta', `${c.alpha}/${c.beta}`, 'must be >= 0');
  if (!(c.headNoise >= 0)) throw new ConfigError('headNoise', c.headNoise, 'must be >= 0');
  if (c.outputNoise !== undefined && !(c.outputNoise >= 0 && c.outputNoise < 1)) {
    throw new ConfigError('outputNoise', c.outputNoise, 'must be in [0, 1)');
  }
  validateData(c.data);
  validateInit(c.init);
  if (c.fakeQuant !== undefined && !(isObject(c.fakeQuant) && isObject(c.fakeQuant.activations) && Array.isArray(c.fakeQuant.weights))) {
    throw new ConfigError('fakeQuant', shown(c.fakeQuant), 'expected the rounding plan of a quantized model (activations, weights)');
  }
  if (c.model.maxDisp >= c.width) throw new ConfigError('maxDisp', c.model.maxDisp, `must be below the width ${c.width}`);
  validateModelConfig(c.model);
  // Builds (and so checks) the curve before a run folder is written, not at the first step.
  if (c.model.head === 'hilbert') new HilbertCurve({ dims: c.model.dims, order: c.model.order, margin: c.model.margin });
}

/** The data source: the synthetic stream or a dataset folder (its format is checked when it opens). */
function validateData(data: TrainConfig['data']): void {
  if (!isObject(data)) throw new ConfigError('data', shown(data), "expected an object with source 'synthetic' or 'folder'");
  if (data.source === 'folder') {
    if (typeof data.path !== 'string' || data.path === '') throw new ConfigError('data.path', shown(data.path), 'expected the path of the dataset folder');
  } else if (data.source === 'synthetic') {
    if (data.scenes !== undefined && !SCENE_STYLES.includes(data.scenes)) throw new ConfigError('data.scenes', shown(data.scenes), `expected one of ${SCENE_STYLES.join(', ')}`);
  } else {
    throw new ConfigError('data.source', shown((data as { source?: unknown }).source), "expected 'synthetic' or 'folder'");
  }
}

/** The init record (trainer.ts, initRecord): the folder and the hash of the weights it held. */
function validateInit(init: TrainConfig['init']): void {
  if (init === undefined) return;
  if (!isObject(init) || typeof init.model !== 'string' || typeof init.weightsSha256 !== 'string') {
    throw new ConfigError('init', shown(init), 'expected the init record { model, weightsSha256, training } of a fine-tuning run');
  }
}

function isObject<T>(v: T): v is T & object {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * A value as an error shows it: strings quoted, so that steps "300" does not read as the number,
 * and objects cut short, so that the message stays one readable line.
 */
export function shown(v: unknown): unknown {
  if (v === undefined) return 'missing';
  if (typeof v !== 'string' && typeof v !== 'object') return v;
  const text = JSON.stringify(v);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
