import * as tf from '@tensorflow/tfjs';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { syntheticDataset } from '../data/batches.js';
import { SyntheticStereo } from '../data/synthetic/generator.js';
import type { SceneStyle } from '../data/types.js';
import { evaluateDataset } from '../eval/evaluate.js';
import type { StereoMetrics } from '../eval/metrics.js';
import { TfjsPredictor } from '../eval/tfjs-predictor.js';
import { backboneSettings, buildModelGraph } from '../models/model.js';
import { createParams, disposeParams, loadWeights, saveWeights, type ParamMap } from '../models/tfjs-build.js';
import { fakeQuantMismatch } from '../models/fake-quant.js';
import type { ModelGraph } from '../models/ir.js';
import { isLinearOutput } from '../models/output-map.js';
import { readWeightsDir, refuseNonFiniteWeights, WEIGHTS_FILE } from '../models/weights-io.js';
import { ConfigError, FileFormatError, HilbertqError, onFileSystem } from '../util/errors.js';
import { appendToFile, writeFileAtomic } from '../util/fs.js';
import { lockFolder } from '../util/lock.js';
import { codeProvenance, type CodeProvenance } from '../util/provenance.js';
import { Adam } from './adam.js';
import { checkpointToResume, findCheckpoint, loadCheckpoint, saveCheckpoint, type ResumeRecord } from './checkpoint.js';
import { COMMAND_FILE, refuseForeignRunFolder } from './run-folder.js';
import { validateTrainConfig, VALIDATION_SEED, type TrainConfig } from './config.js';
import { trainingFeed, type BatchFeed } from './feed.js';
import { cosineLearningRate } from './schedule.js';
import { trainStep } from './step.js';

export interface TrainProgress {
  step: number;
  steps: number;
  loss: number;
  valEpe: number | null;
  /** Seconds per step, measured over this process's steps. */
  secondsPerStep: number;
}

export interface TrainOptions {
  runDir: string;
  resume?: boolean;
  /** The command line that started the run, recorded with the final model. */
  command?: string;
  onProgress?: (p: TrainProgress) => void;
  /** Stop after this many steps of this process (tests use it to simulate an interruption). */
  stopAfter?: number;
  /** A one-line notice for the user, e.g. that a resume found no checkpoint and starts at step 0. */
  onNotice?: (message: string) => void;
}

export interface TrainResult {
  modelDir: string;
  steps: number;
  validation: StereoMetrics | null;
  seconds: number;
}

/**
 * The training loop. Everything random is a function of (seed, step), the optimizer state is
 * checkpointed with the weights, and metrics.jsonl is cut back to the checkpoint on resume, so
 * an interrupted run continues bit for bit.
 */
export async function train(configIn: TrainConfig, options: TrainOptions): Promise<TrainResult> {
  const { runDir } = options;
  const configFile = join(runDir, 'config.json');
  let config = configIn;
  if (options.resume) {
    if (!existsSync(configFile)) throw new ConfigError('--resume', runDir, 'has no config.json: nothing to resume');
    config = readJson<TrainConfig>(configFile);
  } else {
    refuseForeignRunFolder(runDir);
  }
  // A resume's settings come from config.json, not from flags: its errors name that file.
  const { graph, feed } = options.resume ? inRunConfig(configFile, () => checkedRun(config, configFile)) : checkedRun(config, null);
  // An --init that does not fit the model is refused before the folder is written, too; the
  // weights it loads are the run's (trainLocked owns them from here).
  const initial = config.init && !options.resume ? initialParams(config, graph) : null;
  let release: () => void;
  try {
    release = lockFolder(runDir);
  } catch (err) {
    if (initial) disposeParams(initial);
    throw err;
  }
  try {
    return await trainLocked(config, options, graph, feed, initial);
  } finally {
    release();
  }
}

/**
 * Everything that can be wrong with the settings, the data or the size, found before the folder
 * is written: a failed start used to leave a config.json that the corrected command then refused.
 * `configFile` is the config.json a resume read its settings from (null for a new run).
 */
function checkedRun(config: TrainConfig, configFile: string | null): { graph: ModelGraph; feed: BatchFeed } {
  validateTrainConfig(config);
  const graph = buildModelGraph(config.model);
  const planProblem = config.fakeQuant ? fakeQuantMismatch(config.fakeQuant, graph) : null;
  if (planProblem) throw new ConfigError('--qat', config.fakeQuant?.source, `does not fit this model: it ${planProblem}`);
  for (const [name, size] of [['height', config.height], ['width', config.width]] as const) {
    if (size % graph.stride !== 0) throw new ConfigError('--size', `${config.height}x${config.width}`, `${name} must be a multiple of the model's stride ${graph.stride}`);
  }
  // A resumed run's dataset may have moved since it started: say where its path came from.
  const where = configFile && config.data.source === 'folder' ? 'data.path' : null;
  const feed = where ? inRunConfig(configFile as string, () => trainingFeed(config), where) : trainingFeed(config);
  feed(0);
  return { graph, feed };
}

/**
 * Runs `check` on settings read from `configFile`, turning a user-facing error into one line
 * naming that file (and `field`, where the error is about what the field names); an error already
 * naming the file passes unchanged.
 */
function inRunConfig<T>(configFile: string, check: () => T, field?: string): T {
  try {
    return check();
  } catch (err) {
    if (!(err instanceof HilbertqError) || err.message.startsWith(`${configFile}: `)) throw err;
    throw new FileFormatError(configFile, field ? `${field}: ${err.message}` : err.message);
  }
}

async function trainLocked(config: TrainConfig, options: TrainOptions, graph: ModelGraph, feed: BatchFeed, initial: ParamMap | null): Promise<TrainResult> {
  const { runDir } = options;
  const configFile = join(runDir, 'config.json');
  const metricsFile = join(runDir, 'metrics.jsonl');
  const commandFile = join(runDir, COMMAND_FILE);
  // Under the lock, so that no other process can write the folder between this check and ours.
  // A resume refuses a damaged checkpoint rather than silently training again from step 0.
  const checkpointDir = options.resume ? checkpointToResume(runDir) : findCheckpoint(runDir);
  // A resume takes every weight from the checkpoint; one interrupted before its first checkpoint
  // starts again from the init folder, read now.
  const params: ParamMap = initial ?? (config.init && options.resume && !checkpointDir ? initialParams(config, graph) : createParams(graph, config.seed));
  // The command that started the run stays its command; a resume is recorded beside it.
  let startedBy: string | null;
  try {
    if (!options.resume && (checkpointDir || existsSync(configFile))) {
      throw new ConfigError('--out', runDir, 'already holds a run; pass --resume to continue it or choose another folder');
    }
    if (!options.resume) {
      // metrics.jsonl first: where it cannot be written, no config.json is left to refuse the next start.
      writeFileAtomic(metricsFile, '');
      writeFileAtomic(configFile, `${JSON.stringify(config, null, 2)}\n`);
      writeFileAtomic(commandFile, `${JSON.stringify({ command: options.command ?? null })}\n`);
    }
    // Inside the guard: a resume's unreadable command file must not leave the weights allocated.
    startedBy = existsSync(commandFile) ? (readJson<{ command?: string | null } | null>(commandFile)?.command ?? null) : null;
  } catch (err) {
    disposeParams(params);
    throw err;
  }

  // Taken now: commits may land while a long run trains.
  let code: CodeProvenance[] = [codeProvenance()];
  let resumes: ResumeRecord[] = [];
  const adam = new Adam(params, { clipNorm: config.clipNorm });
  try {
    let startStep = 0;
    let elapsedBefore = 0;
    let metricsLines = 0;
    if (options.resume && checkpointDir) {
      const shapes = [...params.values()].map((p) => p.shape);
      const loaded = loadCheckpoint(checkpointDir, [...shapes, ...shapes], config.steps);
      const stray = [...params].find(([name, v]) => loaded.params.get(name)?.shape.join('x') !== v.shape.join('x'));
      if (stray) {
        disposeParams(loaded.params);
        throw new FileFormatError(join(checkpointDir, 'model.json'), `is not the model ${configFile} trains (no ${stray[0]} of shape [${stray[1].shape.join(', ')}])`);
      }
      for (const [name, v] of params) v.assign(loaded.params.get(name) as tf.Variable);
      for (const v of loaded.params.values()) v.dispose();
      adam.loadState(loaded.state.adamStep, loaded.moments);
      startStep = loaded.state.step;
      if (startStep >= config.steps && existsSync(join(runDir, 'model', 'weights.bin'))) {
        throw new ConfigError('--resume', runDir, `has finished its ${config.steps} steps; its model is in ${join(runDir, 'model')}`);
      }
      elapsedBefore = loaded.state.elapsedSeconds;
      metricsLines = truncateLines(metricsFile, loaded.state.metricsLines);
      code = withSegment(loaded.state.code ?? [], code[0]);
      resumes = [...(loaded.state.resumes ?? []), { command: options.command ?? null, fromStep: startStep }];
    } else if (options.resume) {
      options.onNotice?.(`${runDir} holds no checkpoint (the run stopped before its first one): training starts again from step 0`);
      writeFileAtomic(metricsFile, '');
      resumes = [{ command: options.command ?? null, fromStep: 0 }];
    }

    const log = (record: object): void => {
      appendToFile(metricsFile, `${JSON.stringify(record)}\n`);
      metricsLines++;
    };
    const validationSet = syntheticDataset(
      new SyntheticStereo({ height: config.height, width: config.width, maxDisp: config.model.maxDisp, seed: VALIDATION_SEED, scenes: trainingScenes(config) }),
      config.valCount,
      'validation',
    );
    const predictor = new TfjsPredictor(graph, params, config.model);
    const variables = [...params.values()];
    const started = performance.now();
    let lastValidation: StereoMetrics | null = null;
    let lastValEpe: number | null = null;
    let stepsRun = 0;
    let checkpointed = checkpointDir !== null;
    const seconds = (): number => elapsedBefore + (performance.now() - started) / 1000;

    for (let step = startStep; step < config.steps; step++) {
      if (options.stopAfter !== undefined && stepsRun >= options.stopAfter) break;
      // A step is one long synchronous computation: let signals and pipe events (a parent that
      // died, see util/parent-pipe.ts) through between steps.
      await new Promise<void>((resolve) => setImmediate(resolve));
      const lr = cosineLearningRate(step, config.steps, config.lr, config.warmup);
      const batch = feed(step);
      const t0 = performance.now();
      const { loss, l1, curveTerm, gradNorm } = trainStep(config, graph, params, variables, adam, batch, step, lr);
      if (!Number.isFinite(loss)) {
        const kept = checkpointed ? `the last checkpoint is kept in ${runDir}` : `${runDir} holds no checkpoint yet`;
        throw new HilbertqError(`training diverged at step ${step + 1}: loss is ${loss}; ${kept}`);
      }
      const stepMs = performance.now() - t0;
      stepsRun++;
      const done = step + 1;
      if (done % config.logEvery === 0 || done === config.steps) {
        log({ step: done, loss, l1, ...(curveTerm !== undefined ? { curveTerm } : {}), lr, gradNorm, stepMs: Math.round(stepMs) });
      }
      if (done % config.valEvery === 0 || done === config.steps) {
        lastValidation = await evaluateDataset(predictor, validationSet);
        lastValEpe = lastValidation.nonOccluded.epe;
        log({ step: done, val: lastValidation });
      }
      if (done % config.checkpointEvery === 0 || done === config.steps) {
        saveCheckpoint(runDir, graph, params, adam.saveState(), {
          step: done,
          adamStep: adam.step,
          elapsedSeconds: seconds(),
          metricsLines,
          code,
          resumes,
        });
        checkpointed = true;
      }
      options.onProgress?.({
        step: done,
        steps: config.steps,
        loss,
        valEpe: lastValEpe,
        secondsPerStep: (performance.now() - started) / 1000 / stepsRun,
      });
    }

    const finished = startStep + stepsRun >= config.steps;
    const modelDir = join(runDir, 'model');
    if (finished) {
      lastValidation ??= await evaluateDataset(predictor, validationSet);
      saveWeights(modelDir, graph, params, {
        training: { config, command: startedBy, ...(resumes.length ? { resumes } : {}), code, seconds: Math.round(seconds()), validation: lastValidation },
      });
    }
    return { modelDir, steps: startStep + stepsRun, validation: lastValidation, seconds: seconds() };
  } finally {
    adam.dispose();
    for (const v of params.values()) v.dispose();
  }
}

function readJson<T>(file: string): T {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch (err) {
    throw new FileFormatError(file, `is not valid JSON (${err instanceof Error ? err.message : String(err)})`);
  }
}

/**
 * Cuts metrics.jsonl back to its first `lines` records and returns how many it keeps (the count
 * the next checkpoint records). A last line without its newline was cut short by a kill mid-write:
 * it is dropped, or the file would stop being JSON lines.
 */
function truncateLines(file: string, lines: number): number {
  if (!existsSync(file)) return 0;
  const text = onFileSystem(file, 'read', () => readFileSync(file, 'utf8'));
  const kept = text.slice(0, text.lastIndexOf('\n') + 1).split('\n').filter((l) => l !== '').slice(0, lines);
  writeFileAtomic(file, kept.length ? `${kept.join('\n')}\n` : '');
  return kept.length;
}

/** The segments' code list with `next` appended unless the last segment ran the same code. */
function withSegment(code: CodeProvenance[], next: CodeProvenance): CodeProvenance[] {
  const last = code[code.length - 1];
  return last && last.version === next.version && last.commit === next.commit ? code : [...code, next];
}

/** Parameters of the output head; the rest is the body a `newHead` fine-tune keeps. */
const HEAD_PREFIX = 'head.';

/**
 * The weights a fine-tuning run starts from: its init folder's, which must describe the same
 * model and still hold the weights recorded when the run began (a resume never starts from
 * other weights than the first segment did).
 */
function initialParams(config: TrainConfig, graph: ModelGraph): ParamMap {
  const init = config.init as NonNullable<TrainConfig['init']>;
  if (!existsSync(join(init.model, WEIGHTS_FILE))) throw new ConfigError('--init', init.model, 'no longer holds the weights this run starts from');
  const sha = weightsSha256(init.model);
  if (sha !== init.weightsSha256) {
    throw new ConfigError('--init', init.model, `holds other weights than this run started from (sha256 ${sha.slice(0, 12)}, recorded ${init.weightsSha256.slice(0, 12)})`);
  }
  const loaded = loadWeights(init.model);
  const mismatch = init.newHead ? bodyMismatch(loaded.config, config.model) : JSON.stringify(loaded.config) !== JSON.stringify(config.model);
  if (mismatch) {
    disposeParams(loaded.params);
    const why = init.newHead ? `whose body differs from the ${describe(config.model)} one this run trains` : `the run trains a ${describe(config.model)} one`;
    throw new ConfigError('--init', init.model, `is a ${describe(loaded.config)} model, ${why}`);
  }
  if (!init.newHead) {
    if (loaded.graph.params.length !== graph.params.length) {
      disposeParams(loaded.params);
      throw new ConfigError('--init', init.model, 'has other parameters than the model');
    }
    return loaded.params;
  }
  return withFreshHead(graph, config.seed, loaded.params, init.model);
}

/** Whether two models have other bodies: their backbone settings differ (defaults filled in). */
function bodyMismatch(a: TrainConfig['model'], b: TrainConfig['model']): boolean {
  return JSON.stringify(backboneSettings(a)) !== JSON.stringify(backboneSettings(b));
}

/**
 * The trained body's weights with the head's parameters fresh from `seed`. Every body parameter
 * must come from the init model with its shape, and every one of its body parameters must be
 * used, or the "body" would be partly random, or cut short, unnoticed.
 */
function withFreshHead(graph: ModelGraph, seed: number, loaded: ParamMap, source: string): ParamMap {
  const fresh = createParams(graph, seed);
  try {
    for (const p of graph.params) {
      if (p.name.startsWith(HEAD_PREFIX)) continue;
      const v = loaded.get(p.name);
      if (!v || v.shape.join('x') !== p.shape.join('x')) throw new ConfigError('--init', source, `has no ${p.name} of shape [${p.shape.join(', ')}] for the body`);
      (fresh.get(p.name) as tf.Variable).assign(v);
    }
    const unused = [...loaded.keys()].filter((name) => !name.startsWith(HEAD_PREFIX) && !fresh.has(name));
    if (unused.length > 0) throw new ConfigError('--init', source, `has body parameters the model lacks (${unused.slice(0, 3).join(', ')}${unused.length > 3 ? ', ...' : ''})`);
  } catch (e) {
    disposeParams(fresh);
    throw e;
  } finally {
    disposeParams(loaded);
  }
  return fresh;
}

function describe(m: TrainConfig['model']): string {
  const range = !isLinearOutput(m) ? `${m.maxDisp} px, ${m.outputMap} map from ${m.minDisp} px` : `${m.maxDisp} px`;
  return m.head === 'hilbert' ? `${m.family}-hilbert (dims ${m.dims}, order ${m.order}, margin ${m.margin}, width ${m.width}, ${range})` : `${m.family}-direct (width ${m.width}, ${range})`;
}

/** sha256 of a model folder's weights.bin. */
export function weightsSha256(modelDir: string): string {
  return createHash('sha256').update(readFileSync(join(modelDir, WEIGHTS_FILE))).digest('hex');
}

/** The init record of a fine-tuning run: the folder, its weights' hash and its own training record. */
export function initRecord(modelDir: string, newHead = false): NonNullable<TrainConfig['init']> {
  const dir = resolve(modelDir);
  if (!existsSync(join(dir, WEIGHTS_FILE))) throw new ConfigError('--init', modelDir, 'is not a model folder (model.json + weights.bin)');
  const { manifest, values } = readWeightsDir(dir);
  refuseNonFiniteWeights(values, join(dir, WEIGHTS_FILE));
  return { model: dir, weightsSha256: weightsSha256(dir), training: (manifest.meta as { training?: unknown } | undefined)?.training ?? null, ...(newHead ? { newHead } : {}) };
}

/** The synthetic scene style a run trains and validates on (a dataset folder validates on mixed scenes). */
function trainingScenes(config: TrainConfig): SceneStyle {
  return config.data.source === 'synthetic' ? (config.data.scenes ?? 'mixed') : 'mixed';
}
