import { ConfigError } from '../../util/errors.js';
import type { RangeCollector } from './collector.js';
import { EntropyCollector } from './entropy.js';
import { MinMaxCollector } from './minmax.js';
import { MseCollector } from './mse.js';
import { PercentileCollector } from './percentile.js';

export type CalibrationMethod = 'minmax' | 'percentile' | 'entropy' | 'mse';
export const CALIBRATION_METHODS: readonly CalibrationMethod[] = ['minmax', 'percentile', 'entropy', 'mse'];

export interface CalibratorOptions {
  /** percentile: share of values kept inside the range, in %. Default 99.99. */
  percentile?: number;
  /** Histogram bins: default 2048 for percentile and mse, 1024 for entropy (whose search is quadratic in bins). */
  bins?: number;
  /** entropy: levels a candidate range is merged into. Default 128, as ORT. */
  quantizedBins?: number;
  /** mse: codes of the quantized tensor (256 for uint8, the default; 65536 for uint16). quantizeModel sets it from the scheme. */
  levels?: number;
}

export const DEFAULT_PERCENTILE = 99.99;
const DEFAULT_BINS = { percentile: 2048, entropy: 1024 } as const;
const DEFAULT_QUANTIZED_BINS = 128;

export type { RangeCollector } from './collector.js';

/** A fresh collector per tensor for `method`. */
export function collectorFactory(method: CalibrationMethod, opts: CalibratorOptions = {}): () => RangeCollector {
  const bins = opts.bins ?? (method === 'entropy' ? DEFAULT_BINS.entropy : DEFAULT_BINS.percentile);
  if (!Number.isInteger(bins) || bins < 16) throw new ConfigError('bins', bins, 'must be an integer >= 16');
  switch (method) {
    case 'minmax':
      return () => new MinMaxCollector();
    case 'percentile': {
      const percentile = opts.percentile ?? DEFAULT_PERCENTILE;
      if (!(percentile > 50 && percentile <= 100)) throw new ConfigError('percentile', percentile, 'must be in (50, 100]');
      return () => new PercentileCollector(percentile, bins);
    }
    case 'mse': {
      const levels = opts.levels ?? 256;
      if (!Number.isInteger(levels) || levels < 2) throw new ConfigError('levels', levels, 'must be an integer >= 2');
      return () => new MseCollector(bins, levels);
    }
    case 'entropy': {
      const quantizedBins = opts.quantizedBins ?? DEFAULT_QUANTIZED_BINS;
      if (!Number.isInteger(quantizedBins) || quantizedBins < 2 || quantizedBins > bins) {
        throw new ConfigError('quantizedBins', quantizedBins, `must be an integer in 2..${bins}`);
      }
      return () => new EntropyCollector(bins, quantizedBins);
    }
    default:
      throw new ConfigError('method', method, `must be one of ${CALIBRATION_METHODS.join(', ')}`);
  }
}
