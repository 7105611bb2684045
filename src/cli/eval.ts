import type { Command } from 'commander';
import { openDataset } from '../data/dataset.js';
import { MAX_COUNT } from '../data/generate.js';
import { downscaledDataset } from '../data/downscale.js';
import { parseIntegerOption, parseNumberOption, parseSize } from '../data/options.js';
import type { StereoDataset } from '../data/types.js';
import type { ModelConfig } from '../models/model.js';
import { checkDerivation } from '../eval/derivation.js';
import { evaluateModels, syntheticTestSet, type EvalReport } from '../eval/evaluate.js';
import { GroundTruthRangeCheck } from '../eval/ground-truth-range.js';
import { checkEvalSize, checkSyntheticSize } from '../infer/infer-limits.js';
import type { StereoMetrics } from '../eval/metrics.js';
import { openPredictor } from '../eval/open-predictor.js';
import { initTrainingBackend } from '../train/backend/index.js';
import { TEST_SEED } from '../train/config.js';
import { ConfigError } from '../util/errors.js';
import { parseIntOption } from './options.js';
import { ProgressReporter } from './progress.js';

interface EvalFlags {
  model: string;
  against?: string;
  data?: string;
  pair?: string[];
  middleburyScale?: string;
  downscale?: string;
  synthetic?: number;
  size?: string;
  json?: boolean;
}

export function registerEvalCommand(program: Command): void {
  program
    .command('eval')
    .description('accuracy of a model (folder: tfjs FP32; .onnx: ONNX Runtime, float or quantized): EPE, D1, RMSE')
    .requiredOption('--model <path>', 'model folder (model.json + weights.bin) or ONNX file')
    .option(
      '--against <path>',
      'reference model (usually the FP32 one): also report the quantization error, model - reference. A quantized --model must come from it: ' +
        'it records the sha256 of the float .onnx it was quantized from (compared with an .onnx reference) and of the weights.bin it was exported from (compared with a model folder); ' +
        'a mismatch is refused, a model quantized before these records gets a warning',
    )
    .option('--data <dir>', 'a dataset folder (generated, Middlebury or KITTI layout)')
    .option('--pair <files...>', 'one pair: left and right images and its ground truth (PFM, KITTI or Middlebury PNG)')
    .option('--middlebury-scale <s>', 'scale of an 8-bit Middlebury ground-truth PNG (stored value = disparity * scale; 1 for the 2005-2006 full-size scenes, e.g. Aloe)')
    .option('--downscale <n>', 'shrink pairs by this integer factor first (box filter; disparities / n), so a real pair fits the model\'s range')
    .option('--synthetic <n>', `n pairs of the held-out synthetic test set (seed ${TEST_SEED})`, parseIntOption('--synthetic'))
    .option('--size <HxW>', 'synthetic pair size (default: the size the model was trained at, else 64x128); at most 4 MP per pair, a vit about 2 MP (HILBERTQ_MAX_INFER_PIXELS)')
    .option('--json', 'print the results as JSON')
    .action((flags: EvalFlags) => runEval(flags));
}

async function runEval(flags: EvalFlags): Promise<void> {
  const sources = [flags.data, flags.pair, flags.synthetic].filter((x) => x !== undefined);
  if (sources.length !== 1) {
    throw new ConfigError('--data/--pair/--synthetic', sources.length === 0 ? '(none)' : sources.map(String).join(' and '), 'give exactly one of them');
  }
  if (flags.pair !== undefined && flags.pair.length !== 3) throw new ConfigError('--pair', flags.pair.join(' '), 'expected three files: left right ground-truth');
  const middleburyScale = flags.middleburyScale === undefined ? undefined : parseNumberOption('--middlebury-scale', flags.middleburyScale);
  const downscale = flags.downscale === undefined ? 1 : parseIntegerOption('--downscale', flags.downscale, 1, 64);
  if (downscale !== 1 && flags.synthetic !== undefined) throw new ConfigError('--downscale', flags.downscale, 'applies to --data or --pair, not to synthetic pairs');
  if (flags.synthetic !== undefined && flags.synthetic < 1) throw new ConfigError('--synthetic', flags.synthetic, 'must be >= 1');
  if (flags.synthetic !== undefined && flags.synthetic > MAX_COUNT) throw new ConfigError('--synthetic', flags.synthetic, `is above the maximum of ${MAX_COUNT}`);
  // Checked before any model is loaded: comparing Q with a model it was not made from measures nothing.
  const derivationWarning = flags.against === undefined ? null : checkDerivation(flags.model, flags.against);
  if (derivationWarning) console.error(`hilbertq: ${derivationWarning}`);
  await initTrainingBackend('wasm');
  const model = await openPredictor(flags.model);
  warnSlowDecode(flags.model, model);
  let reference: Awaited<ReturnType<typeof openPredictor>> | null = null;
  try {
    reference = flags.against ? await openPredictor(flags.against) : null;
    if (reference) warnSlowDecode(flags.against as string, reference);
    if (reference && JSON.stringify(reference.config) !== JSON.stringify(model.config)) {
      throw new ConfigError('--against', flags.against, `describes another model than ${flags.model}`);
    }
    let dataset: StereoDataset;
    if (flags.data !== undefined || flags.pair !== undefined) {
      const [left, right, disp] = flags.pair ?? [];
      const opened = flags.pair ? openDataset({ left, right, disp }, { middleburyScale }) : openDataset(flags.data as string, { middleburyScale });
      dataset = downscaledDataset(opened, downscale);
    } else {
      const recorded = model.trainingSize ?? reference?.trainingSize ?? null;
      const size = flags.size ? parseSize(flags.size) : recorded ?? { height: 64, width: 128 };
      checkSyntheticSize(size, flags.size || !recorded ? null : model.trainingSize ? flags.model : (flags.against ?? null), undefined, model.config);
      // The test scenes are of the style the model was trained on (its records say which).
      dataset = syntheticTestSet(flags.synthetic as number, size.height, size.width, model.config.maxDisp, recorded?.scenes ?? 'mixed');
    }
    // The flag the user gave: --pair, --data, or neither (synthetic pairs).
    const dataFlag = flags.pair ? '--pair' : flags.data !== undefined ? '--data' : '--synthetic';
    // A model cannot output disparities beyond its range: scoring it on larger ones measures nothing.
    if (dataset.maxDisp !== undefined && dataset.maxDisp > model.config.maxDisp) {
      throw new ConfigError(dataFlag, flags.data ?? dataset.name, `holds disparities up to ${dataset.maxDisp} px, the model predicts at most ${model.config.maxDisp} px`);
    }
    const progress = flags.json ? null : new ProgressReporter('eval', dataset.length);
    const rangeCheck = new GroundTruthRangeCheck(model.config.maxDisp, model.config.minDisp);
    let report: EvalReport;
    try {
      report = await evaluateModels(model, reference, withinInferLimit(dataset, model.config, downscale), (done) => progress?.update(done), rangeCheck);
    } finally {
      progress?.stop();
    }
    const rangeWarning = rangeCheck.warning(dataset.name);
    if (rangeWarning) console.error(`hilbertq: ${rangeWarning}`);
    const nonFinite = nonFiniteWarning(flags.model, report.metrics.nonFinitePredictions, report.metrics.all.pixels);
    if (nonFinite) console.error(`hilbertq: ${nonFinite}`);
    const qerr = report.quantError;
    if (qerr && qerr.nonFinite > 0) {
      console.error(`hilbertq: warning: ${qerr.nonFinite} of ${qerr.pixels + qerr.nonFinite} pixels are NaN or infinite in ${flags.model} or ${flags.against}; the quantization error leaves them out`);
    }
    if (report.metrics.all.pixels === 0) {
      throw new ConfigError(dataFlag, flags.data ?? dataset.name, 'has no pixel with ground truth: EPE, D1 and RMSE are undefined');
    }
    console.log(flags.json ? JSON.stringify(report, null, 2) : formatReport(report));
  } finally {
    await model.release();
    await reference?.release();
  }
}

/**
 * The dataset with infer's limit on each pair, checked as the pair is read, before it is run: a
 * 4.6 MP Middlebury pair took 14 GB and a minute of a vit before failing for another reason.
 */
function withinInferLimit(dataset: StereoDataset, config: ModelConfig, downscaled: number): StereoDataset {
  return {
    name: dataset.name,
    length: dataset.length,
    ...(dataset.maxDisp !== undefined ? { maxDisp: dataset.maxDisp } : {}),
    get: (index) => {
      const sample = dataset.get(index);
      checkEvalSize(`${dataset.name} pair ${index}`, sample, config, downscaled);
      return sample;
    },
  };
}

/**
 * The warning for predictions that are NaN or infinite (a broken model, or metadata that lies):
 * they are scored as 0 px and written as they are, so the figures alone would not say why.
 */
/** Says on stderr when a model's output decodes on a slow path (QuantizedDecoder.slowPath): infer, infer --data and eval alike. */
export function warnSlowDecode(file: string, model: { slowDecode: string | null }): void {
  if (model.slowDecode) console.error(`hilbertq: warning: ${file}: ${model.slowDecode}`);
}

export function nonFiniteWarning(model: string, nonFinite: number, pixels: number): string | null {
  if (nonFinite === 0) return null;
  return `warning: ${model} predicted ${nonFinite} non-finite disparities (NaN or infinite) of ${pixels} scored pixels; they count as 0 px`;
}

export function formatReport(r: EvalReport): string {
  const row = (name: string, m: StereoMetrics['all']): string =>
    `${name.padEnd(14)} EPE ${m.epe.toFixed(3)} px   D1 ${(m.d1 * 100).toFixed(2)} %   RMSE ${m.rmse.toFixed(3)} px   pixels ${m.pixels}`;
  const lines = [`${r.model} (${r.precision}) on ${r.dataset}, ${r.pairs} pairs`, row('non-occluded', r.metrics.nonOccluded), row('all valid', r.metrics.all)];
  const q = r.quantError;
  if (q) {
    lines.push(
      `vs ${q.reference}: robust std ${q.robustStd.toFixed(4)} px   RMSE ${q.rmse.toFixed(4)} px   mean ${q.mean.toFixed(4)} px   ` +
        `|diff| > 1 px ${(q.over1px * 100).toFixed(3)} %   pixels ${q.pixels}`,
    );
  }
  return lines.join('\n');
}
