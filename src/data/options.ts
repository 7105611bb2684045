import { ConfigError } from '../util/errors.js';
import { SCENE_STYLES, type SceneStyle, type SyntheticOptions } from './types.js';

export const MIN_SIDE = 16;
export const MAX_SIDE = 8192;

/**
 * Named data settings. `precision` is where INT8 error dominates (issue 13): clean, well-textured
 * room scenes at 128x256 with a 64 px range, so one INT8 output step is 0.25 px. Room scenes, not
 * the `precision` style of slanted planes: with fewer depth edges the direct head's error away
 * from them, where INT8 shows, is most of its error (docs/precision-regime.md, "Room scenes").
 */
export const DATA_PRESETS = {
  default: { size: '64x128', maxDisp: '24', scenes: 'mixed' },
  precision: { size: '128x256', maxDisp: '64', scenes: 'room' },
} as const satisfies Record<string, { size: string; maxDisp: string; scenes: SceneStyle }>;
export type DataPresetName = keyof typeof DATA_PRESETS;

export function dataPreset(name: string): (typeof DATA_PRESETS)[DataPresetName] {
  if (!Object.hasOwn(DATA_PRESETS, name)) throw new ConfigError('--preset', name, `expected one of ${Object.keys(DATA_PRESETS).join(', ')}`);
  return DATA_PRESETS[name as DataPresetName];
}

/** Parse "HxW" (e.g. "64x128") into a validated size. */
export function parseSize(text: string, field = '--size'): { height: number; width: number } {
  const match = /^\s*(\d+)\s*[xX]\s*(\d+)\s*$/.exec(text);
  if (!match) throw new ConfigError(field, text, 'expected HxW, e.g. 64x128');
  const height = Number(match[1]);
  const width = Number(match[2]);
  checkSide(field, text, height, 'height');
  checkSide(field, text, width, 'width');
  return { height, width };
}

function checkSide(field: string, text: string, side: number, what: string): void {
  if (side < MIN_SIDE || side > MAX_SIDE) {
    throw new ConfigError(field, text, `${what} must be between ${MIN_SIDE} and ${MAX_SIDE}`);
  }
}

/** Parse a number that must be an integer in [min, max]. */
export function parseIntegerOption(field: string, text: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const value = Number(text);
  // "1e9" is a number, just too large: say so rather than "expected an integer".
  if (text.trim() !== '' && value > max) throw new ConfigError(field, text, `is above the maximum of ${max}`);
  if (!/^\s*[+-]?\d+\s*$/.test(text) || !Number.isSafeInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `in [${min}, ${max}]`;
    throw new ConfigError(field, text, `expected an integer ${range}`);
  }
  return value;
}

/** Parse a finite number (the caller checks the range that makes sense for it). */
export function parseNumberOption(field: string, text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value)) throw new ConfigError(field, text, 'expected a number');
  return value;
}

export interface ResolvedSyntheticOptions {
  height: number;
  width: number;
  maxDisp: number;
  minObjects: number;
  maxObjects: number;
  seed: number;
  photometric: boolean;
  scenes: SceneStyle;
}

/** Objects per scene, [min, max], for each style. */
const DEFAULT_OBJECTS: Record<SceneStyle, readonly [number, number]> = { mixed: [4, 16], precision: [1, 6], room: [0, 2] };

/** Fill defaults and reject values that cannot produce a sensible scene. */
export function resolveSyntheticOptions(opts: SyntheticOptions): ResolvedSyntheticOptions {
  const { height, width, maxDisp, seed } = opts;
  for (const [field, side] of [['height', height], ['width', width]] as const) {
    if (!Number.isInteger(side) || side < MIN_SIDE || side > MAX_SIDE) {
      throw new ConfigError(field, side, `must be an integer between ${MIN_SIDE} and ${MAX_SIDE}`);
    }
  }
  if (!Number.isFinite(maxDisp) || maxDisp < 1 || maxDisp >= width) {
    throw new ConfigError('maxDisp', maxDisp, `must be >= 1 and smaller than the width (${width})`);
  }
  if (!Number.isInteger(seed)) throw new ConfigError('seed', seed, 'must be an integer');
  const scenes = opts.scenes ?? 'mixed';
  if (!SCENE_STYLES.includes(scenes)) throw new ConfigError('scenes', scenes, `expected one of ${SCENE_STYLES.join(', ')}`);
  const [defaultMin, defaultMax] = DEFAULT_OBJECTS[scenes];
  const minObjects = opts.minObjects ?? defaultMin;
  const maxObjects = opts.maxObjects ?? Math.max(minObjects, defaultMax);
  if (!Number.isInteger(minObjects) || minObjects < 0) {
    throw new ConfigError('minObjects', minObjects, 'must be an integer >= 0');
  }
  // Surface ids are stored in a byte (255 is reserved for "none"), the background takes one.
  if (!Number.isInteger(maxObjects) || maxObjects < minObjects || maxObjects > 200) {
    throw new ConfigError('maxObjects', maxObjects, `must be an integer in [minObjects=${minObjects}, 200]`);
  }
  const photometric = opts.photometric ?? scenes === 'mixed';
  return { height, width, maxDisp, minObjects, maxObjects, seed, photometric, scenes };
}
