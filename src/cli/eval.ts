import type { Command } from 'commander';
import { syntheticDataset } from '../data/batches.js';
import { openDataset } from '../data/dataset.js';
import { parseSize } from '../data/options.js';
import { SyntheticStereo } from '../data/synthetic/generator.js';
import type { StereoDataset } from '../data/types.js';
import { evaluateDataset } from '../eval/evaluate.js';
import type { StereoMetrics } from '../eval/metrics.js';
import { TfjsPredictor } from '../eval/tfjs-predictor.js';
import { disposeParams, loadWeights } from '../models/tfjs-build.js';
import { initTrainingBackend } from '../train/backend/index.js';
import { TEST_SEED } from '../train/config.js';
import { ConfigError } from '../util/errors.js';
import { parseIntOption } from './options.js';
import { ProgressReporter } from './progress.js';

interface EvalFlags {
  model: string;
  data?: string;
  synthetic?: number;
  size?: string;
  json?: boolean;
}

export function registerEvalCommand(program: Command): void {
  program
    .command('eval')
    .description('FP32 accuracy of a trained model (tfjs): EPE, D1, RMSE on non-occluded and all valid pixels')
    .requiredOption('--model <dir>', 'model folder (model.json + weights.bin), e.g. models/unet-hilbert')
    .option('--data <dir>', 'a dataset folder (generated, Middlebury or KITTI layout)')
    .option('--synthetic <n>', `n pairs of the held-out synthetic test set (seed ${TEST_SEED})`, parseIntOption('--synthetic'))
    .option('--size <HxW>', 'synthetic pair size (default: the size the model was trained at)')
    .option('--json', 'print the metrics as JSON')
    .action((flags: EvalFlags) => runEval(flags));
}

/** The size and disparity range a model was trained at, from its recorded training config. */
export function trainingSize(meta: Record<string, unknown> | undefined): { height: number; width: number } | null {
  const training = meta?.training as { config?: { height?: number; width?: number } } | undefined;
  const h = training?.config?.height;
  const w = training?.config?.width;
  return typeof h === 'number' && typeof w === 'number' ? { height: h, width: w } : null;
}

export function syntheticTestSet(count: number, height: number, width: number, maxDisp: number): StereoDataset {
  return syntheticDataset(new SyntheticStereo({ height, width, maxDisp, seed: TEST_SEED }), count, `synthetic-test-${TEST_SEED}`);
}

async function runEval(flags: EvalFlags): Promise<void> {
  if ((flags.data === undefined) === (flags.synthetic === undefined)) {
    throw new ConfigError('--data/--synthetic', flags.data ?? flags.synthetic ?? '(none)', 'give exactly one of them');
  }
  if (flags.synthetic !== undefined && flags.synthetic < 1) throw new ConfigError('--synthetic', flags.synthetic, 'must be >= 1');
  await initTrainingBackend('wasm');
  const { config, graph, params, meta } = loadWeights(flags.model);
  try {
    let dataset: StereoDataset;
    if (flags.data !== undefined) {
      dataset = openDataset(flags.data);
    } else {
      const size = flags.size ? parseSize(flags.size) : trainingSize(meta) ?? { height: 64, width: 128 };
      dataset = syntheticTestSet(flags.synthetic as number, size.height, size.width, config.maxDisp);
    }
    const progress = flags.json ? null : new ProgressReporter('eval', dataset.length);
    const metrics = await evaluateDataset(new TfjsPredictor(graph, params, config), dataset, dataset.length, (done) =>
      progress?.update(done),
    );
    progress?.stop();
    const report = { model: flags.model, dataset: dataset.name, pairs: dataset.length, precision: 'fp32', ...metrics };
    console.log(flags.json ? JSON.stringify(report, null, 2) : formatMetrics(report.model, report.dataset, metrics));
  } finally {
    disposeParams(params);
  }
}

export function formatMetrics(model: string, dataset: string, m: StereoMetrics): string {
  const row = (name: string, r: StereoMetrics['all']): string =>
    `${name.padEnd(14)} EPE ${r.epe.toFixed(3)} px   D1 ${(r.d1 * 100).toFixed(2)} %   RMSE ${r.rmse.toFixed(3)} px   pixels ${r.pixels}`;
  return [`${model} on ${dataset} (fp32)`, row('non-occluded', m.nonOccluded), row('all valid', m.all)].join('\n');
}
