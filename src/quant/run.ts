import * as ort from 'onnxruntime-node';
import type { NchwTensor } from '../onnx/ort.js';

/** The raw output of a quantized model: integer codes, real = (code - zeroPoint) * scale. */
export interface QuantizedOutput {
  codes: Uint8Array | Uint16Array;
  dims: number[];
}

/** Runs a quantized hilbertq model (float `left`, `right` in, uint8/uint16 `output` codes out). */
export async function runQuantizedStereo(session: ort.InferenceSession, inputs: { left: NchwTensor; right: NchwTensor }): Promise<QuantizedOutput> {
  const feeds = {
    left: new ort.Tensor('float32', inputs.left.data, inputs.left.dims),
    right: new ort.Tensor('float32', inputs.right.data, inputs.right.dims),
  };
  const { output } = await session.run(feeds);
  if (!output || (output.type !== 'uint8' && output.type !== 'uint16')) {
    throw new Error(`the model's "output" is ${output?.type ?? 'missing'}, not uint8/uint16 codes`);
  }
  return { codes: output.data as Uint8Array | Uint16Array, dims: [...output.dims] };
}

export function dequantize(codes: ArrayLike<number>, scale: number, zeroPoint: number): Float32Array {
  const out = new Float32Array(codes.length);
  for (let i = 0; i < codes.length; i++) out[i] = (codes[i] - zeroPoint) * scale;
  return out;
}
