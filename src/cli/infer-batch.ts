import { join, resolve } from 'node:path';
import { colorizeDisparity } from '../data/colorize.js';
import { openDataset } from '../data/dataset.js';
import { writePfmDisparity } from '../data/formats/disparity.js';
import { writePng } from '../data/formats/image.js';
import { parseSize } from '../data/options.js';
import { sampleNames } from '../data/sample-names.js';
import { GroundTruthRangeCheck } from '../eval/ground-truth-range.js';
import { StereoMetricsAccumulator } from '../eval/metrics.js';
import { DepthPredictor } from '../infer/depth-predictor.js';
import { checkInferSize } from '../infer/infer-limits.js';
import { stoppingChildrenOnSignal } from '../util/child-processes.js';
import { ConfigError } from '../util/errors.js';
import { formatReport, warnSlowDecode } from './eval.js';
import { countNonFinite, nonFiniteWritten, type InferFlags } from './infer.js';
import { datasetFiles, refuseInputsInside, refuseOverwritingInputs } from './output-guard.js';
import { ProgressReporter } from './progress.js';
import { StagedFolder } from './staged-folder.js';

/** What `infer --data` writes into its folder last: the run's record, and the mark that the folder is its own. */
const RECORD = 'infer.json';

/**
 * `infer --data DIR --out OUTDIR`: one model load for every pair of a dataset, one PFM per pair
 * (and a PNG with --png); pairs are read one at a time, so memory stays flat in the dataset's
 * length. The folder is written as a whole (StagedFolder): it appears, or replaces the one an
 * earlier run wrote, only once every pair is done. With --eval the ground truth is scored as
 * `hilbertq eval` does.
 */
export async function runBatchInfer(flags: InferFlags): Promise<void> {
  const dir = flags.data as string;
  if (flags.left !== undefined || flags.right !== undefined) {
    throw new ConfigError('--data', dir, 'takes the pairs from the dataset: drop --left/--right (or drop --data for one pair)');
  }
  if (typeof flags.png === 'string') throw new ConfigError('--png', flags.png, 'with --data, give --png without a file name: a PNG is written beside each PFM');
  if (/\.pfm$/i.test(flags.out)) throw new ConfigError('--out', flags.out, 'with --data, --out is a folder receiving one PFM per pair');
  const resize = flags.resize !== undefined ? parseSize(flags.resize, '--resize') : undefined;
  const dataset = openDataset(dir);
  if (dataset.length === 0) throw new ConfigError('--data', dir, 'has no pairs: nothing to infer');
  const names = sampleNames(dataset);
  const outputs = names.flatMap((name) => [{ flag: '--out', path: join(flags.out, `${name}.pfm`) }, ...(flags.png ? [{ flag: '--png', path: join(flags.out, `${name}.png`) }] : [])]);
  const inputs = [...datasetFiles(dataset), flags.model];
  refuseOverwritingInputs(outputs, inputs);
  // The folder is replaced whole: none of the run's inputs may lie in it.
  refuseInputsInside(flags.out, inputs, '--out');
  const folder = StagedFolder.open(flags.out, RECORD, '--out');
  const predictor = await DepthPredictor.load(flags.model);
  warnSlowDecode(flags.model, predictor);
  const metrics = flags.eval ? new StereoMetricsAccumulator() : null;
  const rangeCheck = flags.eval ? new GroundTruthRangeCheck(predictor.config.maxDisp, predictor.config.minDisp) : null;
  const progress = new ProgressReporter('infer', dataset.length);
  let seconds = 0;
  let nonFinite = 0;
  let pixels = 0;
  try {
    // Ctrl-C or SIGTERM between pairs exits 130 / 143, and the staging goes with the process
    // (StagedFolder's exit hook) instead of lingering until the next run into --out.
    await stoppingChildrenOnSignal(new Set(), async () => {
      for (let i = 0; i < dataset.length; i++) {
        const sample = dataset.get(i);
        const { width, height } = sample;
        checkInferSize(`${dataset.name} pair ${names[i]}`, sample, resize, flags.resize, predictor.config);
        const started = performance.now();
        const result = await predictor.predict({ width, height, data: sample.left }, { width, height, data: sample.right }, resize ? { resize } : {});
        seconds += (performance.now() - started) / 1000;
        nonFinite += countNonFinite(result.disparity);
        pixels += result.disparity.length;
        const valid = new Uint8Array(result.disparity.length).fill(1);
        writePfmDisparity(folder.path(`${names[i]}.pfm`), { width, height, disp: result.disparity, valid });
        if (flags.png) {
          const maxDisp = predictor.config.maxDisp * (resize ? width / resize.width : 1);
          writePng(folder.path(`${names[i]}.png`), colorizeDisparity(width, height, result.disparity, null, maxDisp));
        }
        if (metrics && sample.disp && sample.valid) {
          metrics.add(result.disparity, sample.disp, sample.valid, sample.occ);
          rangeCheck?.add(sample.disp, sample.valid);
        }
        progress.update(i + 1);
      }
      folder.commit({ model: resolve(flags.model), scheme: predictor.scheme, data: resolve(dir), pairs: dataset.length, png: flags.png === true, resize: flags.resize ?? null });
    });
  } catch (err) {
    folder.discard();
    throw err;
  } finally {
    progress.stop();
    await predictor.release();
  }
  const model = `${predictor.config.family}-${predictor.config.head} (${predictor.scheme})`;
  console.log(
    `${flags.out}: ${dataset.length} disparities${flags.png ? ' and PNG previews' : ''} from ${model}, ` +
      `${((seconds * 1000) / Math.max(1, dataset.length)).toFixed(0)} ms per pair`,
  );
  const written = nonFiniteWritten(flags.model, nonFinite, pixels);
  if (written) console.error(`hilbertq: ${written}`);
  if (!metrics) return;
  const scored = metrics.result();
  if (scored.all.pixels === 0) {
    console.error(`hilbertq: --eval: ${dataset.name} has no ground-truth disparity, so there is no EPE, D1 or RMSE to report`);
    return;
  }
  console.log(formatReport({ model: flags.model, precision: predictor.scheme, dataset: dataset.name, pairs: dataset.length, metrics: scored }));
  const warning = rangeCheck?.warning(dataset.name);
  if (warning) console.error(`hilbertq: ${warning}`);
}
