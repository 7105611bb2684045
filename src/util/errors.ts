/**
 * Errors a user can act on. The CLI prints `message` alone (no stack), so the message must name
 * the offending value or file and say what is wrong with it.
 */
export class HilbertqError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HilbertqError';
  }
}

/** A configuration value out of its valid range. */
export class ConfigError extends HilbertqError {
  constructor(
    readonly field: string,
    readonly value: unknown,
    reason: string,
  ) {
    super(`invalid ${field} = ${String(value)}: ${reason}`);
    this.name = 'ConfigError';
  }
}

/** A file that cannot be read or does not hold what it should. */
export class FileFormatError extends HilbertqError {
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(`${file}: ${reason}`);
    this.name = 'FileFormatError';
  }
}
