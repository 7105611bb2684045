import { join, relative } from 'node:path';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { runPipeline } from './pipeline.js';
import { PRESETS, presetByName, type ExperimentPreset } from '../experiment/presets.js';
import { CALIBRATION_METHODS } from '../quant/calibrators/index.js';
import { QUANT_SCHEMES, type QuantScheme } from '../quant/schemes.js';
import { hostLacksVnni } from '../quant/host-cpu.js';
import { ConfigError } from '../util/errors.js';
import { choice, parseIntOption } from './options.js';
import { ProgressReporter } from './progress.js';

export interface PipelineFlags {
  /** Absent: the preset's shipped zoo. */
  models?: string;
  out: string;
  pairs?: number;
  calibration?: number;
  calibrationSets?: number;
  calibrationMethod?: string;
  latencyRuns?: number;
  pictures?: number;
  schemes?: string;
  steps?: number;
  jobs: number;
  reduceRange: string;
}

/** models/ of this package, wherever hilbertq is run from (src/cli and dist/cli are both two levels down). */
const SHIPPED_MODELS = fileURLToPath(new URL('../../models', import.meta.url));

/** The zoo a preset evaluates when --models is not given: its folder under the shipped models/. */
export function shippedZoo(preset: ExperimentPreset): string {
  return relative(process.cwd(), join(SHIPPED_MODELS, preset.zoo)) || '.';
}

/** Two, as the machines this was built on have; one on a one-core machine. */
const DEFAULT_JOBS = Math.min(2, availableParallelism());

/** The options `demo` and `experiment` share: where things are, and changes to the preset. */
export function addPipelineOptions(command: Command, defaultOut: string): Command {
  return command
    .option('--models <dir>', "the model zoo (default: the preset's, shipped with hilbertq: models/precision or models/)")
    .option('--out <dir>', 'report folder', defaultOut)
    .option('--pairs <n>', "held-out synthetic test pairs (overrides the preset's)", parseIntOption('--pairs'))
    .option('--calibration <n>', 'synthetic calibration pairs per model and scheme', parseIntOption('--calibration'))
    .option('--calibration-sets <n>', 'w8a8 calibration sets per headline model, for the spread of the reduction (default 3)', parseIntOption('--calibration-sets'))
    .option('--calibration-method <method>', `calibrator of every quantized model: ${CALIBRATION_METHODS.join(' | ')} (default: the preset's: percentile for precision and demo, minmax for mixed, demo-mixed and paper)`)
    .option('--latency-runs <n>', 'timed runs per model and precision', parseIntOption('--latency-runs'))
    .option('--pictures <n>', 'test pairs shown as pictures', parseIntOption('--pictures'))
    .option('--schemes <list>', `comma-separated schemes for the headline models (${QUANT_SCHEMES.join(', ')})`)
    .option('--jobs <n>', 'processes side by side, one core each: quantizing and evaluating the models (and, for experiment --train, the trainings); timing stays in one process', parseIntOption('--jobs'), DEFAULT_JOBS)
    .option('--reduce-range <when>', 'int8 weights in -64..64: auto (on x86 CPUs without VNNI, whose uint8 x int8 kernels saturate otherwise) | yes | no', 'auto');
}

export function registerExperimentCommand(program: Command): void {
  addPipelineOptions(
    program
      .command('experiment')
      .description("the paper's experiment at full size: [retrain the zoo,] quantize, evaluate, time, report; resumable")
      .option('--preset <name>', `${Object.keys(PRESETS).join(' | ')}: ${Object.values(PRESETS).filter((p) => !p.name.startsWith('demo')).map((p) => `${p.name}: ${p.summary}`).join('; ')}`, 'precision')
      .option('--train', "retrain the zoo from scratch with its recorded commands (and the preset's size) before evaluating")
      .option('--steps <n>', 'with --train: optimizer steps per model instead of the recorded ones', parseIntOption('--steps')),
    'experiment',
  ).action((flags: PipelineFlags & { preset: string; train?: boolean }) => {
    // Without --train nothing is retrained, so --steps would be silently ignored.
    if (flags.steps !== undefined && !flags.train) throw new ConfigError('--steps', flags.steps, 'applies only with --train (the optimizer steps of the retraining)');
    return runPipelineCommand('experiment', withFlags(presetByName(flags.preset), flags), flags, flags.train ?? false, true);
  });
}

export function withFlags(preset: ExperimentPreset, f: PipelineFlags): ExperimentPreset {
  const schemes = f.schemes === undefined ? preset.schemes : (f.schemes.split(',').map((x) => x.trim()) as QuantScheme[]);
  for (const scheme of schemes) {
    if (!QUANT_SCHEMES.includes(scheme)) throw new ConfigError('--schemes', f.schemes, `${scheme} is not one of ${QUANT_SCHEMES.join(', ')}`);
  }
  const counts = { '--pairs': f.pairs, '--calibration': f.calibration, '--calibration-sets': f.calibrationSets, '--latency-runs': f.latencyRuns, '--steps': f.steps };
  for (const [name, value] of Object.entries(counts)) if (value !== undefined && value < 1) throw new ConfigError(name, value, 'must be >= 1');
  if (f.pictures !== undefined && f.pictures < 0) throw new ConfigError('--pictures', f.pictures, 'must be >= 0');
  if (!(f.jobs >= 1)) throw new ConfigError('--jobs', f.jobs, 'must be >= 1');
  const method = choice('--calibration-method', f.calibrationMethod ?? preset.calibrationMethod, CALIBRATION_METHODS);
  return {
    ...preset,
    schemes,
    // The ablation compares w8a8; without it, the first chosen scheme.
    ablationSchemes: schemes.includes('w8a8') ? ['w8a8'] : schemes.slice(0, 1),
    testPairs: f.pairs ?? preset.testPairs,
    calibrationPairs: f.calibration ?? preset.calibrationPairs,
    calibrationSets: f.calibrationSets ?? preset.calibrationSets,
    calibrationMethod: method,
    latencyRuns: f.latencyRuns ?? preset.latencyRuns,
    pictures: f.pictures ?? preset.pictures,
    trainOverrides: f.steps === undefined ? preset.trainOverrides : { ...preset.trainOverrides, '--steps': String(f.steps) },
  };
}

export async function runPipelineCommand(
  label: string,
  preset: ExperimentPreset,
  f: PipelineFlags,
  train: boolean,
  resume: boolean,
  seeAlso?: { href: string; label: string },
): Promise<void> {
  let progress: { stage: string; reporter: ProgressReporter } | null = null;
  const started = performance.now();
  const { summary, files } = await runPipeline({
    preset,
    out: f.out,
    zooDir: f.models ?? shippedZoo(preset),
    train,
    jobs: f.jobs,
    reduceRange: reduceRangeOf(f.reduceRange),
    resume,
    command: ['hilbertq', ...process.argv.slice(2)].join(' '),
    ...(seeAlso ? { seeAlso } : {}),
    onProgress: (stage, done, total, what) => {
      if (progress?.stage !== stage) {
        progress?.reporter.stop();
        progress = { stage, reporter: new ProgressReporter(`${label} ${stage}`, total, ['now'], 10) };
      }
      progress.reporter.update(done, { now: what });
    },
  });
  (progress as { reporter: ProgressReporter } | null)?.reporter.stop();
  console.log(`\n${summary}`);
  console.log(`\n${label} finished in ${((performance.now() - started) / 1000).toFixed(0)} s; report: ${files.join(', ')}`);
}

function reduceRangeOf(when: string): boolean {
  if (when === 'auto') return hostLacksVnni() === true;
  if (when === 'yes' || when === 'no') return when === 'yes';
  throw new ConfigError('--reduce-range', when, "expected 'auto', 'yes' or 'no'");
}
