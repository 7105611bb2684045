import * as ort from 'onnxruntime-node';
import { DataType, encodeModel, type ModelProto, type ValueInfoProto } from '../onnx/onnx-proto.js';
import { createOrtSession } from '../onnx/ort.js';
import { ConfigError, FileFormatError } from '../util/errors.js';
import { collectorFactory, type CalibrationMethod, type CalibratorOptions, type RangeCollector } from './calibrators/index.js';
import type { CalibrationData, CalibrationPair } from './calibration-data.js';
import type { Range } from './qparams.js';

export interface CalibrationProgress {
  /** 0-based pass; histogram methods make two. */
  pass: number;
  passes: number;
  /** Pairs done in this pass. */
  done: number;
  /** Pairs per pass, when the data says. */
  total?: number;
}

export interface CalibrateOptions extends CalibratorOptions {
  method: CalibrationMethod;
  /** Names the model in error messages. */
  source?: string;
  onProgress?: (p: CalibrationProgress) => void;
  /**
   * Sees more of each pair in the first pass: `tensors` are fetched too (calibrated or not) and
   * handed over with their shapes, so another statistic needs no pass of its own.
   */
  observer?: { tensors: readonly string[]; observe(get: (name: string) => ObservedTensor): void | Promise<void> };
}

export interface ObservedTensor {
  data: Float32Array;
  dims: readonly number[];
}

export interface CalibrationResult {
  ranges: Map<string, Range>;
  pairs: number;
  passes: number;
  /** Numbers all collectors hold together: independent of the number of pairs (streaming). */
  stateSize: number;
}

/**
 * Runs the FP32 model on every pair with the wanted intermediate tensors added as graph
 * outputs and feeds them, pair by pair, to one collector per tensor. Only the current pair's
 * activations are alive at any time.
 */
export async function calibrateRanges(
  model: ModelProto,
  tensors: readonly string[],
  data: CalibrationData,
  opts: CalibrateOptions,
): Promise<CalibrationResult> {
  const newCollector = collectorFactory(opts.method, opts);
  const collectors = new Map<string, RangeCollector>(tensors.map((t) => [t, newCollector()]));
  const passes = Math.max(1, ...[...collectors.values()].map((c) => c.passes));
  const inputs = new Set(model.graph.input.map((i) => i.name));
  const fetched = [...new Set([...tensors, ...(opts.observer?.tensors ?? [])])];
  const calibrationModel = encodeModel(withOutputs(model, fetched.filter((t) => !inputs.has(t))));
  const session = await createOrtSession(calibrationModel, { optimization: 'basic' }).catch((err: unknown) => {
    const reason = (err instanceof Error ? err.message : String(err)).split('\n')[0];
    throw new FileFormatError(opts.source ?? 'model', `ONNX Runtime cannot load it (${reason})`);
  });
  let pairs = -1;
  try {
    for (let pass = 0; pass < passes; pass++) {
      let done = 0;
      for await (const pair of data.pairs()) {
        const values = await runPair(session, pair, fetched, inputs);
        for (const [name, collector] of collectors) if (pass < collector.passes) collector.observe(pass, values(name).data);
        if (pass === 0) await opts.observer?.observe(values);
        done++;
        opts.onProgress?.({ pass, passes, done, total: data.count });
      }
      if (pairs >= 0 && done !== pairs) {
        throw new ConfigError('calibration', `${done} pairs`, `pass ${pass + 1} saw another number of pairs than pass 1 (${pairs}); pairs() must repeat them`);
      }
      if (done === 0) throw new ConfigError('calibration', 'no pairs', 'needs at least one stereo pair');
      pairs = done;
    }
  } finally {
    await session.release();
  }
  const ranges = new Map([...collectors].map(([name, c]) => [name, c.range()]));
  const stateSize = [...collectors.values()].reduce((sum, c) => sum + c.stateSize(), 0);
  return { ranges, pairs, passes, stateSize };
}

/** A copy of the model that also returns `tensors` (typed float32, shape left to ORT). */
function withOutputs(model: ModelProto, tensors: readonly string[]): ModelProto {
  const existing = new Set(model.graph.output.map((o) => o.name));
  const extra = tensors
    .filter((t) => !existing.has(t))
    .map((name) => ({ name, type: { tensor_type: { elem_type: DataType.FLOAT } } }) as unknown as ValueInfoProto);
  return { ...model, graph: { ...model.graph, output: [...model.graph.output, ...extra] } };
}

async function runPair(
  session: ort.InferenceSession,
  pair: CalibrationPair,
  tensors: readonly string[],
  inputs: ReadonlySet<string>,
): Promise<(name: string) => ObservedTensor> {
  const { height, width } = pair;
  if (pair.left.length !== 3 * height * width || pair.right.length !== 3 * height * width) {
    throw new ConfigError('calibration pair', `${height}x${width}`, 'left/right must hold 3 * height * width values');
  }
  const dims = [1, 3, height, width];
  const feeds = { left: new ort.Tensor('float32', pair.left, dims), right: new ort.Tensor('float32', pair.right, dims) };
  const fetches = tensors.filter((t) => !inputs.has(t));
  const results = fetches.length > 0 ? await session.run(feeds, fetches) : {};
  return (name) => {
    if (name === 'left') return { data: pair.left, dims };
    if (name === 'right') return { data: pair.right, dims };
    const t = (results as Record<string, ort.Tensor>)[name];
    return { data: t.data as Float32Array, dims: t.dims };
  };
}
