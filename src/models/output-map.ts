import { ConfigError } from '../util/errors.js';
import type { ModelConfig } from './model.js';

/**
 * How the head's normalised output q in [0, 1] maps to disparity in pixels.
 *
 * - 'linear' (the default): q * maxDisp. One 8-bit output step is maxDisp / 255 everywhere.
 * - 'log': minDisp * (maxDisp / minDisp)^q, uniform in log depth. One step is a constant share
 *   of the disparity (1.6 % over [1, 64]), so it is worth most at near surfaces.
 * - 'inverse': 1 / (1/minDisp + q (1/maxDisp - 1/minDisp)), uniform in depth. One step at the
 *   nearest surfaces is several pixels of disparity.
 *
 * The graph's output stays q, so a quantized model's codes are steps of q and the map runs after
 * the dequantization: quantization then costs what it would cost a network that predicts depth.
 * This is issue 13's question "predict depth instead of disparity?"; docs/precision-regime.md
 * has what a simulation and the experiment measured. Only the direct head takes a non-linear
 * map for now: the curve head's loss and decode tables assume the linear one.
 */
export type OutputMap = 'linear' | 'log' | 'inverse';

export const OUTPUT_MAPS: readonly OutputMap[] = ['linear', 'log', 'inverse'];

export type OutputMapConfig = Pick<ModelConfig, 'head' | 'maxDisp' | 'outputMap' | 'minDisp'>;

/** Whether q maps to disparity by anything but q * maxDisp. */
export function isLinearOutput(config: Pick<ModelConfig, 'outputMap'>): boolean {
  return (config.outputMap ?? 'linear') === 'linear';
}

export function validateOutputMap(config: OutputMapConfig): void {
  const map = config.outputMap ?? 'linear';
  if (!OUTPUT_MAPS.includes(map)) throw new ConfigError('outputMap', map, `expected one of ${OUTPUT_MAPS.join(', ')}`);
  if (map === 'linear') {
    if (config.minDisp !== undefined) throw new ConfigError('minDisp', config.minDisp, "only a 'log' or 'inverse' output map has a smallest disparity");
    return;
  }
  if (config.head !== 'direct') throw new ConfigError('outputMap', map, 'only the direct head takes a non-linear output map');
  const lo = config.minDisp;
  if (lo === undefined || !(lo > 0 && lo < config.maxDisp)) {
    throw new ConfigError('minDisp', lo ?? 'missing', `expected a disparity in (0, ${config.maxDisp}) px for the '${map}' output map`);
  }
}

/** q -> disparity in pixels, for one value. */
export function outputToDisparity(config: OutputMapConfig): (q: number) => number {
  const hi = config.maxDisp;
  const map = config.outputMap ?? 'linear';
  if (map === 'linear') return (q) => q * hi;
  const lo = config.minDisp as number;
  // Codes may dequantize a little outside [0, 1]; the maps are only defined inside it.
  const clamp = (q: number): number => Math.min(1, Math.max(0, q));
  if (map === 'log') {
    const span = Math.log(hi / lo);
    return (q) => lo * Math.exp(clamp(q) * span);
  }
  const [zNear, zFar] = [1 / hi, 1 / lo];
  return (q) => 1 / (zFar + clamp(q) * (zNear - zFar));
}
