import { existsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import * as ort from 'onnxruntime-node';
import { FileFormatError, FileSystemError, HilbertqError } from '../util/errors.js';

/** A float32 NCHW tensor as plain data: what hilbertq feeds and gets back from ONNX Runtime. */
export interface NchwTensor {
  data: Float32Array;
  /** [N, C, H, W] */
  dims: number[];
}

export interface OrtSessionOptions {
  /** ORT graph optimization level; default 'all' (what deployment uses). */
  optimization?: 'disabled' | 'basic' | 'extended' | 'all';
  /** Saves the graph as ORT optimized it (fusions visible), e.g. for tests of what got fused. */
  optimizedModelFile?: string;
  /** Intra-op threads; when absent, HILBERTQ_ORT_THREADS if set, else ORT's default (all cores). */
  threads?: number;
}

/**
 * Intra-op threads for sessions that do not name theirs. Set by the experiment pipeline for the
 * processes it evaluates models in side by side (one core each): ORT's default thread pool in each
 * would spin on the same cores.
 */
export const ORT_THREADS_ENV = 'HILBERTQ_ORT_THREADS';

function defaultThreads(): number | undefined {
  const v = Number(process.env[ORT_THREADS_ENV]);
  return Number.isInteger(v) && v >= 1 ? v : undefined;
}

/** An ORT CPU session from model bytes or an .onnx file; a bad file is a one-line FileFormatError. */
export async function createOrtSession(model: Uint8Array | string, opts: OrtSessionOptions = {}): Promise<ort.InferenceSession> {
  const threads = opts.threads ?? defaultThreads();
  const options: ort.InferenceSession.SessionOptions = {
    executionProviders: ['cpu'],
    graphOptimizationLevel: opts.optimization ?? 'all',
    // Fatal only: every failure reaches the user as hilbertq's one line (FileFormatError, from
    // ORT's own message), and ORT's logger printed it once more before, in colour escapes.
    logSeverityLevel: 4,
    ...(opts.optimizedModelFile ? { optimizedModelFilePath: opts.optimizedModelFile } : {}),
    ...(threads ? { intraOpNumThreads: threads } : {}),
  };
  if (typeof model === 'string' && !existsSync(model)) throw new FileFormatError(model, 'does not exist');
  try {
    // Two calls, not one: TypeScript does not pick an overload for the union.
    return typeof model === 'string' ? await ort.InferenceSession.create(model, options) : await ort.InferenceSession.create(model, options);
  } catch (err) {
    throw sessionError(err, model, opts.optimizedModelFile);
  }
}

/**
 * ORT's failure as one line: a failed write of the optimized graph (its message names that file)
 * is a FileSystemError, anything else a model ORT cannot load.
 */
function sessionError(err: unknown, model: Uint8Array | string, optimizedModelFile: string | undefined): HilbertqError {
  const line = firstLine(err);
  if (optimizedModelFile && line.includes(optimizedModelFile)) return new FileSystemError(optimizedModelFile, 'write the optimized graph to', new Error(line));
  return typeof model === 'string' ? new FileFormatError(model, `ONNX Runtime cannot load it (${line})`) : new HilbertqError(`ONNX Runtime cannot load the model bytes (${line})`);
}

/** Runs a hilbertq stereo model: `left`, `right` [N, 3, H, W] in [0, 1] -> `output` [N, C, H, W]. */
export async function runStereo(session: ort.InferenceSession, inputs: { left: NchwTensor; right: NchwTensor }): Promise<NchwTensor> {
  const feeds = {
    left: new ort.Tensor('float32', inputs.left.data, inputs.left.dims),
    right: new ort.Tensor('float32', inputs.right.data, inputs.right.dims),
  };
  const results = await session.run(feeds);
  const output = results.output;
  if (!output || output.type !== 'float32') throw new Error('the model has no float32 output named "output"');
  return { data: output.data as Float32Array, dims: [...output.dims] };
}

/**
 * Writes ORT's optimized graph of `model` to `outFile`. 'extended' by default: 'all' adds
 * layout transforms specific to this CPU, which ORT itself warns are not portable.
 */
export async function saveOptimizedModel(
  model: Uint8Array | string,
  outFile: string,
  optimization: OrtSessionOptions['optimization'] = 'extended',
): Promise<void> {
  // ORT's own write errors carry no code and a native stack: name the file and the problem here.
  const folder = dirname(outFile);
  if (!existsSync(folder)) throw new FileSystemError(outFile, 'write the optimized graph to', { code: 'ENOENT' });
  if (!statSync(folder).isDirectory()) throw new FileSystemError(outFile, 'write the optimized graph to', { code: 'ENOTDIR' });
  if (existsSync(outFile) && statSync(outFile).isDirectory()) throw new FileSystemError(outFile, 'write the optimized graph to', { code: 'EISDIR' });
  const session = await createOrtSession(model, { optimization, optimizedModelFile: outFile });
  await session.release();
}

/** ORT's message without its native stack: the first line, for one-line errors naming the file. */
export function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0];
}
