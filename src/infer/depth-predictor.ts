import { existsSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import type { RgbImage, StereoBatch, TrainingScenes } from '../data/types.js';
import { validateModelConfig, type ModelConfig } from '../models/model.js';
import { checkFormatVersion, HEAD_TAIL_KEY, METADATA_KEYS, readOnnxMetadata, trainingSizeOf } from '../onnx/metadata.js';
import { curveOf } from '../models/head-decode.js';
import { HEAD_TAIL } from '../models/heads.js';
import { QUANT_METADATA_KEYS } from '../quant/metadata.js';
import { createOrtSession, firstLine } from '../onnx/ort.js';
import { printable } from '../util/printable.js';
import { FileFormatError } from '../util/errors.js';
import { readFileBytes } from '../util/fs.js';
import { OutputDecoder, type OutputEncoding } from './output-decoder.js';
import { predictStereoPair, runPlanarPair, type RawRunner } from './stereo-pair.js';

export interface DepthPredictorOptions {
  /** ORT intra-op threads (default: ORT's choice). */
  threads?: number;
}

export interface PredictOptions {
  /** Run the model at this size; the disparity still comes back at the images' size. */
  resize?: { height: number; width: number };
}

export interface DepthPrediction {
  width: number;
  height: number;
  /** Left-view disparity in the input images' pixels, row-major. */
  disparity: Float32Array;
}

/**
 * Stereo inference on ONNX Runtime for any hilbertq model, float or quantized: pads to the
 * model's stride, runs, crops back, decodes the head (through the curve's code table for a
 * quantized hilbert head) and returns disparity at the input resolution.
 */
export class DepthPredictor {
  private constructor(
    readonly file: string,
    private readonly session: ort.InferenceSession,
    readonly config: ModelConfig,
    readonly stride: number,
    readonly encoding: OutputEncoding,
    readonly scheme: string,
    private readonly decoder: OutputDecoder,
    /** The HxW and scene style the model was trained at, when its metadata records them. */
    readonly trainingSize: TrainingScenes | null,
  ) {}

  static async load(file: string, options: DepthPredictorOptions = {}): Promise<DepthPredictor> {
    if (!existsSync(file)) throw new FileFormatError(file, 'does not exist');
    const bytes = readFileBytes(file);
    // An empty file decodes as an empty protobuf; "no metadata" would send the user to re-export.
    if (bytes.length === 0) throw new FileFormatError(file, 'is empty (0 bytes), not an ONNX model');
    let meta: Record<string, string>;
    try {
      meta = readOnnxMetadata(bytes);
    } catch {
      throw new FileFormatError(file, 'is not an ONNX model (protobuf decoding failed)');
    }
    const { config, stride, encoding } = parseMetadata(file, meta);
    const session = await createOrtSession(file, options.threads ? { threads: options.threads } : {});
    // Printed by infer and eval: control characters (escape sequences, newlines) become escapes.
    const scheme = printable(meta[QUANT_METADATA_KEYS.scheme] ?? 'fp32');
    return new DepthPredictor(file, session, config, stride, encoding, scheme, new OutputDecoder(config, encoding, file), trainingSizeOf(meta, file));
  }

  /** Why this model's output decodes on a slow path (OutputDecoder.slowDecode), or null. */
  get slowDecode(): string | null {
    return this.decoder.slowDecode;
  }

  /** One stereo pair of 8-bit RGB images of the same size (the same steps the web page runs). */
  async predict(left: RgbImage, right: RgbImage, options: PredictOptions = {}): Promise<DepthPrediction> {
    const { width, height, disparity } = await predictStereoPair(left, right, this.model(), options.resize);
    return { width, height, disparity };
  }

  /**
   * Disparity for a planar batch (evaluation); one image at a time keeps memory flat. `onRaw`
   * sees each image's head output (planar, at the image's size) before it is decoded.
   */
  async predictBatch(batch: StereoBatch, onRaw?: (raw: Float32Array | Uint8Array | Uint16Array) => void): Promise<Float32Array> {
    const { n, height, width } = batch;
    const hw = height * width;
    const out = new Float32Array(n * hw);
    for (let k = 0; k < n; k++) {
      const l = batch.left.subarray(k * 3 * hw, (k + 1) * 3 * hw);
      const r = batch.right.subarray(k * 3 * hw, (k + 1) * 3 * hw);
      out.set(await this.run(l, r, height, width, onRaw), k * hw);
    }
    return out;
  }

  /** The model's raw output for one planar pair at a size it accepts (codes or floats). */
  async rawOutput(left: Float32Array, right: Float32Array, height: number, width: number): Promise<Float32Array | Uint8Array | Uint16Array> {
    const feeds = {
      left: new ort.Tensor('float32', left, [1, 3, height, width]),
      right: new ort.Tensor('float32', right, [1, 3, height, width]),
    };
    let result: ort.InferenceSession.OnnxValueMapType;
    try {
      result = await this.session.run(feeds);
    } catch (err) {
      // Wrong input names, a shape the graph rejects, a kernel failure: ORT's text, one line, naming the file.
      throw new FileFormatError(this.file, `ONNX Runtime cannot run it (${firstLine(err)})`);
    }
    const output = result.output;
    if (!output) throw new FileFormatError(this.file, 'has no output named "output"');
    // The element type must be the one the metadata describes: uint8 codes read as uint16 ones
    // (or int64 read as either) would decode to garbage without a word.
    const expected = this.encoding.kind === 'float' ? 'float32' : this.encoding.dtype;
    if (output.type !== expected) throw new FileFormatError(this.file, `outputs ${output.type}, but its metadata describes ${expected}`);
    return output.data as Float32Array | Uint8Array | Uint16Array;
  }

  async release(): Promise<void> {
    await this.session.release();
  }

  private run(
    left: Float32Array,
    right: Float32Array,
    height: number,
    width: number,
    onRaw?: (raw: Float32Array | Uint8Array | Uint16Array) => void,
  ): Promise<Float32Array> {
    return runPlanarPair(left, right, height, width, this.model(), onRaw);
  }

  /** This predictor as the shared pair pipeline (src/infer/stereo-pair.ts) takes a model. */
  private model(): { stride: number; decoder: OutputDecoder; run: RawRunner } {
    return { stride: this.stride, decoder: this.decoder, run: (l, r, height, width) => this.rawOutput(l, r, height, width) };
  }
}

/** The largest stride a model's metadata may give (the zoo's models: 16). */
const MAX_STRIDE = 64;

/** A metadata value written as a plain decimal number (Number() would also take '', '0x10' or ' 7 '); NaN otherwise. */
function plainNumber(text: string | undefined): number {
  return text !== undefined && /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text) ? Number(text) : Number.NaN;
}

function parseMetadata(file: string, meta: Record<string, string>): { config: ModelConfig; stride: number; encoding: OutputEncoding } {
  checkFormatVersion(file, meta);
  const rawConfig = meta[METADATA_KEYS.config];
  if (rawConfig === undefined) {
    throw new FileFormatError(file, `has no hilbertq metadata (${METADATA_KEYS.config}): export it with 'hilbertq export'`);
  }
  let config: ModelConfig;
  try {
    config = JSON.parse(rawConfig) as ModelConfig;
    validateModelConfig(config);
    // The curve is built here, once, so that a config its codec refuses (an order of 30, a
    // margin that is a string) names the file, before any pair is run.
    if (config.head === 'hilbert') curveOf(config);
  } catch (err) {
    throw new FileFormatError(file, `has invalid ${METADATA_KEYS.config}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const stride = plainNumber(meta[METADATA_KEYS.stride]);
  // The input is padded to a multiple of the stride: an absurd one would pad a small pair to gigabytes.
  if (!Number.isInteger(stride) || stride < 1 || stride > MAX_STRIDE) {
    throw new FileFormatError(file, `has invalid ${METADATA_KEYS.stride} "${meta[METADATA_KEYS.stride]}" (an integer in 1..${MAX_STRIDE})`);
  }
  const tail = meta[HEAD_TAIL_KEY];
  if (tail !== undefined && tail !== HEAD_TAIL) throw new FileFormatError(file, `has an unknown ${HEAD_TAIL_KEY} "${tail}" (this hilbertq applies "${HEAD_TAIL}")`);
  if (tail !== undefined && stride % 2 !== 0) throw new FileFormatError(file, `leaves the head's x2 to the decoder but has an odd stride ${stride}`);
  const headTail = tail !== undefined ? { headTail: true } : {};
  const dtype = meta[QUANT_METADATA_KEYS.outputDtype];
  if (dtype === undefined) return { config, stride, encoding: { kind: 'float', ...headTail } };
  const scale = plainNumber(meta[QUANT_METADATA_KEYS.outputScale]);
  const zeroPoint = plainNumber(meta[QUANT_METADATA_KEYS.outputZeroPoint]);
  // A zero point outside the codes' range, or a scale that is not a finite positive number,
  // decodes every output to garbage (all zero, all one value, +Inf) without a word.
  const codeMax = dtype === 'uint8' ? 255 : 65535;
  if ((dtype !== 'uint8' && dtype !== 'uint16') || !(scale > 0 && Number.isFinite(scale)) || !Number.isInteger(zeroPoint) || zeroPoint < 0 || zeroPoint > codeMax) {
    throw new FileFormatError(
      file,
      `has inconsistent output quantization metadata (dtype ${dtype}, scale "${meta[QUANT_METADATA_KEYS.outputScale]}", zero point "${meta[QUANT_METADATA_KEYS.outputZeroPoint]}": ` +
        'expected uint8 or uint16, a finite scale > 0 and an integer zero point within the codes)',
    );
  }
  return { config, stride, encoding: { kind: 'quantized', dtype, scale, zeroPoint, ...headTail } };
}
