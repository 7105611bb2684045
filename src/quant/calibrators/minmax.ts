import type { Range } from '../qparams.js';
import { MinMaxTracker, type RangeCollector } from './collector.js';

/** ORT MinMaxCalibrater (no moving average): the exact min and max over all pairs. */
export class MinMaxCollector implements RangeCollector {
  readonly passes = 1;
  private readonly tracker = new MinMaxTracker();

  observe(_pass: number, values: Float32Array): void {
    this.tracker.observe(values);
  }

  range(): Range {
    return this.tracker.range();
  }

  stateSize(): number {
    return 2;
  }
}
