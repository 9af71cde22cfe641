import { strict as assert } from 'node:assert';
import { MAX_LINE_BYTES, splitLines, splitLinesInHand, type LinePiece } from '../../src/text/lines';

async function pieces(data: Buffer, chunkSizes: number[]): Promise<LinePiece[]> {
  const chunks = async function* (): AsyncGenerator<Buffer> {
    for (let at = 0, k = 0; at < data.length; k++) {
      const n = chunkSizes[k % chunkSizes.length];
      yield data.subarray(at, at + n);
      at += n;
    }
  };
  const out: LinePiece[] = [];
  for await (const p of splitLines(chunks(), MAX_LINE_BYTES)) out.push(p.type === 'lines' ? { ...p, buf: Buffer.from(p.buf.subarray(0, p.end)) } : p);
  return out;
}

/** The text the pieces hold, a cut line as its head: what every reader walks. */
function text(ps: LinePiece[]): string {
  return ps.map((p) => (p.type === 'lines' ? p.buf.subarray(0, p.end).toString('latin1') : p.type === 'long-end' ? `<long ${p.length}>\n` : '')).join('');
}

describe('splitLines', () => {
  const line = (i: number): string => `2017-10-01 00:00:${String(i % 60).padStart(2, '0')},000 DEBUG [com.tippingpoint.sms.ha] Heartbeat reply from peer 10.0.0.1 in ${i % 97} ms\n`;
  const many = Buffer.from(Array.from({ length: 20_000 }, (_, i) => line(i)).join(''));

  it('hands a large read (gunzip gives 256 KiB, a plain read 1 MiB) on in pieces of at most 64 KiB of whole lines', async () => {
    for (const sizes of [[1 << 20], [256 << 10], [65536], [1000, 300_000, 7]]) {
      const ps = await pieces(many, sizes);
      const lines = ps.filter((p): p is Extract<LinePiece, { type: 'lines' }> => p.type === 'lines');
      assert.equal(text(ps), many.toString('latin1'), `chunks of ${sizes}`);
      assert.deepEqual(lines.filter((p) => p.end > 64 << 10).map((p) => p.end), [], `chunks of ${sizes}`);
      assert.ok(lines.every((p) => p.buf[p.end - 1] === 10));
    }
  });

  it('keeps a line longer than a piece (but within the cut) whole, in a piece of its own size', async () => {
    const long = `2017-10-01 00:00:00,000 INFO ${'x'.repeat(200_000)}\n`;
    const upTo = (n: number): Buffer => many.subarray(0, many.indexOf(10, n) + 1);
    const data = Buffer.concat([upTo(100_000), Buffer.from(long), upTo(50_000)]);
    const ps = await pieces(data, [1 << 20]);
    assert.equal(text(ps), data.toString('latin1'));
    const holding = ps.filter((p) => p.type === 'lines' && p.buf.subarray(0, p.end).includes(long));
    assert.equal(holding.length, 1);
  });

  it('splitLinesInHand cuts chunks in hand into the same pieces, long lines and an unfinished last line among them', async () => {
    const long = 'x'.repeat(3000);
    const data = Buffer.from(`${many.toString('latin1').slice(0, 300_000)}${long}\nshort\n${long}${long}\nend without newline`);
    let cut = false;
    for (const sizes of [[data.length], [65536], [7, 1000, 4096], [1]]) {
      const chunks: Buffer[] = [];
      for (let at = 0, k = 0; at < data.length; k++) {
        chunks.push(data.subarray(at, at + sizes[k % sizes.length]));
        at += sizes[k % sizes.length];
      }
      for (const maxLine of [MAX_LINE_BYTES, 2048]) {
        const streamed: LinePiece[] = [];
        for await (const p of splitLines((async function* () { yield* chunks; })(), maxLine)) streamed.push(p.type === 'lines' ? { ...p, buf: Buffer.from(p.buf.subarray(0, p.end)) } : p);
        const inHand: LinePiece[] = [];
        splitLinesInHand(chunks, maxLine, (p) => inHand.push(p.type === 'lines' ? { ...p, buf: Buffer.from(p.buf.subarray(0, p.end)) } : p));
        assert.deepEqual(inHand, streamed, `chunks ${sizes.join(',')}, cut at ${maxLine}`);
        if (streamed.some((p) => p.type === 'long-end')) cut = true;
      }
    }
    // Lines longer than the cut, arriving in chunks shorter than them, were among what was compared.
    assert.ok(cut);
  });

  /** Bytes Buffer.concat, Buffer.from of bytes and Buffer#copy copy while `run` runs. */
  function bytesCopied(run: () => void): number {
    const { concat, from } = Buffer;
    const { copy } = Buffer.prototype;
    let n = 0;
    Buffer.concat = ((list: readonly Uint8Array[], total?: number) => {
      const out = concat(list, total);
      n += out.length;
      return out;
    }) as typeof Buffer.concat;
    Buffer.from = ((...args: Parameters<typeof from>) => {
      const out = (from as (...a: unknown[]) => Buffer)(...args);
      if (args[0] instanceof Uint8Array) n += out.length;
      return out;
    }) as typeof Buffer.from;
    Buffer.prototype.copy = function (this: Buffer, ...args: Parameters<Buffer['copy']>): number {
      const k = copy.apply(this, args);
      n += k;
      return k;
    };
    try {
      run();
    } finally {
      Object.assign(Buffer, { concat, from });
      Buffer.prototype.copy = copy;
    }
    return n;
  }

  it('copies a line that comes a byte at a time a few times over, not once per byte', () => {
    const maxLine = 20_000;
    const first = `2017-10-01 00:00:00,000 INFO ${'x'.repeat(16_000)}`;
    const last = `last without newline ${'z'.repeat(5_000)}`;
    const data = Buffer.from(`${first}\nshort\n${'y'.repeat(40_000)}\n${last}`);
    const chunks = (n: number): Buffer[] => Array.from({ length: Math.ceil(data.length / n) }, (_, i) => data.subarray(i * n, (i + 1) * n));
    // In chunks of 1,000 bytes, the long line is cut and the others carried over boundaries as well.
    const reference: LinePiece[] = [];
    splitLinesInHand(chunks(1000), maxLine, (p) => reference.push(p));
    const bytewise: LinePiece[] = [];
    const copied = bytesCopied(() => splitLinesInHand(chunks(1), maxLine, (p) => bytewise.push(p)));
    assert.ok(text(bytewise) === `${first}\nshort\n<long 40000>\n${last}\n`, 'the text differs from the input');
    assert.ok(text(reference) === text(bytewise), 'the text differs from that of larger chunks');
    assert.deepEqual(bytewise.filter((p) => p.type === 'long-end'), [{ type: 'long-end', length: 40_000 }]);
    // Copied once per byte, the 16 KB line alone was 256 MB.
    assert.ok(copied <= 4 * data.length, `${copied} bytes copied for ${data.length}`);
  });
});
