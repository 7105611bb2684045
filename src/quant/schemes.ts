import { DataType } from '../onnx/onnx-proto.js';

export type QuantScheme = 'w8a8' | 'w8a8-pt' | 'w8a16';
export const QUANT_SCHEMES: readonly QuantScheme[] = ['w8a8', 'w8a8-pt', 'w8a16'];

export type ActivationDtype = 'uint8' | 'uint16';

/** How one scheme stores weights and activations. Weights are always symmetric int8 (zero point 0). */
export interface SchemeSpec {
  name: QuantScheme;
  /** One weight scale per output channel (Conv axis 0, MatMul [in, out] axis 1) or one per tensor. */
  perChannelWeights: boolean;
  /** Weight codes span -weightQmax..weightQmax. */
  weightQmax: number;
  activation: { dtype: ActivationDtype; onnxType: number; qmin: number; qmax: number };
  /** Lowest default-domain opset whose QuantizeLinear/DequantizeLinear accept the activation dtype. */
  minOpset: number;
  /** Recorded in the model and printed, so nobody mistakes what the numbers were measured on. */
  description: string;
  /**
   * Op types the scheme leaves in float (between DequantizeLinear and QuantizeLinear), because
   * its target runs them faster that way. A rule, not a measurement at quantization time.
   */
  floatOpTypes: readonly string[];
  /**
   * Convs with at most this many input channels stay in float (0: none); in hilbertq's models
   * the image convs, whose 3-channel int8 GEMM (K = 27 for a 3x3 kernel) runs slower than ORT's
   * float NCHWc conv (and stem.score only for a range of 8 px or less).
   */
  floatConvMaxInputChannels: number;
  /**
   * How a hilbertq export's matching cost runs: 'float' lowers it as one batched MatMul over blocks of each row (the
   * band form) and leaves its nodes in float; 'integer' lowers it as shifted views and a grouped
   * conv, every op with an integer kernel. Graphs from elsewhere stay as given.
   */
  matchingCost: 'float' | 'integer';
}

/** -127..127 keeps zero exact and the range symmetric, as ORT's symmetric int8 weights. */
export const WEIGHT_QMAX = 127;

/**
 * ORT's reduce_range for int8 weights (-64..64). x86 CPUs without VNNI multiply uint8 x int8
 * with VPMADDUBSW, whose int16 pair sums saturate beyond 32767; 255 * 64 * 2 still fits.
 */
export const REDUCED_WEIGHT_QMAX = 64;

const UINT8 = { dtype: 'uint8', onnxType: DataType.UINT8, qmin: 0, qmax: 255 } as const;
const UINT16 = { dtype: 'uint16', onnxType: DataType.UINT16, qmin: 0, qmax: 65535 } as const;

export const SCHEMES: Readonly<Record<QuantScheme, SchemeSpec>> = {
  w8a8: {
    name: 'w8a8',
    perChannelWeights: true,
    weightQmax: WEIGHT_QMAX,
    activation: UINT8,
    minOpset: 13,
    description: 'per-channel int8 weights, per-tensor uint8 activations, int32 biases; Softmax and convs of at most 3 input channels in float (ONNX Runtime CPU recipe)',
    // ORT's CPU QLinearSoftmax is slower than float Softmax plus the Q/DQ around it. Measured on
    // the precision vit at 256x512, 1 thread: 43.8 ms with the 5 Softmax nodes in uint8, 35.3 ms
    // with them in float, against 53.3 ms fp32 (AMD EPYC with VNNI; docs/precision-regime.md).
    floatOpTypes: ['Softmax'],
    // left.enc1.conv: 0.32 ms as QLinearConv, 0.12 ms in float (precision unet at 128x256,
    // profiled). Both image convs in float: w8a8 6.32 -> 6.08 ms (unet), 7.26 -> 6.98 ms (vit),
    // q-err robust std 0.292 -> 0.290 px (unet), 0.064 -> 0.057 px (curve unet); 20 test pairs.
    floatConvMaxInputChannels: 3,
    // Faster and more precise than the integer form on the ORT CPU EP at the precision size.
    // Precision unet at 128x256, 1 thread, 20 test pairs (the band form of that time, its norms as
    // maps): 6.5 ms, q-err robust std 0.292 px, against 9.2 ms and 0.300 px (grouped conv in 8
    // bits) and 7.3 ms and 0.316 px (band MatMul in 8 bits); fp32 9.1 ms. In float the cost now
    // takes the folded band form (ExportOptions.matchingCost), whose operands must not be quantized.
    matchingCost: 'float',
  },
  'w8a8-pt': {
    name: 'w8a8-pt',
    perChannelWeights: false,
    weightQmax: WEIGHT_QMAX,
    activation: UINT8,
    minOpset: 13,
    description:
      'per-tensor int8 weights, per-tensor uint8 activations, int32 biases (the recipe NPUs/DSPs such as Qualcomm HTP accept; evaluated here on the ONNX Runtime CPU EP only)',
    // A DSP runs every op in integer: nothing is left in float.
    floatOpTypes: [],
    floatConvMaxInputChannels: 0,
    matchingCost: 'integer',
  },
  w8a16: {
    name: 'w8a16',
    perChannelWeights: true,
    weightQmax: WEIGHT_QMAX,
    activation: UINT16,
    // uint16 QuantizeLinear/DequantizeLinear entered the default domain with opset 21.
    minOpset: 21,
    description: 'per-channel int8 weights, per-tensor uint16 activations, int32 biases (ONNX Runtime CPU runs the 16-bit ops in float between Q/DQ)',
    floatOpTypes: [],
    floatConvMaxInputChannels: 0,
    // ORT's CPU EP runs 16-bit ops in float between Q/DQ anyway: the Q/DQ pairs would only add work.
    matchingCost: 'float',
  },
};

/** A scheme, with ORT's reduce_range applied to its weights when asked. */
export function resolveScheme(name: QuantScheme, opts: { reduceRange?: boolean } = {}): SchemeSpec {
  const spec = SCHEMES[name];
  if (!opts.reduceRange) return spec;
  return { ...spec, weightQmax: REDUCED_WEIGHT_QMAX, description: `${spec.description}; weights in -64..64 (reduce_range)` };
}
