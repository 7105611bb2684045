import { ConfigError } from '../util/errors.js';

/** commander argument parsers that fail with the option's name and the rejected text. */

// Decimal notation only: Number() also takes '' (as 0), '0x10' and '0b11', which a flag should
// refuse rather than read as 0, 16 or 3 ("--steps ''" said "invalid steps = 0"). An exponent
// stays: "--synthetic 1e9" is an integer, and its limit says it is too large.
const DECIMAL_NUMBER = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/;

export function parseIntOption(name: string): (text: string) => number {
  return (text) => {
    const v = Number(text);
    if (!DECIMAL_NUMBER.test(text) || !Number.isSafeInteger(v)) throw new ConfigError(name, text, 'must be an integer');
    return v;
  };
}

export function parseNumberOption(name: string): (text: string) => number {
  return (text) => {
    const v = Number(text);
    if (!DECIMAL_NUMBER.test(text) || !Number.isFinite(v)) throw new ConfigError(name, text, 'must be a number');
    return v;
  };
}

export function parseNumberList(name: string): (text: string) => number[] {
  return (text) => {
    const parts = text.split(',');
    const values = parts.map((s) => Number(s.trim()));
    // DECIMAL_NUMBER as for one number: "--noise 0x10" read as 16.
    if (values.length === 0 || values.some((v, i) => !Number.isFinite(v) || !DECIMAL_NUMBER.test(parts[i]))) {
      throw new ConfigError(name, text, 'must be a comma-separated list of numbers');
    }
    return values;
  };
}

/** `value` if it is one of `allowed`, else a ConfigError naming the flag and the choices. */
export function choice<T extends string>(flag: string, value: string | undefined, allowed: readonly T[]): T {
  if (value === undefined || !allowed.includes(value as T)) throw new ConfigError(flag, value ?? '(none)', `must be one of ${allowed.join(', ')}`);
  return value as T;
}
