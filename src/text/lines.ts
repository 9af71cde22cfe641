/** Longest line kept whole; longer lines are cut for display and counted. */
export const MAX_LINE_BYTES = 1024 * 1024;

/** Newlines in a buffer: the lines it ends. */
export function countNewlines(b: Buffer): number {
  let n = 0;
  for (let i = b.indexOf(0x0a); i >= 0; i = b.indexOf(0x0a, i + 1)) n++;
  return n;
}

/**
 * What a byte stream holds, line by line, without copying it line by line:
 * - `lines`: buf[0, end) is whole lines, each ending in "\n" (a last line without one gets it),
 *   PIECE_BYTES or fewer unless one line is longer;
 *   one of them may still be longer than `maxLine` when it was carried over from a chunk boundary,
 *   so readers cut lines themselves as well;
 * - a line longer than `maxLine` arrives as `long-start` (its first maxLine bytes), every piece
 *   of it from its first byte on (`long-piece`), and `long-end` with its full length; only the
 *   head is ever held, so a 50 MB line costs maxLine bytes.
 */
export type LinePiece =
  | { type: 'lines'; buf: Buffer; end: number }
  | { type: 'long-start'; head: Buffer }
  | { type: 'long-piece'; piece: Buffer }
  | { type: 'long-end'; length: number };

const NL = Buffer.from('\n');

/**
 * Most bytes of whole lines in one `lines` piece, where the lines allow. Readers search a piece as
 * one string, and V8 keeps a string over 128 KiB in its large-object space, each one fresh memory:
 * per byte, a 256 KiB string (gunzip's output) cost 10 times a 64 KiB one, a 1 MiB string 4 times.
 */
const PIECE_BYTES = 64 << 10;

/** The one line splitter: every reader of log text (scanning, records, syslog demultiplexing) walks these pieces. */
export async function* splitLines(chunks: AsyncIterable<Buffer>, maxLine: number): AsyncGenerator<LinePiece> {
  const pieces: LinePiece[] = [];
  const split = lineSplitter(maxLine, (p) => pieces.push(p));
  for await (const chunk of chunks) {
    split.feed(chunk);
    yield* pieces;
    pieces.length = 0;
  }
  split.end();
  yield* pieces;
}

/**
 * splitLines over chunks already in hand, each piece handed to `take` as it is cut: a bundle's
 * small members are read this way. Generators, async or not, left about 1 KB a file for the old
 * generation (90 MB for 100,000 one-line members through the async chain, 25 MB through a
 * generator), as objects that outlived two young-generation collections.
 */
export function splitLinesInHand(chunks: readonly Buffer[], maxLine: number, take: (p: LinePiece) => void): void {
  const split = lineSplitter(maxLine, take);
  for (const chunk of chunks) split.feed(chunk);
  split.end();
}

/** The splitting, chunk by chunk, each piece to `take`: what is carried from one chunk to the next lives here. */
function lineSplitter(maxLine: number, take: (p: LinePiece) => void): { feed(chunk: Buffer): void; end(): void } {
  // The unfinished line carried from chunk to chunk: carry[0, carried), in a buffer that doubles
  // as it fills, up to maxLine (what is kept never passes it: a longer line is cut). Joined to
  // each chunk anew, a line that came in small chunks was copied whole at every one of them: a
  // 1 MiB line a byte at a time took minutes.
  let carry: Buffer | null = null;
  let carried = 0;
  const keep = (b: Buffer): void => {
    if (!carry || carried + b.length > carry.length) {
      const grown = Buffer.allocUnsafe(Math.min(maxLine, Math.max(2 * (carry?.length ?? 0), carried + b.length)));
      carry?.copy(grown, 0, 0, carried);
      carry = grown;
    }
    b.copy(carry, carried);
    carried += b.length;
  };
  let longLength = -1;
  return {
    feed(chunk) {
      let data = chunk;
      if (longLength >= 0) {
        const nl = data.indexOf(10);
        if (nl < 0) {
          longLength += data.length;
          take({ type: 'long-piece', piece: data });
          return;
        }
        take({ type: 'long-piece', piece: data.subarray(0, nl) });
        take({ type: 'long-end', length: longLength + nl });
        longLength = -1;
        data = data.subarray(nl + 1);
      }
      let buf: Buffer = data;
      if (carry) {
        // Finish the carried partial line on its own rather than copying the whole chunk behind it.
        const nl = data.indexOf(10);
        if (nl < 0 && carried + data.length <= maxLine) return keep(data);
        if (nl < 0) buf = Buffer.concat([carry.subarray(0, carried), data]);
        else {
          const joined = Buffer.concat([carry.subarray(0, carried), data.subarray(0, nl + 1)]);
          buf = data.subarray(nl + 1);
          take({ type: 'lines', buf: joined, end: joined.length });
        }
        carry = null;
        carried = 0;
      }
      const lastNl = buf.lastIndexOf(10);
      for (let from = 0; from <= lastNl; ) {
        let end = lastNl + 1;
        if (end - from > PIECE_BYTES) {
          const nl = buf.lastIndexOf(10, from + PIECE_BYTES - 1);
          // A line longer than the piece goes whole, to its newline.
          end = nl >= from ? nl + 1 : buf.indexOf(10, from + PIECE_BYTES) + 1;
        }
        take({ type: 'lines', buf: from === 0 ? buf : buf.subarray(from), end: end - from });
        from = end;
      }
      const tail = buf.subarray(lastNl + 1);
      if (tail.length > maxLine) {
        take({ type: 'long-start', head: Buffer.from(tail.subarray(0, maxLine)) });
        take({ type: 'long-piece', piece: tail });
        longLength = tail.length;
      } else if (tail.length) keep(tail);
    },
    end() {
      if (longLength >= 0) take({ type: 'long-end', length: longLength });
      if (carry) take({ type: 'lines', buf: Buffer.concat([carry.subarray(0, carried), NL]), end: carried + 1 });
    },
  };
}

/** Calls `line(start, end)` for each line of a `lines` piece (end excludes the "\n"). */
export function eachLine(buf: Buffer, end: number, line: (start: number, end: number) => void): void {
  let pos = 0;
  while (pos < end) {
    const nl = buf.indexOf(10, pos);
    const lineEnd = nl < 0 || nl >= end ? end : nl;
    line(pos, lineEnd);
    pos = lineEnd + 1;
  }
}
