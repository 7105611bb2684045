import type { SceneStyle } from '../data/types.js';
import { HilbertCurve } from '../curve/hilbert-curve.js';
import type { FakeQuantPlan } from '../models/fake-quant.js';
import { validateModelConfig, type ModelConfig } from '../models/model.js';
import { ConfigError } from '../util/errors.js';

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

export function validateTrainConfig(c: TrainConfig): void {
  const positiveInt = (field: string, v: number): void => {
    if (!Number.isInteger(v) || v < 1) throw new ConfigError(field, v, 'must be an integer >= 1');
  };
  positiveInt('steps', c.steps);
  positiveInt('batch', c.batch);
  positiveInt('valEvery', c.valEvery);
  positiveInt('valCount', c.valCount);
  positiveInt('checkpointEvery', c.checkpointEvery);
  positiveInt('logEvery', c.logEvery);
  if (!Number.isInteger(c.warmup) || c.warmup < 0) throw new ConfigError('warmup', c.warmup, 'must be an integer >= 0');
  if (!Number.isInteger(c.seed) || c.seed < 0) throw new ConfigError('seed', c.seed, 'must be an integer >= 0');
  if (c.seed === VALIDATION_SEED || c.seed === TEST_SEED) {
    throw new ConfigError('seed', c.seed, 'is reserved for the held-out validation/test sets');
  }
  if (!(c.lr > 0 && c.lr < 1)) throw new ConfigError('lr', c.lr, 'must be in (0, 1)');
  if (!(c.alpha >= 0) || !(c.beta >= 0)) throw new ConfigError('alpha/beta', `${c.alpha}/${c.beta}`, 'must be >= 0');
  if (!(c.headNoise >= 0)) throw new ConfigError('headNoise', c.headNoise, 'must be >= 0');
  if (c.outputNoise !== undefined && !(c.outputNoise >= 0 && c.outputNoise < 1)) {
    throw new ConfigError('outputNoise', c.outputNoise, 'must be in [0, 1)');
  }
  if (c.model.maxDisp >= c.width) throw new ConfigError('maxDisp', c.model.maxDisp, `must be below the width ${c.width}`);
  validateModelConfig(c.model);
  // Builds (and so checks) the curve before a run folder is written, not at the first step.
  if (c.model.head === 'hilbert') new HilbertCurve({ dims: c.model.dims, order: c.model.order, margin: c.model.margin });
}
