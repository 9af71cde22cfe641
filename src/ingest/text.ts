// Control characters other than tab would let a log line drive the reader's terminal.
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f]/g;

function hasControl(buf: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = buf[i];
    if ((c < 32 && c !== 9) || c === 127) return true;
  }
  return false;
}

/**
 * A line as people and JSON see it: UTF-8 decoded lossily, CR and control bytes neutralised,
 * a cut line marked with how much is missing.
 */
export function displayText(buf: Buffer, start: number, end: number, fullLength = end - start): string {
  let e = end;
  if (e > start && buf[e - 1] === 13) e--;
  let text = buf.toString('utf8', start, e);
  // Decoding makes no control character of other bytes: looking at the bytes first spares the
  // replace on almost every line (every line of a timeline, every hit of an analysis).
  if (hasControl(buf, start, e)) text = text.replace(CONTROL, '\uFFFD');
  if (fullLength > end - start) text += ` … [line cut: ${fullLength - (end - start)} more bytes]`;
  return text;
}
