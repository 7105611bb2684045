// Library API of hilbertq. Each module adds its public names here.
export { HilbertCurve } from './curve/hilbert-curve.js';
export type { HilbertCurveOptions, QuantizedDecoderOptions } from './curve/hilbert-curve.js';
export { Rng } from './util/rng.js';
export { HilbertqError, ConfigError, FileFormatError } from './util/errors.js';
