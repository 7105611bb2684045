import type { Range } from '../qparams.js';

/**
 * Streaming range estimation for one tensor: values arrive pair by pair and are never kept.
 * Histogram methods need the min/max before they can bin, so they ask for two passes over
 * the calibration pairs.
 */
export interface RangeCollector {
  readonly passes: number;
  observe(pass: number, values: Float32Array): void;
  range(): Range;
  /** Numbers held, which must not depend on how many pairs were observed. */
  stateSize(): number;
}

/** Min and max of the finite values (a NaN or Inf would poison every scale). */
export class MinMaxTracker {
  min = Infinity;
  max = -Infinity;

  observe(values: Float32Array): void {
    let lo = this.min;
    let hi = this.max;
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (v < lo && v > -Infinity) lo = v;
      if (v > hi && v < Infinity) hi = v;
    }
    this.min = lo;
    this.max = hi;
  }

  range(): Range {
    return this.min <= this.max ? { min: this.min, max: this.max } : { min: 0, max: 0 };
  }
}
