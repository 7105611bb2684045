import type { QuantScheme } from '../quant/schemes.js';
import { ConfigError } from '../util/errors.js';

/**
 * What one run of the experiment measures. The demo is the default preset cut to fit in three
 * minutes; `paper` retrains the zoo at the paper's output resolution (192x256, 48 px).
 */
export interface ExperimentPreset {
  name: string;
  summary: string;
  /** Schemes every headline model is quantized in. */
  schemes: QuantScheme[];
  /** Schemes for the curve-ablation models (the ablation compares w8a8 only). */
  ablationSchemes: QuantScheme[];
  testPairs: number;
  calibrationPairs: number;
  latencyRuns: number;
  pictures: number;
  /** With --train: flags replaced in the zoo's recorded `hilbertq train` commands. */
  trainOverrides: Record<string, string>;
  /** Whether the shipped zoo (models/) was trained this way, so it can be evaluated without --train. */
  matchesShippedZoo: boolean;
}

const ALL_SCHEMES: QuantScheme[] = ['w8a8', 'w8a8-pt', 'w8a16'];

const DEFAULT: ExperimentPreset = {
  name: 'default',
  summary: 'the zoo as shipped (64x128, 24 px, the recorded commands), 200 test pairs, 64 calibration pairs, 100 latency runs',
  schemes: ALL_SCHEMES,
  ablationSchemes: ['w8a8'],
  testPairs: 200,
  calibrationPairs: 64,
  latencyRuns: 100,
  pictures: 4,
  trainOverrides: {},
  matchesShippedZoo: true,
};

export const PRESETS: Record<string, ExperimentPreset> = {
  demo: {
    ...DEFAULT,
    name: 'demo',
    summary: 'the shipped zoo, 200 test pairs, 64 calibration pairs, 50 latency runs',
    latencyRuns: 50,
    pictures: 3,
  },
  default: DEFAULT,
  paper: {
    ...DEFAULT,
    name: 'paper',
    summary: "the recorded commands at the paper's output resolution 192x256, 48 px (needs --train: several hours per model on one core)",
    trainOverrides: { '--size': '192x256', '--max-disp': '48', '--batch': '4', '--steps': '10000' },
    matchesShippedZoo: false,
  },
};

export function presetByName(name: string): ExperimentPreset {
  // Own keys only: 'toString' and friends are not presets.
  const preset = Object.hasOwn(PRESETS, name) ? PRESETS[name] : undefined;
  if (!preset) throw new ConfigError('--preset', name, `expected one of ${Object.keys(PRESETS).join(', ')}`);
  return preset;
}
