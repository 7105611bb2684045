import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { parseSize } from '../data/options.js';
import { SCENE_STYLES, type SceneStyle } from '../data/types.js';
import type { FakeQuantPlan } from '../models/fake-quant.js';
import { buildModelGraph, type ModelConfig } from '../models/model.js';
import { decodeModel } from '../onnx/onnx-proto.js';
import { fakeQuantPlan } from '../quant/qat-plan.js';
import { OUTPUT_MAPS, type OutputMap } from '../models/output-map.js';
import { initTrainingBackend } from '../train/backend/index.js';
import { checkBatchPixels } from '../train/batch-limit.js';
import { DEFAULT_STEPS, TRAIN_DEFAULTS, type TrainConfig } from '../train/config.js';
import { refuseForeignRunFolder } from '../train/run-folder.js';
import { initRecord, train } from '../train/trainer.js';
import { stoppingChildrenOnSignal } from '../util/child-processes.js';
import { ConfigError } from '../util/errors.js';
import { exitWithParent } from '../util/parent-pipe.js';
import { parseIntOption, parseNumberOption } from './options.js';
import { ProgressReporter, formatDuration } from './progress.js';

interface TrainFlags {
  model: string;
  head: string;
  dims: number;
  order: number;
  margin: number;
  width: number;
  size: string;
  scenes?: string;
  maxDisp: number;
  outputMap: string;
  minDisp?: number;
  steps: number;
  batch: number;
  seed: number;
  lr: number;
  warmup: number;
  alpha: number;
  beta: number;
  headNoise: number;
  outputNoise: number;
  init?: string;
  newHead?: boolean;
  qat?: string;
  data?: string;
  valEvery: number;
  valCount: number;
  checkpointEvery: number;
  out: string;
  resume?: boolean;
  backend: string;
}

export function registerTrainCommand(program: Command): void {
  program
    .command('train')
    .description('train a stereo model with tfjs (wasm backend); resumable')
    .option('--model <family>', 'unet | vit', 'unet')
    .option('--head <head>', 'direct | hilbert', 'hilbert')
    .option('--dims <n>', 'curve dimensions of the hilbert head', parseIntOption('--dims'), 2)
    .option('--order <n>', 'curve order', parseIntOption('--order'), 3)
    .option('--margin <k>', 'curve margin', parseNumberOption('--margin'), 0.1)
    .option('--width <m>', 'channel multiplier', parseNumberOption('--width'), 1)
    .option('--size <HxW>', 'training crop size', '64x128')
    .option('--max-disp <d>', 'largest disparity in pixels', parseIntOption('--max-disp'), 24)
    .option('--output-map <map>', `direct head: how its output q maps to disparity: ${OUTPUT_MAPS.join(' | ')} (q * max-disp; uniform in log depth; uniform in depth)`, 'linear')
    .option('--min-disp <d>', "with --output-map log or inverse: the smallest disparity in pixels", parseNumberOption('--min-disp'))
    .option('--steps <n>', 'optimizer steps', parseIntOption('--steps'), DEFAULT_STEPS)
    .option('--batch <n>', 'batch size; batch x height x width at most 4194304 (HILBERTQ_MAX_BATCH_PIXELS)', parseIntOption('--batch'), 8)
    .option('--seed <n>', 'seed of weights, data and noise', parseIntOption('--seed'), 1)
    .option('--lr <x>', 'peak learning rate (cosine schedule)', parseNumberOption('--lr'), TRAIN_DEFAULTS.lr)
    .option('--warmup <n>', 'warm-up steps', parseIntOption('--warmup'), TRAIN_DEFAULTS.warmup)
    .option('--alpha <x>', 'hilbert loss: weight of the curve-space term', parseNumberOption('--alpha'), TRAIN_DEFAULTS.alpha)
    .option('--beta <x>', 'hilbert loss: weight of the distance to the curve', parseNumberOption('--beta'), TRAIN_DEFAULTS.beta)
    .option('--head-noise <std>', 'Gaussian noise std injected before the head while training', parseNumberOption('--head-noise'), 0)
    .option('--output-noise <std>', 'hilbert loss: take the decoded L1 in expectation over output noise of this std (curve units; 0 = exact decode)', parseNumberOption('--output-noise'), 0)
    .option('--init <model>', 'fine-tune: start from the weights of this model folder (same model config)')
    .option('--new-head', 'with --init: take only the body (same family, width, range and ViT size) and start the head fresh, e.g. for another curve')
    .option('--qat <model.onnx>', 'quantization-aware training: round activations and weights as this QDQ model of the same architecture does (hilbertq quantize), with straight-through gradients')
    .option('--data <dir>', 'train on a dataset folder (random crops) instead of the synthetic stream')
    .option('--scenes <style>', `synthetic scene style: ${SCENE_STYLES.join(' | ')} (see hilbertq data generate --help)`)
    .option('--val-every <n>', 'validate every n steps', parseIntOption('--val-every'), TRAIN_DEFAULTS.valEvery)
    .option('--val-count <n>', 'held-out validation pairs', parseIntOption('--val-count'), TRAIN_DEFAULTS.valCount)
    .option('--checkpoint-every <n>', 'checkpoint every n steps', parseIntOption('--checkpoint-every'), TRAIN_DEFAULTS.checkpointEvery)
    .option('--backend <name>', 'wasm | cpu (reference, slow)', 'wasm')
    .requiredOption('--out <dir>', 'run folder: config.json, metrics.jsonl, checkpoint/, model/')
    .option('--resume', 'continue the run in --out from its last checkpoint (its config.json wins)')
    .action((flags: TrainFlags, command: Command) => {
      if (flags.resume) refuseRunFlags(command);
      return runTrain(flags);
    });
}

/** Options --resume may take: everything else is the run's own, recorded in its config.json. */
const RESUME_OPTIONS = new Set(['out', 'resume', 'backend']);

/**
 * A resume continues the run as it was started: a flag that would change it (--steps 5, --model
 * vit) was silently ignored before, and the resume's command line then replaced the recorded one.
 */
function refuseRunFlags(command: Command): void {
  const given = command.options
    .map((o) => o.attributeName())
    .filter((name) => !RESUME_OPTIONS.has(name) && command.getOptionValueSource(name) === 'cli');
  if (given.length > 0) {
    const flags = given.map((name) => `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`).join(', ');
    throw new ConfigError('--resume', flags, 'takes the run\'s settings from its config.json; drop these flags (start a new run to change them)');
  }
}

export function trainConfigFromFlags(f: TrainFlags): TrainConfig {
  if (f.model !== 'unet' && f.model !== 'vit') throw new ConfigError('--model', f.model, "expected 'unet' or 'vit'");
  if (f.head !== 'direct' && f.head !== 'hilbert') throw new ConfigError('--head', f.head, "expected 'direct' or 'hilbert'");
  if (!(OUTPUT_MAPS as readonly string[]).includes(f.outputMap)) throw new ConfigError('--output-map', f.outputMap, `expected one of ${OUTPUT_MAPS.join(', ')}`);
  if (f.minDisp !== undefined && f.outputMap === 'linear') throw new ConfigError('--min-disp', f.minDisp, 'needs --output-map log or inverse');
  if (f.newHead === true && f.init === undefined) throw new ConfigError('--new-head', true, 'needs --init: the model folder whose body the run starts from');
  const { height, width } = parseSize(f.size, '--size');
  // Before the run folder exists: a batch that cannot fit in memory fails in one line.
  checkBatchPixels(f.batch, height, width);
  const model: ModelConfig = {
    family: f.model,
    head: f.head,
    dims: f.dims,
    order: f.order,
    margin: f.margin,
    maxDisp: f.maxDisp,
    width: f.width,
    // Linear is recorded as absent, so the configs (and digests) of existing models stay as they were.
    ...(f.outputMap !== 'linear' ? { outputMap: f.outputMap as OutputMap } : {}),
    ...(f.minDisp !== undefined ? { minDisp: f.minDisp } : {}),
  };
  return {
    ...TRAIN_DEFAULTS,
    model,
    height,
    width,
    steps: f.steps,
    batch: f.batch,
    seed: f.seed,
    lr: f.lr,
    warmup: f.warmup,
    alpha: f.alpha,
    beta: f.beta,
    headNoise: f.headNoise,
    ...(f.outputNoise > 0 ? { outputNoise: f.outputNoise } : {}),
    ...(f.init !== undefined ? { init: initRecord(f.init, f.newHead === true) } : {}),
    ...(f.qat !== undefined ? { fakeQuant: readQatPlan(f.qat, model) } : {}),
    data: trainingData(f),
    valEvery: f.valEvery,
    valCount: f.valCount,
    checkpointEvery: f.checkpointEvery,
  };
}

/** The rounding of a quantized model, in the IR's names (src/quant/qat-plan.ts); one line on a bad file. */
function readQatPlan(file: string, model: ModelConfig): FakeQuantPlan {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    throw new ConfigError('--qat', file, `cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  try {
    return fakeQuantPlan(decodeModel(bytes), buildModelGraph(model), file);
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError('--qat', file, (err as Error).message.replace(`${file}: `, ''));
  }
}

function trainingData(f: TrainFlags): TrainConfig['data'] {
  if (f.scenes !== undefined && !SCENE_STYLES.includes(f.scenes as SceneStyle)) {
    throw new ConfigError('--scenes', f.scenes, `expected one of ${SCENE_STYLES.join(', ')}`);
  }
  if (f.data) {
    if (f.scenes !== undefined) throw new ConfigError('--scenes', f.scenes, 'applies to the synthetic stream, not to --data');
    return { source: 'folder', path: f.data };
  }
  // 'mixed' is recorded as absent, so the shipped zoo's configs stay as they were.
  return f.scenes === undefined || f.scenes === 'mixed' ? { source: 'synthetic' } : { source: 'synthetic', scenes: f.scenes as SceneStyle };
}

async function runTrain(flags: TrainFlags): Promise<void> {
  if (flags.backend !== 'wasm' && flags.backend !== 'cpu') throw new ConfigError('--backend', flags.backend, "expected 'wasm' or 'cpu'");
  // Before the flags' files are read (--init hashes a model's weights) and the backend starts;
  // train() checks again for its library callers.
  if (!flags.resume) refuseForeignRunFolder(flags.out);
  const config = trainConfigFromFlags(flags);
  exitWithParent();
  await initTrainingBackend(flags.backend);
  const command = ['hilbertq', ...process.argv.slice(2)].join(' ');
  let progress: ProgressReporter | null = null;
  // Ctrl-C or SIGTERM ends the run between two steps with process.exit (130, 143), which releases
  // the folder's lock (util/lock.ts); killed by the signal's default action, the process left
  // hilbertq.lock behind. A training has no child processes to stop first.
  const result = await stoppingChildrenOnSignal(new Set(), () => train(config, {
    runDir: flags.out,
    resume: flags.resume ?? false,
    command,
    onNotice: (message) => console.error(`hilbertq: ${message}`),
    onProgress: (p) => {
      progress ??= new ProgressReporter('train', p.steps, ['loss', 'valEPE', 'msPerStep'], 30, p.step - 1);
      progress.update(
        p.step,
        { loss: p.loss.toFixed(3), valEPE: p.valEpe === null ? '-' : p.valEpe.toFixed(3), msPerStep: (p.secondsPerStep * 1000).toFixed(0) },
        (p.steps - p.step) * p.secondsPerStep,
      );
    },
  }));
  (progress as ProgressReporter | null)?.stop();
  const v = result.validation;
  console.log(
    `done: ${result.steps} steps in ${formatDuration(result.seconds)}; model in ${result.modelDir}` +
      (v ? `; validation EPE ${v.nonOccluded.epe.toFixed(3)} px (non-occluded), D1 ${(v.nonOccluded.d1 * 100).toFixed(2)} %` : ''),
  );
}
