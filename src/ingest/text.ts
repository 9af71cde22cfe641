// Control characters other than tab would let a log line drive the reader's terminal.
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f]/g;

/**
 * A line as people and JSON see it: UTF-8 decoded lossily, CR and control bytes neutralised,
 * a cut line marked with how much is missing.
 */
export function displayText(buf: Buffer, start: number, end: number, fullLength = end - start): string {
  let e = end;
  if (e > start && buf[e - 1] === 13) e--;
  let text = buf.toString('utf8', start, e).replace(CONTROL, '\uFFFD');
  if (fullLength > end - start) text += ` … [line cut: ${fullLength - (end - start)} more bytes]`;
  return text;
}
