import { encodeModel, type ModelProto, type NodeProto } from '../onnx/onnx-proto.js';
import { ConfigError } from '../util/errors.js';
import { sha256Hex } from '../util/hash.js';
import { calibrateRanges, type CalibrationProgress, type ObservedTensor } from './calibrate.js';
import { asCalibrationData, type CalibrationData, type CalibrationPair } from './calibration-data.js';
import { CALIBRATION_METHODS, DEFAULT_PERCENTILE, type CalibrationMethod, type CalibratorOptions } from './calibrators/index.js';
import { QUANT_METADATA_KEYS } from './metadata.js';
import { defaultOpset, upgradeOpset } from './opset.js';
import { planQuantization } from './planner.js';
import { emitQdq } from './qdq.js';
import {
  CONV_ROUNDINGS,
  findOutputConv,
  fitOutputRounding,
  fittableConvs,
  HIDDEN_MAX_SWEEPS,
  HIDDEN_SAMPLES_PER_PAIR,
  InputMoments,
  OUTPUT_ROUNDINGS,
  type ConvRounding,
  type ConvRoundingReport,
  type OutputConv,
  type OutputRounding,
} from './output-rounding.js';
import { QUANT_RULES } from './rules/registry.js';
import type { QuantRuleRegistry } from './rules/rule.js';
import { QUANT_SCHEMES, resolveScheme, type QuantScheme } from './schemes.js';
import { summarize, type QuantSummary } from './summary.js';
import { readFloatModel } from './validate.js';
import { loweredNodesOf, reexportOnnx } from '../onnx/reexport.js';
import type { HeadTailPlace } from '../onnx/export.js';

export interface QuantizeOptions extends CalibratorOptions {
  /**
   * Lower a hilbertq export's matching cost again in the scheme's form (SchemeSpec.matchingCost)
   * before quantizing (default true; false quantizes the graph exactly as given, e.g. to compare
   * with ORT's quantize_static on the same file).
   */
  schemeMatchingCost?: boolean;
  /**
   * Where the head's tail (bilinear x2, sigmoid) runs in the quantized model: 'decoder' (the
   * default for 8-bit activations: the runtime applies it to the logit codes, head-tail.ts) or
   * 'graph' (the default for 16-bit ones). Needs the re-lowering (schemeMatchingCost not false).
   */
  headTail?: HeadTailPlace;
  scheme: QuantScheme;
  /** Default 'minmax'. */
  method?: CalibrationMethod;
  /** Pairs to calibrate on; an array, or CalibrationData (e.g. syntheticCalibration, datasetCalibration). */
  calibration: CalibrationData | readonly CalibrationPair[];
  onProgress?: (p: CalibrationProgress) => void;
  /** Per-op rules; default QUANT_RULES. */
  rules?: QuantRuleRegistry;
  /** ORT's reduce_range: weights in -64..64, for x86 CPUs without VNNI whose uint8 x int8 kernels saturate. */
  reduceRange?: boolean;
  /** ONNX node names to leave in float (ORT's nodes_to_exclude), e.g. convs int8 is slower for on the target CPU. */
  nodesToExclude?: readonly string[];
  /** How the output conv's int8 weights are rounded: 'fitted' (default) or 'nearest', as ORT (output-rounding.ts). */
  outputRounding?: OutputRounding;
  /** How every other quantized conv's int8 weights are rounded: 'fitted' (default) or 'nearest', as ORT (output-rounding.ts). */
  convRounding?: ConvRounding;
  /** Names the model in error messages (the CLI passes the file path). */
  source?: string;
}

export interface QuantizeResult {
  model: Uint8Array;
  summary: QuantSummary;
}

/**
 * Post-training static quantization of a float hilbertq ONNX model into QDQ format. The
 * output stays quantized: the graph's `output` is the uint8/uint16 result of the last
 * QuantizeLinear, with its scale and zero point in metadata_props.
 */
export async function quantizeModel(floatModel: Uint8Array, opts: QuantizeOptions): Promise<QuantizeResult> {
  const source = opts.source ?? 'model';
  if (!QUANT_SCHEMES.includes(opts.scheme)) throw new ConfigError('scheme', opts.scheme, `must be one of ${QUANT_SCHEMES.join(', ')}`);
  const method = opts.method ?? 'minmax';
  if (!CALIBRATION_METHODS.includes(method)) throw new ConfigError('method', method, `must be one of ${CALIBRATION_METHODS.join(', ')}`);
  const outputRounding = opts.outputRounding ?? 'fitted';
  if (!OUTPUT_ROUNDINGS.includes(outputRounding)) throw new ConfigError('outputRounding', outputRounding, `must be one of ${OUTPUT_ROUNDINGS.join(', ')}`);
  const convRounding = opts.convRounding ?? 'fitted';
  if (!CONV_ROUNDINGS.includes(convRounding)) throw new ConfigError('convRounding', convRounding, `must be one of ${CONV_ROUNDINGS.join(', ')}`);
  const scheme = resolveScheme(opts.scheme, opts);
  const given = readFloatModel(floatModel, source);
  // A hilbertq export is lowered again from its own description in the scheme's matching-cost
  // form (schemes.ts); foreign graphs stay as given. Excluded names refer to the given file's
  // nodes or the lowered graph's. If lowering would move one of them onto another op (the
  // band form's last Mul becomes the grouped conv's Squeeze), the graph stays as given, so the
  // caller's node runs in float; a cost the scheme keeps in float runs there in either form
  // (the folded band form ends in a Transpose), so naming it keeps the re-lowering.
  const exclude = new Set(opts.nodesToExclude ?? []);
  const opOf = (m: typeof given, name: string): string | undefined => m.graph.node.find((n) => n.name === name)?.op_type;
  // A cost that stays in float takes the folded band form, its norms inside the MatMul: 0.2-0.3
  // ms less than the norms as maps in the unet's w8a8 graph (docs/precision-regime.md).
  const form = scheme.matchingCost === 'integer' ? 'grouped-conv' : 'band-matmul-folded';
  // 8-bit activations: the head's tail (bilinear x2, sigmoid) goes to the decoder, which runs it
  // on the 8-bit logit codes as one table look-up per output (src/infer/head-tail.ts), 0.4 ms
  // faster than the graph for a 4-channel head at 128x256. 16-bit codes and floats keep it in
  // the graph, where ORT's float kernels beat a JS loop.
  const headTail = opts.headTail ?? (scheme.activation.dtype === 'uint8' ? 'decoder' : undefined);
  const relowered = opts.schemeMatchingCost !== false ? reexportOnnx(given, { matchingCost: form, ...(headTail ? { headTail } : {}) }) : null;
  const unknown = [...exclude].filter((name) => opOf(given, name) === undefined && (!relowered || opOf(relowered, name) === undefined));
  if (unknown.length > 0) throw new ConfigError('nodesToExclude', unknown.join(', '), 'no node of the model has this name');
  const floatInLowered = new Set(relowered && scheme.matchingCost === 'float' ? loweredNodesOf(relowered, 'matchingCost') : []);
  const lowered =
    relowered && [...exclude].every((name) => opOf(given, name) === undefined || floatInLowered.has(name) || opOf(relowered, name) === opOf(given, name)) ? relowered : null;
  const original = lowered ?? given;
  // The default moves the tail where it can; an explicit request that cannot hold is an error.
  if (opts.headTail === 'decoder' && !lowered) {
    throw new ConfigError('headTail', 'decoder', opts.schemeMatchingCost === false ? 'needs the re-lowering (schemeMatchingCost must not be false)' : 'cannot hold: an excluded node exists only in the given graph');
  }
  // A name only the lowered graph has, while another name kept the given graph: both cannot hold.
  const dropped = [...exclude].filter((name) => opOf(original, name) === undefined);
  if (dropped.length > 0) {
    throw new ConfigError('nodesToExclude', dropped.join(', '), `names a node of the re-lowered graph, but another excluded name keeps the model as given (${source}); name nodes of one graph`);
  }
  // The scheme's float matching cost: its nodes only, the encoders feeding it stay integer
  // (measured on the precision unet at 128x256: 2-6 % faster than with them in float, q-err
  // robust std within 2 %). Without re-lowering (schemeMatchingCost false) nothing is added.
  const floatCost = new Set(relowered && scheme.matchingCost === 'float' ? loweredNodesOf(original, 'matchingCost') : []);
  // What is recorded in the model and printed says what was done.
  const applied = floatCost.size > 0 ? { ...scheme, description: `${scheme.description}; the matching cost in float` } : scheme;
  const model = defaultOpset(original) < scheme.minOpset ? upgradeOpset(original, scheme.minOpset) : original;

  for (const node of model.graph.node) if (scheme.floatOpTypes.includes(node.op_type)) exclude.add(node.name);
  for (const node of model.graph.node) if (node.op_type === 'Conv' && convInputChannels(model, node) <= scheme.floatConvMaxInputChannels) exclude.add(node.name);
  const plan = planQuantization(model, applied, opts.rules ?? QUANT_RULES, exclude, floatCost);
  const toCalibrate = [...plan.activations].filter(([, s]) => s.kind === 'calibrated').map(([name]) => name);
  const data = asCalibrationData(opts.calibration);
  // The output conv's input moments are gathered in calibration's first pass, not a pass of their own.
  // Nothing to gather when the conv stays float (excluded, or a scheme's float rule).
  const writer = findOutputConv(original);
  const candidate = outputRounding === 'fitted' ? writer : null;
  const handled = new Set([...plan.handled].map((n) => n.name));
  const outputConv = candidate && handled.has(candidate.node.name) ? candidate : null;
  const moments = outputConv ? new InputMoments(outputConv) : null;
  // Every other quantized conv (the output conv follows outputRounding alone), fitted the same way from fewer samples per pair.
  const hidden =
    convRounding === 'fitted'
      ? fittableConvs(original)
          .filter((c) => handled.has(c.node.name) && c.node.name !== writer?.node.name)
          .map((conv) => ({ conv, moments: new InputMoments(conv, HIDDEN_SAMPLES_PER_PAIR) }))
      : [];
  const watched = [...(moments ? [moments] : []), ...hidden.map((h) => h.moments)];
  const observer =
    watched.length > 0
      ? {
          tensors: [...new Set(watched.map((m) => m.tensor))],
          observe: async (get: (name: string) => ObservedTensor) => {
            for (const m of watched) await m.observe(get(m.tensor));
          },
        }
      : undefined;
  const levels = scheme.activation.qmax - scheme.activation.qmin + 1;
  const calibration = await calibrateRanges(original, toCalibrate, data, { ...opts, levels, method, source, observer });
  const { model: quantized, params, clippedBiasValues } = emitQdq({ model, plan, ranges: calibration.ranges });
  const fitted = outputConv && moments ? await fitOutputRounding(quantized, outputConv, await moments.normalized(), scheme.weightQmax) : null;
  const convsFitted = hidden.length > 0 ? await fitHiddenConvs(quantized, hidden, scheme.weightQmax) : null;

  const calibrationInfo = {
    pairs: calibration.pairs,
    passes: calibration.passes,
    tensors: toCalibrate.length,
    collectorStateSize: calibration.stateSize,
    ...(data.description ? { description: data.description } : {}),
  };
  const summary = summarize({ plan, params, before: original, after: quantized, scheme: opts.scheme, method, calibration: calibrationInfo, clippedBiasValues, outputRounding: fitted, convRounding: convsFitted });
  quantized.metadata_props = [
    ...(original.metadata_props ?? []).filter((p) => !Object.values<string>(QUANT_METADATA_KEYS).includes(p.key)),
    ...Object.entries({
      [QUANT_METADATA_KEYS.scheme]: opts.scheme,
      [QUANT_METADATA_KEYS.method]: method,
      [QUANT_METADATA_KEYS.description]: applied.description,
      [QUANT_METADATA_KEYS.weightRange]: String(scheme.weightQmax),
      [QUANT_METADATA_KEYS.calibration]: JSON.stringify({
        ...calibrationInfo,
        ...(method === 'percentile' ? { percentile: opts.percentile ?? DEFAULT_PERCENTILE } : {}),
      }),
      [QUANT_METADATA_KEYS.floatOps]: JSON.stringify(summary.floatOps),
      // 'nearest' also where a fit was asked for but the graph has no quantized output conv.
      [QUANT_METADATA_KEYS.outputRounding]: fitted ? `fitted:${fitted.node}` : 'nearest',
      [QUANT_METADATA_KEYS.convRounding]: convsFitted ? `fitted:${convsFitted.convs}` : 'nearest',
      [QUANT_METADATA_KEYS.sourceSha256]: sha256Hex(floatModel),
      [QUANT_METADATA_KEYS.outputDtype]: summary.output.dtype,
      [QUANT_METADATA_KEYS.outputScale]: String(summary.output.scale),
      [QUANT_METADATA_KEYS.outputZeroPoint]: String(summary.output.zeroPoint),
    }).map(([key, value]) => ({ key, value })),
  ];
  quantized.doc_string = `${original.doc_string ?? 'hilbertq model'}; quantized ${opts.scheme} (${method}), output ${summary.output.dtype} codes`;
  return { model: encodeModel(quantized), summary };
}

/** A Conv's input channels from its OIHW weight initializer (Infinity when the weight is not one). */
function convInputChannels(model: ModelProto, node: NodeProto): number {
  const weight = model.graph.initializer.find((t) => t.name === node.input[1]);
  const dims = weight?.dims ?? [];
  const group = Number(node.attribute.find((a) => a.name === 'group')?.i ?? 1);
  return dims.length === 4 ? Number(dims[1]) * group : Infinity;
}

/** Fits each hidden conv in turn (its patches are released as it goes); null when none had codes of its own. */
async function fitHiddenConvs(quantized: ModelProto, hidden: { conv: OutputConv; moments: InputMoments }[], weightQmax: number): Promise<ConvRoundingReport | null> {
  const report: ConvRoundingReport = { convs: 0, changedCodes: 0, codes: 0, squaredError: { nearest: 0, fitted: 0 } };
  for (const { conv, moments } of hidden) {
    const fit = await fitOutputRounding(quantized, conv, await moments.normalized(), weightQmax, HIDDEN_MAX_SWEEPS);
    if (!fit) continue;
    report.convs++;
    report.changedCodes += fit.changedCodes;
    report.codes += conv.dims.reduce((a, b) => a * b, 1);
    report.squaredError.nearest += fit.meanSquaredError.nearest.reduce((a, b) => a + b, 0);
    report.squaredError.fitted += fit.meanSquaredError.fitted.reduce((a, b) => a + b, 0);
  }
  return report.convs > 0 ? report : null;
}
