import { ConfigError } from '../../util/errors.js';
import { loadSample, type SamplePaths } from '../sample-io.js';
import type { StereoDataset, StereoSample } from '../types.js';

/** A dataset that is a list of per-sample file paths, read on demand (nothing is cached). */
export class FileListDataset implements StereoDataset {
  constructor(
    readonly name: string,
    private readonly items: readonly SamplePaths[],
    private readonly middleburyScale?: number,
    readonly maxDisp?: number,
    /** Files that describe the dataset itself (a generated folder's manifest), read before any sample. */
    readonly indexFiles: readonly string[] = [],
  ) {}

  get length(): number {
    return this.items.length;
  }

  /** The files behind sample `index`, for messages and tools. */
  paths(index: number): SamplePaths {
    this.checkIndex(index);
    return this.items[index];
  }

  get(index: number): StereoSample {
    this.checkIndex(index);
    return loadSample(this.items[index], this.middleburyScale);
  }

  private checkIndex(index: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.items.length) {
      throw new ConfigError('index', index, `${this.name} has ${this.items.length} samples (0..${this.items.length - 1})`);
    }
  }
}
