import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { openDataset } from '../data/dataset.js';
import { isGeneratedFolder } from '../data/layouts/generated.js';
import { readManifest } from '../data/manifest.js';
import { parseSize } from '../data/options.js';
import { checkSyntheticSize } from '../infer/infer-limits.js';
import { METADATA_KEYS, trainingSizeOf } from '../onnx/metadata.js';
import type { ModelProto } from '../onnx/onnx-proto.js';
import { datasetCalibration, syntheticCalibration, type CalibrationData } from '../quant/calibration-data.js';
import { CALIBRATION_METHODS, DEFAULT_PERCENTILE } from '../quant/calibrators/index.js';
import { hostLacksVnni } from '../quant/host-cpu.js';
import { CONV_ROUNDINGS, OUTPUT_ROUNDINGS } from '../quant/output-rounding.js';
import { quantizeModel } from '../quant/quantize.js';
import { QUANT_SCHEMES, type QuantScheme } from '../quant/schemes.js';
import type { QuantSummary } from '../quant/summary.js';
import { readFloatModel } from '../quant/validate.js';
import { ConfigError, FileFormatError } from '../util/errors.js';
import { readFileBytes, writeFileAtomic } from '../util/fs.js';
import { choice, parseIntOption, parseNumberOption } from './options.js';
import { datasetFiles, refuseOverwritingInputs } from './output-guard.js';
import { ProgressReporter } from './progress.js';

interface QuantizeFlags {
  scheme?: string;
  method: string;
  calib?: string;
  synthetic?: number;
  count?: number;
  size?: string;
  percentile: number;
  reduceRange?: boolean;
  exclude?: string;
  outputRounding: string;
  convRounding: string;
  out?: string;
  json?: boolean;
}

/** Size of synthetic calibration pairs when the model records no training size. */
const DEFAULT_CALIBRATION_SIZE = { height: 64, width: 128 };

export function registerQuantizeCommand(program: Command): void {
  program
    .command('quantize')
    .description('post-training quantization of a float ONNX model to QDQ; the model output stays quantized (uint8/uint16 codes)')
    .argument('<model>', 'float .onnx written by `hilbertq export`')
    .option('--scheme <scheme>', `${QUANT_SCHEMES.join(' | ')} (w8a8-pt: per-tensor weights, the NPU/DSP recipe)`)
    .option('--calib <dir>', 'calibrate on a dataset folder (generated, Middlebury or KITTI layout)')
    .option('--synthetic <n>', 'calibrate on n synthetic pairs (seed 3000003, distinct from validation and test)', parseIntOption('--synthetic'))
    .option('--count <n>', 'use at most n pairs of --calib', parseIntOption('--count'))
    .option('--size <HxW>', 'synthetic pair size (default: the training size the model records, else 64x128); at most 4 MP per pair (HILBERTQ_MAX_INFER_PIXELS)')
    .option('--method <method>', `${CALIBRATION_METHODS.join(' | ')}: each activation's range from its min and max (as ORT's default), the central --percentile of its values, the least KL divergence, or the least squared quantization error`, 'minmax')
    .option('--percentile <p>', 'percentile method: % of values inside the range', parseNumberOption('--percentile'), DEFAULT_PERCENTILE)
    .option('--reduce-range', 'int8 weights in -64..64: avoids uint8 x int8 saturation on x86 CPUs without VNNI')
    .option('--exclude <nodes>', 'comma-separated ONNX node names to leave in float (ORT nodes_to_exclude)')
    .option('--conv-rounding <mode>', `${CONV_ROUNDINGS.join(' | ')}: the int8 weights of every quantized conv but the output's fitted to the calibration pairs as --output-rounding fits the output conv's (AdaRound's layer-wise objective), or rounded to nearest as ORT's quantize_static`, 'fitted')
    .option('--output-rounding <mode>', `${OUTPUT_ROUNDINGS.join(' | ')}: the int8 weights of the conv writing the output fitted to the calibration pairs, its bias moved to match, or rounded to nearest as ORT's quantize_static`, 'fitted')
    .option('--out <file>', 'quantized model to write (default: <model>.<scheme>.onnx)')
    .option('--json', 'print the summary as JSON')
    .action((modelFile: string, flags: QuantizeFlags, command: Command) => runQuantize(modelFile, flags, command.getOptionValueSource('percentile') === 'cli'));
}

async function runQuantize(modelFile: string, flags: QuantizeFlags, percentileGiven: boolean): Promise<void> {
  const scheme = choice('--scheme', flags.scheme, QUANT_SCHEMES);
  const method = choice('--method', flags.method, CALIBRATION_METHODS);
  const outputRounding = choice('--output-rounding', flags.outputRounding, OUTPUT_ROUNDINGS);
  const convRounding = choice('--conv-rounding', flags.convRounding, CONV_ROUNDINGS);
  // The flag has a default, so only one given on the command line can be ignored by mistake.
  if (method !== 'percentile' && percentileGiven) throw new ConfigError('--percentile', flags.percentile, `applies to --method percentile, not ${method}`);
  if ((flags.calib === undefined) === (flags.synthetic === undefined)) {
    throw new ConfigError('--calib/--synthetic', flags.calib ?? flags.synthetic ?? '(none)', 'give exactly one of them');
  }
  const out = flags.out ?? defaultOutput(modelFile, scheme);
  if (resolve(out) === resolve(modelFile)) throw new ConfigError('--out', out, 'would overwrite the float model');
  // Found before calibrating, not after: a folder or a file in the way of the output's folder.
  if (existsSync(out) && statSync(out).isDirectory()) throw new ConfigError('--out', out, 'is a folder; name the .onnx file to write');
  if (existsSync(dirname(resolve(out))) && !statSync(dirname(resolve(out))).isDirectory()) throw new ConfigError('--out', out, `${dirname(out)} is a file, not a folder`);
  if (!existsSync(modelFile)) throw new FileFormatError(modelFile, 'does not exist');
  const bytes = readFileBytes(modelFile);
  const model = readFloatModel(bytes, modelFile);
  const data = calibrationData(model, modelFile, flags, out);

  const passes = method === 'minmax' ? 1 : 2;
  const progress = flags.json ? null : new ProgressReporter(`calibrate (${method})`, passes * (data.count ?? 0));
  let summary: QuantSummary;
  try {
    const result = await quantizeModel(bytes, {
      scheme,
      method,
      calibration: data,
      percentile: flags.percentile,
      reduceRange: flags.reduceRange,
      outputRounding,
      convRounding,
      ...(flags.exclude ? { nodesToExclude: flags.exclude.split(',').map((n) => n.trim()).filter((n) => n !== '') } : {}),
      source: modelFile,
      onProgress: (p) => progress?.update(p.pass * (p.total ?? 0) + p.done),
    });
    progress?.stop();
    writeFileAtomic(out, result.model);
    summary = result.summary;
  } catch (err) {
    progress?.stop();
    throw err;
  }
  if (flags.json) {
    console.log(JSON.stringify({ model: modelFile, out, ...summary }, null, 2));
    return;
  }
  console.log(formatQuantSummary(modelFile, out, summary));
  if (summary.output.dtype === 'uint8' && !flags.reduceRange && hostLacksVnni()) {
    console.log('  note:        this CPU has no VNNI: ORT\'s uint8 x int8 kernels can saturate here; quantize with --reduce-range (weights in -64..64) to evaluate on this host');
  }
}

function defaultOutput(modelFile: string, scheme: QuantScheme): string {
  return `${modelFile.replace(/\.onnx$/i, '')}.${scheme}.onnx`;
}

function calibrationData(model: ModelProto, modelFile: string, flags: QuantizeFlags, out: string): CalibrationData {
  const meta = new Map((model.metadata_props ?? []).map((p) => [p.key, p.value]));
  const stride = Number(meta.get(METADATA_KEYS.stride));
  if (flags.calib !== undefined) {
    if (flags.count !== undefined && flags.count < 1) throw new ConfigError('--count', flags.count, 'must be >= 1');
    const dataset = openDataset(flags.calib);
    // `--out DATA/manifest.json` (or one of its images) wrote the model over the calibration data.
    refuseOverwritingInputs([{ flag: '--out', path: out }], datasetFiles(dataset));
    const unlike = unlikeCalibration(flags.calib, meta, modelFile);
    if (unlike) console.error(`hilbertq: warning: ${unlike}`);
    return datasetCalibration(dataset, { stride, count: flags.count });
  }
  const count = flags.synthetic as number;
  if (count < 1) throw new ConfigError('--synthetic', count, 'must be >= 1');
  const config = parseConfig(meta.get(METADATA_KEYS.config));
  if (typeof config?.maxDisp !== 'number') {
    throw new FileFormatError(modelFile, `records no model config with maxDisp (${METADATA_KEYS.config}); calibrate with --calib instead`);
  }
  const recorded = trainingSizeOf(Object.fromEntries(meta), modelFile);
  const size = flags.size ? parseSize(flags.size) : recorded ?? DEFAULT_CALIBRATION_SIZE;
  // A corrupt or hostile hilbertq.training_size (100000x100000) must not allocate gigabytes.
  checkSyntheticSize(size, flags.size ? null : modelFile, stride);
  if (size.height % stride !== 0 || size.width % stride !== 0) {
    throw new ConfigError('--size', `${size.height}x${size.width}`, `must be a multiple of the model stride ${stride}`);
  }
  return syntheticCalibration({ ...size, maxDisp: config.maxDisp, count, scenes: recorded?.scenes ?? 'mixed', countName: '--synthetic' });
}

/**
 * A generated calibration folder whose scenes or range differ from what the model records that it
 * was trained on: its activation ranges then fit other data, and the quantized model loses
 * accuracy without a sign. Null where they agree or either side does not say.
 */
function unlikeCalibration(dir: string, meta: ReadonlyMap<string, string>, modelFile: string): string | null {
  if (!isGeneratedFolder(dir)) return null;
  const generated = readManifest(dir, false).generator.options;
  const data = { scenes: generated.scenes ?? 'mixed', maxDisp: generated.maxDisp };
  const config = parseConfig(meta.get(METADATA_KEYS.config));
  const scenes = trainingSizeOf(Object.fromEntries(meta), modelFile)?.scenes;
  const maxDisp = typeof config?.maxDisp === 'number' ? config.maxDisp : undefined;
  const differs = (scenes !== undefined && scenes !== data.scenes) || (maxDisp !== undefined && maxDisp !== data.maxDisp);
  if (!differs) return null;
  return (
    `--calib ${dir} holds ${data.scenes} scenes with a range of ${data.maxDisp} px, but ${modelFile} was trained on ` +
    `${scenes ?? 'unrecorded'} scenes with a range of ${maxDisp ?? 'unrecorded'} px; ranges calibrated on unlike data can cost accuracy`
  );
}

function parseConfig(json: string | undefined): Record<string, unknown> | null {
  if (json === undefined) return null;
  try {
    const value: unknown = JSON.parse(json);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

export function formatQuantSummary(modelFile: string, out: string, s: QuantSummary): string {
  const list = (counts: Record<string, number>): string =>
    Object.entries(counts)
      .sort((a, b) => b[1] - a[1])
      .map(([op, n]) => `${op} ${n}`)
      .join(', ') || 'none';
  const floatOps = Object.entries(s.floatOps)
    .map(([op, names]) => `${op} ${names.length} (${names.slice(0, 3).join(', ')}${names.length > 3 ? ', ...' : ''})`)
    .join('; ');
  const kib = (b: number): string => `${(b / 1024).toFixed(1)} KiB`;
  const calibrated = s.activations.filter((a) => a.source === 'calibrated');
  const shown = [...s.activations.filter((a) => a.source === 'fixed').slice(0, 2), ...calibrated.slice(0, 3), ...calibrated.slice(-2)];
  const ranges = shown.map((a) => `${a.tensor} [${fmt(a.range.min)}, ${fmt(a.range.max)}] ${a.source}`).join('; ');
  const folded = Object.keys(s.foldedActivations).length > 0 ? `; folded into the producer's range: ${list(s.foldedActivations)}` : '';
  return [
    `quantized ${modelFile} -> ${out}: ${s.scheme}, ${s.method} calibration on ${s.calibration.description ?? `${s.calibration.pairs} pairs`}, opset ${s.opset}`,
    `  scheme:      ${s.schemeDescription}`,
    `  quantized:   ${list(s.quantizedOps)}${folded}`,
    `  float:       ${floatOps || 'none'} (run in float, between DequantizeLinear and QuantizeLinear where their neighbours are quantized)`,
    `  weights:     ${kib(s.weights.floatBytes)} -> ${kib(s.weights.quantizedBytes)} (${(s.weights.floatBytes / s.weights.quantizedBytes).toFixed(1)}x)` +
      (s.weights.clippedBiasValues > 0 ? `, ${s.weights.clippedBiasValues} bias values clipped to int32` : ''),
    `  ranges:      ${ranges} (${calibrated.length} calibrated tensors of ${s.activations.length} quantized)`,
    `  output:      ${s.output.dtype}, scale ${s.output.scale}, zero point ${s.output.zeroPoint}`,
    `  rounding:    ${roundingLine(s.outputRounding, s.convRounding)}`,
  ].join('\n');
}

function roundingLine(r: QuantSummary['outputRounding'], convs: QuantSummary['convRounding']): string {
  const others = convs
    ? `${convs.convs} other convs fitted, ${convs.changedCodes} of ${convs.codes} codes changed, their outputs' rounding error ${fmt(Math.sqrt(convs.squaredError.nearest))} -> ${fmt(Math.sqrt(convs.squaredError.fitted))} (root of the summed mean squares)`
    : 'nearest elsewhere';
  if (!r) return convs ? `output conv nearest; ${others}` : 'nearest everywhere';
  const sum = (v: number[]): number => v.reduce((a, b) => a + b, 0);
  const rms = (v: number[]): string => fmt(Math.sqrt(sum(v) / v.length));
  const meanAbs = (v: number[]): string => fmt(sum(v.map(Math.abs)) / v.length);
  return `${r.node} fitted on ${r.samples} calibration pixels, ${r.changedCodes} codes changed: its output's rounding error ${rms(r.meanSquaredError.nearest)} -> ${rms(r.meanSquaredError.fitted)} rms, mean ${meanAbs(r.meanError.nearest)} -> ${meanAbs(r.meanError.fitted)} (per channel, output units); ${others}`;
}

function fmt(x: number): string {
  return Number(x.toPrecision(4)).toString();
}
