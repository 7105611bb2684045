/**
 * `text` as one printable line: control characters (C0, DEL, C1) become escapes (\n, \xNN), so a
 * NUL or an escape sequence in a file name read from a manifest, a newline in an echoed value or a
 * colour code in a model's metadata reaches the terminal as text, not as a command.
 */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => (c === '\n' ? '\\n' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`));
}
