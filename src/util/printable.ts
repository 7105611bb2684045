/**
 * `text` as one printable line: control characters (C0, DEL, C1), Unicode line separators and
 * bidirectional controls become escapes (\n, \xNN, \uNNNN), so a NUL or an escape sequence in a
 * file name read from a manifest, a newline in an echoed value or a colour code in a model's
 * metadata reaches the terminal as text, not as a command.
 */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => {
    const code = c.charCodeAt(0);
    if (c === '\n') return '\\n';
    return code > 0xff ? `\\u${code.toString(16).padStart(4, '0')}` : `\\x${code.toString(16).padStart(2, '0')}`;
  });
}
