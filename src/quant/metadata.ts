import { HEAD_TAIL_KEY, readOnnxMetadata } from '../onnx/metadata.js';
import type { ActivationDtype } from './schemes.js';

/** metadata_props the quantizer adds; the float model's hilbertq.* keys stay as they were. */
export const QUANT_METADATA_KEYS = {
  scheme: 'hilbertq.quant.scheme',
  method: 'hilbertq.quant.method',
  description: 'hilbertq.quant.description',
  /** Weight codes span -n..n: 127, or 64 under reduce_range. */
  weightRange: 'hilbertq.quant.weight_qmax',
  /** JSON: pairs, passes, source, percentile. */
  calibration: 'hilbertq.quant.calibration',
  /** JSON: op type -> node names left in float. */
  floatOps: 'hilbertq.quant.float_ops',
  /** 'nearest', or 'fitted:<node>': the output conv whose codes were fitted (output-rounding.ts). */
  outputRounding: 'hilbertq.quant.output_rounding',
  /** 'nearest', or 'fitted:<n>': how many other convs had their codes fitted (output-rounding.ts). */
  convRounding: 'hilbertq.quant.conv_rounding',
  /**
   * sha256 of the float ONNX bytes this model was quantized from; `eval --against F.onnx`
   * compares it with F's (a model folder is compared through hilbertq.weights_sha256 instead).
   */
  sourceSha256: 'hilbertq.quant.source_sha256',
  outputDtype: 'hilbertq.output_dtype',
  outputScale: 'hilbertq.output_scale',
  outputZeroPoint: 'hilbertq.output_zero_point',
} as const;

/** How to read a quantized model's output codes: real = (code - zeroPoint) * scale. */
export interface QuantizedOutputInfo {
  scheme: string;
  dtype: ActivationDtype;
  scale: number;
  zeroPoint: number;
  /** Code width, as HilbertCurve.quantizedDecoder wants it. */
  bits: 8 | 16;
  /**
   * The output is the head's logits at half resolution, its tail (bilinear x2, sigmoid) left to
   * the decoder (src/infer/output-decoder.ts expand): the codes are not curve points yet.
   */
  headTail: boolean;
}

/** The output quantization of a model written by quantizeModel, or null for a float model. */
export function readQuantizedOutputInfo(model: Uint8Array): QuantizedOutputInfo | null {
  const meta = readOnnxMetadata(model);
  const dtype = meta[QUANT_METADATA_KEYS.outputDtype];
  if (dtype !== 'uint8' && dtype !== 'uint16') return null;
  return {
    scheme: meta[QUANT_METADATA_KEYS.scheme] ?? '',
    dtype,
    scale: Number(meta[QUANT_METADATA_KEYS.outputScale]),
    zeroPoint: Number(meta[QUANT_METADATA_KEYS.outputZeroPoint]),
    bits: dtype === 'uint8' ? 8 : 16,
    headTail: meta[HEAD_TAIL_KEY] !== undefined,
  };
}
