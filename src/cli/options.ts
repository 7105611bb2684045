import { ConfigError } from '../util/errors.js';

/** commander argument parsers that fail with the option's name and the rejected text. */

export function parseIntOption(name: string): (text: string) => number {
  return (text) => {
    const v = Number(text);
    if (!Number.isInteger(v)) throw new ConfigError(name, text, 'must be an integer');
    return v;
  };
}

export function parseNumberOption(name: string): (text: string) => number {
  return (text) => {
    const v = Number(text);
    if (text.trim() === '' || !Number.isFinite(v)) throw new ConfigError(name, text, 'must be a number');
    return v;
  };
}

export function parseNumberList(name: string): (text: string) => number[] {
  return (text) => {
    const values = text.split(',').map((s) => Number(s.trim()));
    if (values.length === 0 || values.some((v, i) => !Number.isFinite(v) || text.split(',')[i].trim() === '')) {
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
