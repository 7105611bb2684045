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

/** What a file-system error code means, in words. */
const FS_PROBLEMS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'is a folder, not a file',
  // What ENOENT means for a write or mkdir: the file itself is about to be created.
  ENOENT: 'a folder on its path does not exist',
  ENOTDIR: 'a part of its path is a file, not a folder',
  ENOSPC: 'no space left on the device (disk full)',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'read-only file system',
  EEXIST: 'already exists',
  ENAMETOOLONG: 'the name is too long',
  EMFILE: 'too many open files',
};

/**
 * A write or mkdir that the file system refused, in one line naming the path and the problem
 * (before, every command printed Node's stack for EACCES, EISDIR, ENOTDIR or ENOSPC).
 */
export class FileSystemError extends HilbertqError {
  constructor(
    readonly path: string,
    readonly action: string,
    cause: unknown,
  ) {
    // A structural type, not NodeJS.ErrnoException: this module is bundled into the web page too.
    const code = (cause as { code?: unknown } | undefined)?.code;
    const problem = (typeof code === 'string' ? FS_PROBLEMS[code] : undefined) ?? (cause instanceof Error ? cause.message : String(cause));
    super(`cannot ${action} ${path}: ${problem}`);
    this.name = 'FileSystemError';
  }
}

/** Runs a file-system operation on `path`, turning its errors into a FileSystemError. */
export function onFileSystem<T>(path: string, action: string, run: () => T): T {
  try {
    return run();
  } catch (err) {
    if (err instanceof HilbertqError) throw err;
    throw new FileSystemError(path, action, err);
  }
}
