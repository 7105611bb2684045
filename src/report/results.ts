import { cpus, release, totalmem, type } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { bootstrapReduction, PAIR_SAMPLE, type RatioInterval } from '../eval/bootstrap.js';
import type { StereoMetrics } from '../eval/metrics.js';
import type { CurveDistanceStats } from '../eval/curve-distance.js';
import type { QuantErrorStats } from '../eval/quant-error.js';
import { loadPairErrors, type ModelEvaluation, type Precision } from '../experiment/evaluate-model.js';
import { pairedOverheadOf, type LatencyResults } from '../experiment/latency-stage.js';
import type { RealPairOutcome } from '../experiment/real-pair.js';
import { CALIBRATION_SEED } from '../quant/calibration-data.js';
import { DEFAULT_PERCENTILE, type CalibrationMethod } from '../quant/calibrators/index.js';
import { hostLacksVnni } from '../quant/host-cpu.js';
import type { ConvRounding } from '../quant/output-rounding.js';
import { headDecodeOptions } from '../models/head-decode.js';
import { isLinearOutput } from '../models/output-map.js';
import { TEST_SEED } from '../train/config.js';
import { idealChannel, outputBits, type IdealChannel } from './ideal-channel.js';
import { summarizeRealPair, type RealPairSummary } from './real-pair.js';

export interface ResultRow {
  model: string;
  family: string;
  head: string;
  role: 'headline' | 'ablation';
  /** The curve of a hilbert head; null for direct heads. */
  curve: { dims: number; order: number; margin: number } | null;
  precision: Precision;
  metrics: StereoMetrics;
  quantError: QuantErrorStats | null;
  effectiveBits: number | null;
  latencyMs: number | null;
  /** FP32 rows of hilbert heads: the outputs' distance to the curve (whether the model commits to a fold). */
  curveDistance: CurveDistanceStats | null;
}

/** A hilbert model against its family's direct model in one scheme, next to the ideal channel's prediction. */
export interface CurveComparison {
  model: string;
  family: string;
  role: 'headline' | 'ablation';
  precision: Precision;
  curve: { dims: number; order: number; margin: number };
  fp32Epe: number;
  quantizedEpe: number;
  /** direct robust std / hilbert robust std of (quantized - fp32) disparity. */
  reduction: number;
  rmseReduction: number;
  over1px: number;
  /** Share of the FP32 outputs at 3/8 of the vertex spacing or more from the curve (hedging between folds). */
  hedging: number | null;
  ideal: IdealChannel;
}

/** What results.json holds: every number the report shows, and how it was produced. */
export interface ExperimentResults {
  setup: {
    date: string;
    command: string;
    preset: string;
    node: string;
    platform: string;
    os: string;
    cpu: string;
    cores: number;
    memoryGiB: number;
    onnxruntime: string;
    tfjs: string;
    testPairs: number;
    testSeed: number;
    calibrationPairs: number;
    calibrationSeed: number;
    /** The calibrator of every quantized model (minmax, percentile, entropy). */
    calibrationMethod: CalibrationMethod;
    /** How the hidden convs' int8 weights were rounded (the output conv's is always fitted). */
    convRounding: ConvRounding;
    reduceRange: boolean;
    /** Whether this CPU has VNNI (int8 dot products without saturation); null where it cannot tell. */
    vnni: boolean | null;
    latency: string;
    /** model -> the `hilbertq train` command recorded in its model.json (for a fine-tuned model, its base's command first, a newline, then its own). */
    trainingCommands: Record<string, string | null>;
  };
  rows: ResultRow[];
  /**
   * Quantization-error reduction, direct / hilbert, per family and scheme (headline models), with
   * a 95 % interval from a paired bootstrap over the test pairs and, for w8a8, the reductions
   * with each calibration set (direct and hilbert calibrated on the same pairs).
   */
  reductions: {
    family: string;
    precision: Precision;
    robustStd: number;
    rmse: number;
    interval: { robustStd: RatioInterval; rmse: RatioInterval } | null;
    calibrationSets: { seed: number; robustStd: number; rmse: number }[] | null;
  }[];
  /**
   * How much slower the hilbert headline model runs than the direct one, per family and precision:
   * the median over interleaved rounds of their per-round ratio, less 1 (pairedOverhead); the
   * ratio of the two medians where they did not run in one loop.
   */
  latencyOverhead: { family: string; precision: Precision; overhead: number }[];
  /** Every hilbert model (headline and ablation) in every scheme, with the ideal channel's prediction. */
  curves: CurveComparison[];
  /** The headline models on a real pair with ground truth (null when the zoo has no headline pair). */
  realPair: RealPairSummary | null;
}

export interface SetupInput {
  command: string;
  preset: string;
  testPairs: number;
  calibrationPairs: number;
  calibrationMethod: CalibrationMethod;
  convRounding: ConvRounding;
  reduceRange: boolean;
  latencyRuns: number;
}

export function collectResults(evaluations: ModelEvaluation[], latency: LatencyResults, s: SetupInput, realPair: RealPairOutcome | null = null): ExperimentResults {
  const lacksVnni = hostLacksVnni();
  const rows: ResultRow[] = evaluations.flatMap((e) =>
    e.precisions.map((p) => ({
      model: e.model.name,
      family: e.model.config.family,
      head: e.model.config.head,
      role: e.model.role,
      curve: e.model.config.head === 'hilbert' ? { dims: e.model.config.dims, order: e.model.config.order, margin: e.model.config.margin } : null,
      precision: p.precision,
      metrics: p.metrics,
      quantError: p.quantError,
      effectiveBits: p.effectiveBits,
      latencyMs: latency.medianMs[e.model.name]?.[p.precision] ?? null,
      // Caches written before the distance was measured lack the field.
      curveDistance: p.curveDistance ?? null,
    })),
  );
  const headline = (family: string, head: string, precision: Precision): ResultRow | undefined =>
    rows.find((r) => r.role === 'headline' && r.family === family && r.head === head && r.precision === precision);
  const reductions: ExperimentResults['reductions'] = [];
  const latencyOverhead: ExperimentResults['latencyOverhead'] = [];
  for (const family of [...new Set(rows.map((r) => r.family))]) {
    for (const precision of [...new Set(rows.map((r) => r.precision))]) {
      const direct = headline(family, 'direct', precision);
      const hilbert = headline(family, 'hilbert', precision);
      if (!direct || !hilbert) continue;
      if (direct.latencyMs && hilbert.latencyMs) {
        const paired = pairedOverheadOf(latency, direct.model, hilbert.model, precision);
        latencyOverhead.push({ family, precision, overhead: paired ?? hilbert.latencyMs / direct.latencyMs - 1 });
      }
      // A zero error (e.g. a constant, untrained output) has no ratio: such a pair is left out.
      if (direct.quantError && hilbert.quantError && measurable(hilbert.quantError)) {
        const stored = (model: string) => evaluations.find((e) => e.model.name === model)?.precisions.find((p) => p.precision === precision);
        const [d, h] = [stored(direct.model), stored(hilbert.model)];
        const sets = d?.calibrationSets && h?.calibrationSets ? h.calibrationSets.filter((x) => d.calibrationSets?.some((y) => y.seed === x.seed)) : [];
        reductions.push({
          family,
          precision,
          robustStd: direct.quantError.robustStd / hilbert.quantError.robustStd,
          rmse: direct.quantError.rmse / hilbert.quantError.rmse,
          interval: d?.pairErrors && h?.pairErrors ? bootstrapReduction(loadPairErrors(d.pairErrors), loadPairErrors(h.pairErrors)) : null,
          calibrationSets: sets.length > 1
            ? sets.map((x) => {
                const y = d?.calibrationSets?.find((z) => z.seed === x.seed) as { robustStd: number; rmse: number };
                return { seed: x.seed, robustStd: y.robustStd / x.robustStd, rmse: y.rmse / x.rmse };
              })
            : null,
        });
      }
    }
  }
  const curves: CurveComparison[] = [];
  for (const row of rows) {
    const direct = headline(row.family, 'direct', row.precision);
    const fp32 = rows.find((r) => r.model === row.model && r.precision === 'fp32');
    if (!row.curve || !row.quantError || !measurable(row.quantError) || !direct?.quantError || !fp32) continue;
    const directConfig = evaluations.find((e) => e.model.name === direct.model)?.model.config;
    // The ideal channel needs the direct head's error in steps of a linear output.
    if (directConfig && !isLinearOutput(directConfig)) continue;
    const maxDisp = evaluations.find((e) => e.model.name === row.model)?.model.config.maxDisp as number;
    const bits = outputBits(row.precision);
    // The measured error already includes the rounding that the simulation adds again: take it out (1/12 LSB^2).
    const measuredLsb = direct.quantError.robustStd / (maxDisp / (2 ** bits - 1));
    const noiseLsb = Math.sqrt(Math.max(0, measuredLsb ** 2 - 1 / 12));
    curves.push({
      model: row.model,
      family: row.family,
      role: row.role,
      precision: row.precision,
      curve: row.curve,
      fp32Epe: fp32.metrics.nonOccluded.epe,
      quantizedEpe: row.metrics.nonOccluded.epe,
      reduction: direct.quantError.robustStd / row.quantError.robustStd,
      rmseReduction: direct.quantError.rmse / row.quantError.rmse,
      over1px: row.quantError.over1px,
      hedging: fp32.curveDistance?.hedging ?? null,
      ideal: idealChannel(row.curve, bits, noiseLsb, headDecodeOptions({ head: 'hilbert', ...row.curve })),
    });
  }
  return {
    setup: {
      date: new Date().toISOString(),
      command: s.command,
      preset: s.preset,
      node: process.version,
      platform: `${process.platform} ${process.arch}`,
      os: `${type()} ${release()}`,
      cpu: cpus()[0]?.model ?? 'unknown',
      cores: cpus().length,
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      onnxruntime: ort.env.versions.node ?? 'unknown',
      tfjs: tf.version.tfjs,
      testPairs: s.testPairs,
      testSeed: TEST_SEED,
      calibrationPairs: s.calibrationPairs,
      calibrationSeed: CALIBRATION_SEED,
      calibrationMethod: s.calibrationMethod,
      convRounding: s.convRounding,
      reduceRange: s.reduceRange,
      vnni: lacksVnni === null ? null : !lacksVnni,
      latency: `median of ${s.latencyRuns} DepthPredictor.predict calls per model, batch 1, ORT CPU EP with 1 thread, every model and precision interleaved in a random order per round; hilbert overhead: the median over rounds of the hilbert model's time over the direct model's in the same round, less 1`,
      // A fine-tuned model: the commands of its training stages, first to last, one per line.
      trainingCommands: Object.fromEntries(
        evaluations.map((e) => [e.model.name, e.model.stages.length > 1 ? e.model.stages.map((s) => s.command ?? '(command not recorded)').join('\n') : e.model.command]),
      ),
    },
    rows,
    reductions,
    latencyOverhead,
    curves,
    realPair: realPair ? summarizeRealPair(realPair) : null,
  };
}

function measurable(q: QuantErrorStats): boolean {
  return q.robustStd > 0 && q.rmse > 0;
}

const fixed = (x: number | null | undefined, digits: number): string => (x === null || x === undefined ? '-' : x.toFixed(digits));

/** The headline table in the paper's Table 2 shape: one row per headline model and precision. */
export function headlineTable(r: ExperimentResults): { head: string[]; rows: string[][] } {
  const head = ['model', 'precision', 'EPE px', 'D1 %', 'q-err robust std px', 'q-err RMSE px', 'moved > 1 px %', 'hedging %', 'eff. bits', 'latency ms', 'hilbert overhead'];
  const rows = r.rows
    .filter((row) => row.role === 'headline')
    .map((row) => {
      const m = row.metrics.nonOccluded;
      const q = row.quantError;
      const overhead = row.head === 'hilbert' ? r.latencyOverhead.find((x) => x.family === row.family && x.precision === row.precision) : undefined;
      return [row.model, row.precision, m.epe.toFixed(3), (m.d1 * 100).toFixed(2), fixed(q?.robustStd, 4), fixed(q?.rmse, 4),
        q ? (q.over1px * 100).toFixed(2) : '-', row.curveDistance ? (row.curveDistance.hedging * 100).toFixed(1) : '-', fixed(row.effectiveBits, 2), fixed(row.latencyMs, 2), overhead ? `${(overhead.overhead * 100).toFixed(1)} %` : ''];
    });
  return { head, rows };
}

/** The headline table and the reduction factors, as Markdown. */
export function headlineMarkdown(r: ExperimentResults): string {
  const { head, rows } = headlineTable(r);
  const lines = [`| ${head.join(' | ')} |`, `|${' --- |'.repeat(head.length)}`, ...rows.map((cells) => `| ${cells.join(' | ')} |`)];
  lines.push('', reductionNote(r), '', `| ${REDUCTION_HEAD.join(' | ')} |`, `|${' --- |'.repeat(REDUCTION_HEAD.length)}`);
  for (const cells of reductionCells(r)) lines.push(`| ${cells.join(' | ')} |`);
  return lines.join('\n');
}

export const REDUCTION_HEAD = ['family', 'precision', 'robust std', '95 % interval', 'over calibration sets', 'RMSE', '95 % interval', 'over calibration sets'];

const span = (values: number[]): string => `${Math.min(...values).toFixed(2)}-${Math.max(...values).toFixed(2)}x`;

/** An interval as 'low-highx'; '-' when absent or without finite ends (NaN, or null from JSON). */
function intervalText(i: RatioInterval | undefined): string {
  return i && Number.isFinite(i.low) && Number.isFinite(i.high) ? `${i.low.toFixed(2)}-${i.high.toFixed(2)}x` : '-';
}

/** One row per family and scheme: the reductions, their bootstrap intervals and calibration spread. */
export function reductionCells(r: ExperimentResults): string[][] {
  return r.reductions.map((x) => [
    x.family,
    x.precision,
    `${x.robustStd.toFixed(2)}x`,
    intervalText(x.interval?.robustStd),
    x.calibrationSets ? span(x.calibrationSets.map((c) => c.robustStd)) : '-',
    `${x.rmse.toFixed(2)}x`,
    intervalText(x.interval?.rmse),
    x.calibrationSets ? span(x.calibrationSets.map((c) => c.rmse)) : '-',
  ]);
}

export function reductionNote(r: ExperimentResults): string {
  const sets = r.reductions.find((x) => x.calibrationSets)?.calibrationSets?.length;
  const resamples = r.reductions.find((x) => x.interval)?.interval?.robustStd.resamples;
  return `Quantization-error reduction, direct / hilbert. Intervals: 95 % percentile bootstrap over the ${r.setup.testPairs} test pairs (${resamples ?? '-'} paired resamples; robust std from ${PAIR_SAMPLE} pixels per pair, one at random in each 1/${PAIR_SAMPLE} of its pixels). ` +
    `Calibration: ${METHOD_NAMES[r.setup.calibrationMethod]} on ${r.setup.calibrationPairs} pairs; ${
      r.setup.convRounding === 'fitted'
        ? "every conv's int8 weights fitted to the same pairs (hilbertq quantize --output-rounding fitted --conv-rounding fitted, the defaults; a weight the two encoders share is rounded to nearest). "
        : "the output conv's int8 weights fitted to the same pairs, the other convs' rounded to nearest, as ORT does (hilbertq quantize --conv-rounding nearest). "
    }` +
    (sets ? `Calibration sets: the range of the reduction over ${sets} disjoint sets of ${r.setup.calibrationPairs} calibration pairs (w8a8).` : '');
}

const METHOD_NAMES: Record<CalibrationMethod, string> = {
  minmax: 'MinMax',
  percentile: `percentile (${DEFAULT_PERCENTILE} % of each tensor's values inside its range)`,
  entropy: 'entropy (KL)',
  mse: "MSE (each tensor's range with the least quantization error on the calibration values)",
};

/** The curve ablation (every hilbert model of a family at one scheme) as Markdown. */
export function ablationMarkdown(r: ExperimentResults, precision: Precision = 'w8a8'): string {
  const families = new Set(r.curves.filter((c) => c.role === 'ablation').map((c) => c.family));
  const rows = r.curves.filter((c) => c.precision === precision && families.has(c.family)).sort((a, b) => a.family.localeCompare(b.family) || a.ideal.curveLength - b.ideal.curveLength);
  if (rows.length === 0) return '';
  const lines = [
    `| model | dims | order | L | FP32 EPE px | ${precision} EPE px | reduction (robust std) | reduction (RMSE) | ideal channel at the direct model's noise | moved > 1 px | FP32 hedging |`,
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const c of rows) {
    lines.push(
      `| ${c.model} | ${c.curve.dims} | ${c.curve.order} | ${c.ideal.curveLength.toFixed(1)} | ${c.fp32Epe.toFixed(3)} | ${c.quantizedEpe.toFixed(3)} | ` +
        `${c.reduction.toFixed(2)}x | ${c.rmseReduction.toFixed(2)}x | ${c.ideal.ratioAtNoise.toFixed(2)}x (${c.ideal.noiseLsb.toFixed(1)} LSB) | ${(c.over1px * 100).toFixed(2)} % | ` +
        `${c.hedging === null ? '-' : `${(c.hedging * 100).toFixed(1)} %`} |`,
    );
  }
  return lines.join('\n');
}

export interface TargetCheck {
  target: string;
  family: string;
  measured: string;
  met: boolean;
}

/**
 * The bars a user judges the curve head by (headline models): FP32 accuracy close to the direct
 * head's, the w8a8 quantization error smaller in robust std and in RMSE, almost no pixel moving
 * by more than 1 px, w8a8 EPE below the direct head's (and at most its w8a16 EPE), and a small
 * latency cost.
 */
export function targetChecks(r: ExperimentResults): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const row = (family: string, head: string, precision: Precision): ResultRow | undefined =>
    r.rows.find((x) => x.role === 'headline' && x.family === family && x.head === head && x.precision === precision);
  const epe = (family: string, head: string, precision: Precision): number | undefined => row(family, head, precision)?.metrics.nonOccluded.epe;
  const px = (x: number): string => `${x.toFixed(3)} px`;
  for (const family of [...new Set(r.rows.map((x) => x.family))]) {
    const [h32, d32] = [epe(family, 'hilbert', 'fp32'), epe(family, 'direct', 'fp32')];
    if (h32 !== undefined && d32 !== undefined) {
      checks.push({ target: 'FP32 hilbert EPE <= 1.03 x direct', family, measured: `${px(h32)} vs ${px(d32)} (${((h32 / d32 - 1) * 100).toFixed(1)} %)`, met: h32 <= 1.03 * d32 });
    }
    const reduction = r.reductions.find((x) => x.family === family && x.precision === 'w8a8');
    if (reduction) {
      checks.push({ target: 'w8a8 q-err reduction >= 6x (robust std)', family, measured: `${reduction.robustStd.toFixed(2)}x`, met: reduction.robustStd >= 6 });
      checks.push({ target: 'w8a8 q-err reduction >= 2x (RMSE)', family, measured: `${reduction.rmse.toFixed(2)}x`, met: reduction.rmse >= 2 });
    }
    const moved = row(family, 'hilbert', 'w8a8')?.quantError?.over1px;
    if (moved !== undefined) checks.push({ target: 'w8a8 hilbert pixels moving > 1 px <= 0.5 %', family, measured: `${(moved * 100).toFixed(2)} %`, met: moved <= 0.005 });
    const [h8, d8, d16] = [epe(family, 'hilbert', 'w8a8'), epe(family, 'direct', 'w8a8'), epe(family, 'direct', 'w8a16')];
    if (h8 !== undefined && d8 !== undefined) checks.push({ target: 'w8a8 hilbert EPE < w8a8 direct EPE', family, measured: `${px(h8)} vs ${px(d8)}`, met: h8 < d8 });
    if (h8 !== undefined && d16 !== undefined) checks.push({ target: 'w8a8 hilbert EPE <= w8a16 direct EPE', family, measured: `${px(h8)} vs ${px(d16)}`, met: h8 <= d16 });
    const overhead = r.latencyOverhead.find((x) => x.family === family && x.precision === 'w8a8');
    if (overhead) checks.push({ target: 'w8a8 hilbert latency overhead <= 3 %', family, measured: `${(overhead.overhead * 100).toFixed(1)} %`, met: overhead.overhead <= 0.03 });
    // The precision regime (issue 13): INT8 must be the direct head's dominant error, and the curve head must recover it.
    if (d8 !== undefined && d32 !== undefined) checks.push({ target: 'regime: w8a8 direct EPE >= 1.3 x its FP32 EPE', family, measured: `${px(d8)} vs ${px(d32)} (${(d8 / d32).toFixed(2)}x)`, met: d8 >= 1.3 * d32 });
    if (h8 !== undefined && d8 !== undefined) checks.push({ target: 'w8a8 hilbert EPE <= 0.75 x w8a8 direct EPE', family, measured: `${(h8 / d8).toFixed(2)}x`, met: h8 <= 0.75 * d8 });
    const d1 = (head: string, precision: Precision): number | undefined => row(family, head, precision)?.metrics.nonOccluded.d1;
    const pct = (x: number): string => `${(x * 100).toFixed(2)} %`;
    const [hd8, dd8, dd16] = [d1('hilbert', 'w8a8'), d1('direct', 'w8a8'), d1('direct', 'w8a16')];
    if (hd8 !== undefined && dd8 !== undefined) checks.push({ target: 'w8a8 hilbert D1 < w8a8 direct D1', family, measured: `${pct(hd8)} vs ${pct(dd8)}`, met: hd8 < dd8 });
    if (hd8 !== undefined && dd16 !== undefined) checks.push({ target: 'w8a8 hilbert D1 <= w8a16 direct D1', family, measured: `${pct(hd8)} vs ${pct(dd16)}`, met: hd8 <= dd16 });
    const [f32, q8] = [row(family, 'direct', 'fp32')?.latencyMs, row(family, 'direct', 'w8a8')?.latencyMs];
    const bar = family === 'unet' ? 2 : 1.6;
    if (f32 && q8) checks.push({ target: `w8a8 direct >= ${bar}x faster than FP32 (ORT CPU, 1 thread, ${r.setup.vnni ? 'with' : r.setup.vnni === false ? 'no' : 'unknown'} VNNI)`, family, measured: `${(f32 / q8).toFixed(2)}x (${f32.toFixed(2)} vs ${q8.toFixed(2)} ms)`, met: f32 / q8 >= bar });
  }
  return checks;
}

export function targetsMarkdown(r: ExperimentResults): string {
  return ['| target | family | measured | met |', '| --- | --- | --- | --- |', ...targetChecks(r).map((c) => `| ${c.target} | ${c.family} | ${c.measured} | ${c.met ? 'yes' : 'NO'} |`)].join('\n');
}
