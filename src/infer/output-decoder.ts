import { curveOf, decodeHeadOutput, headDecodeOptions } from '../models/head-decode.js';
import type { ModelConfig } from '../models/model.js';
import { isLinearOutput, outputToDisparity } from '../models/output-map.js';
import { ConfigError, FileFormatError } from '../util/errors.js';
import type { QuantizedDecoder } from '../curve/quantized-decoder.js';
import { CodeTail, dequantizeCodes, floatTail, SIGMOID_CODES } from './head-tail.js';

/**
 * How the model's `output` tensor is encoded, from the ONNX metadata. `headTail`: the graph ends
 * at the head's logits at half resolution and the decoder applies the head's tail (head-tail.ts).
 */
export type OutputEncoding =
  | { kind: 'float'; headTail?: boolean }
  | { kind: 'quantized'; dtype: 'uint8' | 'uint16'; scale: number; zeroPoint: number; headTail?: boolean };

/** One image's head output, planar [channels, h, w]: floats, or 8- or 16-bit codes. */
export type HeadOutput = Float32Array | Uint8Array | Uint16Array;

/** 8- or 16-bit codes and how to dequantize them. */
interface Codes {
  bits: 8 | 16;
  scale: number;
  zeroPoint: number;
}

/**
 * Turns one image's head output (planar [channels, h, w]) into disparity in model pixels. A
 * quantized hilbert head's codes go to HilbertCurve.quantizedDecoder: one joint-table look-up
 * per pixel where the table fits (two channels of up to 10 bits, e.g. w8a8), the cube walk for
 * order-1 curves, else a per-pixel decode of the dequantized codes. Either way with the head's
 * decode options (headDecodeOptions: the corner blend of cube-walk heads), as its float output is
 * decoded, so that quantized minus float is the quantization's doing alone.
 *
 * A graph that leaves the head's tail to the decoder (encoding.headTail) gives logits at half
 * resolution: expand() applies the tail first, to 8-bit sigmoid codes for 8-bit logits, to floats
 * otherwise, and decode() reads what expand() gives.
 */
export class OutputDecoder {
  private readonly table: QuantizedDecoder | null = null;
  /** The codes decode() reads, or null for floats. */
  private readonly codes: Codes | null;
  private readonly codeTail: CodeTail | null = null;
  /** A direct head with a non-linear output map: the disparity of every code, one look-up each. */
  private readonly codeDisparity: Float32Array | null = null;

  constructor(
    readonly config: ModelConfig,
    readonly encoding: OutputEncoding,
    /** The model file whose outputs these are: errors about an output that does not fit name it. */
    private readonly source?: string,
  ) {
    this.codes = decodedCodes(encoding);
    if (encoding.headTail && encoding.kind === 'quantized' && encoding.dtype === 'uint8') this.codeTail = new CodeTail(encoding.scale, encoding.zeroPoint);
    if (this.codes && config.head === 'hilbert') {
      const curve = curveOf(config);
      this.table = curve.quantizedDecoder({
        bits: this.codes.bits,
        scales: new Array<number>(curve.dims).fill(this.codes.scale),
        zeroPoints: new Array<number>(curve.dims).fill(this.codes.zeroPoint),
        outputScale: config.maxDisp,
        ...headDecodeOptions(config),
      });
    }
    if (this.codes && config.head === 'direct' && !isLinearOutput(config)) {
      const { bits, scale, zeroPoint } = this.codes;
      const toDisparity = outputToDisparity(config);
      this.codeDisparity = new Float32Array(2 ** bits);
      for (let c = 0; c < this.codeDisparity.length; c++) this.codeDisparity[c] = toDisparity((c - zeroPoint) * scale);
    }
  }

  /** Why decoding this model's codes takes a slow path (QuantizedDecoder.slowPath), or null. */
  get slowDecode(): string | null {
    return this.table?.slowPath ?? null;
  }

  get channels(): number {
    return this.config.head === 'hilbert' ? this.config.dims : 1;
  }

  /** Whether the graph leaves the head's tail to expand(). */
  get headTail(): boolean {
    return this.encoding.headTail === true;
  }

  /**
   * The graph's output for a run at h x w (h and w multiples of the model's stride) as the head's
   * output at h x w: the tail applied when the graph leaves it to the decoder, else as it is.
   */
  expand(output: HeadOutput, h: number, w: number): HeadOutput {
    if (!this.headTail) return output;
    const [lh, lw] = [h / 2, w / 2];
    if (output.length !== this.channels * lh * lw) {
      throw this.mismatch(`${output.length} logits`, `expected ${this.channels} x ${lh} x ${lw}`);
    }
    const { encoding } = this;
    if (encoding.kind === 'float') {
      if (!(output instanceof Float32Array)) throw this.mismatch(output.constructor.name, 'a float model must output float32');
      return floatTail(output, this.channels, lh, lw);
    }
    if (output instanceof Float32Array) throw this.mismatch('float32', `the model metadata says ${encoding.dtype} codes`);
    if (this.codeTail && output instanceof Uint8Array) return this.codeTail.expand(output, this.channels, lh, lw);
    return floatTail(dequantizeCodes(output, encoding.scale, encoding.zeroPoint), this.channels, lh, lw);
  }

  /** The head's output (after expand) as curve-space values (or q): codes dequantized, floats as they are. */
  points(output: HeadOutput): Float32Array {
    if (output instanceof Float32Array) return output;
    const { scale, zeroPoint } = this.codesOf(output);
    return dequantizeCodes(output, scale, zeroPoint);
  }

  /** The head's output at h x w (after expand) to disparity in model pixels. */
  decode(output: HeadOutput, h: number, w: number): Float32Array {
    const { config } = this;
    if (output.length !== this.channels * h * w) {
      throw this.mismatch(`${output.length} values`, `expected ${this.channels} x ${h} x ${w}`);
    }
    if (output instanceof Float32Array) {
      if (this.codes) throw this.mismatch('float32', `the model metadata says uint${this.codes.bits} codes`);
      return decodeHeadOutput(output, 1, h, w, config);
    }
    const codes = this.codesOf(output);
    // The curve's table already holds disparities (outputScale = maxDisp): one look-up per pixel.
    if (this.table) return this.table(output);
    const disp = new Float32Array(h * w);
    if (this.codeDisparity) {
      for (let i = 0; i < disp.length; i++) disp[i] = this.codeDisparity[output[i]];
      return disp;
    }
    const scale = codes.scale * config.maxDisp;
    for (let i = 0; i < disp.length; i++) disp[i] = (output[i] - codes.zeroPoint) * scale;
    return disp;
  }

  /** An output that does not fit the model's metadata: the model file's fault when there is one. */
  private mismatch(value: unknown, reason: string): Error {
    if (this.source) return new FileFormatError(this.source, `gives an output its metadata does not describe: ${String(value)}, ${reason}`);
    return new ConfigError('output', value, reason);
  }

  private codesOf(output: Uint8Array | Uint16Array): Codes {
    const bits = output instanceof Uint8Array ? 8 : 16;
    if (!this.codes || this.codes.bits !== bits) {
      throw this.mismatch(`${bits}-bit codes`, this.codes ? `the model's decoder reads ${this.codes.bits}-bit codes` : 'a float model must output float32');
    }
    return this.codes;
  }
}

/**
 * What decode() reads for an encoding: the graph's codes; with the tail in the decoder, the
 * tail's 8-bit sigmoid codes for 8-bit logits, floats for 16-bit ones; floats for float models.
 */
function decodedCodes(encoding: OutputEncoding): Codes | null {
  if (encoding.kind === 'float') return null;
  const bits = encoding.dtype === 'uint8' ? 8 : 16;
  if (!encoding.headTail) return { bits, scale: encoding.scale, zeroPoint: encoding.zeroPoint };
  return bits === 8 ? { bits, ...SIGMOID_CODES } : null;
}
