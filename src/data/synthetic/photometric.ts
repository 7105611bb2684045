import { Rng } from '../../util/rng.js';

/** Per-view camera response: per-channel gain, a bias and additive Gaussian noise. */
export interface CameraResponse {
  gain: [number, number, number];
  bias: number;
  noiseSigma: number;
}

export const IDENTITY_RESPONSE: CameraResponse = { gain: [1, 1, 1], bias: 0, noiseSigma: 0 };

/** Bounds of the random response, exported so that tests can state what error they allow. */
export const RESPONSE_LIMITS = { gain: 0.08, channelGain: 0.03, bias: 8, noiseSigma: 2.5 } as const;

export function randomResponse(rng: Rng): CameraResponse {
  const g = 1 + rng.uniform(-RESPONSE_LIMITS.gain, RESPONSE_LIMITS.gain);
  const ch = RESPONSE_LIMITS.channelGain;
  return {
    gain: [g * (1 + rng.uniform(-ch, ch)), g * (1 + rng.uniform(-ch, ch)), g * (1 + rng.uniform(-ch, ch))],
    bias: rng.uniform(-RESPONSE_LIMITS.bias, RESPONSE_LIMITS.bias),
    noiseSigma: rng.uniform(0, RESPONSE_LIMITS.noiseSigma),
  };
}

const TABLE_BITS = 12;
const TABLE_MASK = (1 << TABLE_BITS) - 1;
let gaussianTable: Float32Array | null = null;

/**
 * Box-Muller per pixel costs more than the whole render, so noise comes from a fixed table of
 * standard normal draws indexed by cheap random bits. Fixed seed: the table is the same everywhere.
 */
function table(): Float32Array {
  if (!gaussianTable) {
    const rng = new Rng(0x5eed, 0x7ab1e);
    gaussianTable = new Float32Array(1 << TABLE_BITS);
    for (let i = 0; i < gaussianTable.length; i++) gaussianTable[i] = rng.gaussian();
  }
  return gaussianTable;
}

/** Apply the response to a float RGB image and quantize to 8 bits. */
export function expose(colour: Float32Array, response: CameraResponse, rng: Rng): Uint8Array {
  // A clamped array rounds and saturates on store, much faster than doing it by hand.
  const out = new Uint8ClampedArray(colour.length);
  const [gr, gg, gb] = response.gain;
  const { bias, noiseSigma } = response;
  const noise = table();
  // An inlined xorshift32, seeded from the sample's Rng, is plenty for sensor noise and 3x cheaper.
  let state = rng.nextUint32() | 1;
  for (let i = 0; i < colour.length; i += 3) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    const bits = state >>> 0;
    const n0 = noiseSigma * noise[bits & TABLE_MASK];
    const n1 = noiseSigma * noise[(bits >>> TABLE_BITS) & TABLE_MASK];
    const n2 = noiseSigma * noise[(bits >>> 20) & TABLE_MASK];
    out[i] = gr * colour[i] + bias + n0;
    out[i + 1] = gg * colour[i + 1] + bias + n1;
    out[i + 2] = gb * colour[i + 2] + bias + n2;
  }
  return new Uint8Array(out.buffer);
}
