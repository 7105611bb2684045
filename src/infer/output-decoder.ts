import { curveOf, decodeHeadOutput, headDecodeOptions } from '../models/head-decode.js';
import type { ModelConfig } from '../models/model.js';
import { ConfigError } from '../util/errors.js';
import type { QuantizedDecoder } from '../curve/quantized-decoder.js';

/** How the model's `output` tensor is encoded, from the ONNX metadata. */
export type OutputEncoding =
  | { kind: 'float' }
  | { kind: 'quantized'; dtype: 'uint8' | 'uint16'; scale: number; zeroPoint: number };

/**
 * Turns one image's head output (planar [channels, h, w]) into disparity in model pixels. A
 * quantized hilbert head's codes go to HilbertCurve.quantizedDecoder: one joint-table look-up
 * per pixel where the table fits (two channels of up to 10 bits, e.g. w8a8), else a per-pixel
 * decode of the dequantized codes (uint16 outputs of w8a16, or dims >= 3 at 8 bits). Either way
 * with the head's decode options (headDecodeOptions: the corner blend of cube-walk heads), as
 * its float output is decoded, so that quantized minus float is the quantization's doing alone.
 */
export class OutputDecoder {
  private readonly table: QuantizedDecoder | null = null;

  constructor(
    readonly config: ModelConfig,
    readonly encoding: OutputEncoding,
  ) {
    if (encoding.kind === 'quantized' && config.head === 'hilbert') {
      const curve = curveOf(config);
      this.table = curve.quantizedDecoder({
        bits: encoding.dtype === 'uint8' ? 8 : 16,
        scales: new Array<number>(curve.dims).fill(encoding.scale),
        zeroPoints: new Array<number>(curve.dims).fill(encoding.zeroPoint),
        outputScale: config.maxDisp,
        ...headDecodeOptions(config),
      });
    }
  }

  get channels(): number {
    return this.config.head === 'hilbert' ? this.config.dims : 1;
  }

  decode(output: Float32Array | Uint8Array | Uint16Array, h: number, w: number): Float32Array {
    const { config, encoding } = this;
    if (output.length !== this.channels * h * w) {
      throw new ConfigError('output', output.length, `expected ${this.channels} x ${h} x ${w} values`);
    }
    if (encoding.kind === 'float') {
      if (!(output instanceof Float32Array)) throw new ConfigError('output', output.constructor.name, 'a float model must output float32');
      return decodeHeadOutput(output, 1, h, w, config);
    }
    if (output instanceof Float32Array) throw new ConfigError('output', 'float32', `the model metadata says ${encoding.dtype} codes`);
    // The curve's table already holds disparities (outputScale = maxDisp): one look-up per pixel.
    if (this.table) return this.table(output);
    const disp = new Float32Array(h * w);
    const scale = encoding.scale * config.maxDisp;
    for (let i = 0; i < disp.length; i++) disp[i] = (output[i] - encoding.zeroPoint) * scale;
    return disp;
  }
}
