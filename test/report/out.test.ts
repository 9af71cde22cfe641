import { strict as assert } from 'node:assert';
import { Writable } from 'node:stream';
import { OutputClosed, outputWriter, writeTo } from '../../src/report/out';

/** A reader that takes one chunk per turn of the event loop, keeping at most `room` bytes queued. */
function slowReader(room: number): { out: Writable; got: Buffer[]; maxQueued: () => number } {
  const got: Buffer[] = [];
  let max = 0;
  const out = new Writable({
    highWaterMark: room,
    write(chunk: Buffer, _enc, cb) {
      max = Math.max(max, out.writableLength);
      got.push(chunk);
      setImmediate(cb);
    },
  });
  return { out, got, maxQueued: () => max };
}

describe('outputWriter: writes that wait for the reader', () => {
  it('never queues more than the reader has room for plus one chunk, and loses nothing', async () => {
    const { out, got, maxQueued } = slowReader(64);
    const w = outputWriter(out);
    const sent: string[] = [];
    for (let i = 0; i < 500; i++) {
      const piece = `piece ${i};`;
      sent.push(piece);
      await w.write(piece);
    }
    w.release();
    await new Promise<void>((r) => out.end(r));
    assert.equal(Buffer.concat(got).toString(), sent.join(''));
    assert.ok(maxQueued() <= 64 + 12, `queued ${maxQueued()} bytes`);
  });

  it('a reader that goes away: the next write rejects with OutputClosed, and nothing is thrown at the process', async () => {
    const { out } = slowReader(16);
    const w = outputWriter(out);
    await w.write('first chunk, longer than the room\n');
    out.destroy(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    await assert.rejects(async () => {
      for (let i = 0; i < 100; i++) await w.write('more\n');
    }, OutputClosed);
    w.release();
    // The error reached a listener left in place (an unheard 'error' would end the test run).
    await new Promise((r) => setImmediate(r));
    assert.ok(out.listenerCount('error') >= 1);
  });

  it('a writer waiting for room is woken when the reader closes, instead of waiting for ever', async () => {
    const out = new Writable({ highWaterMark: 4, write: () => undefined }); // takes one chunk, never finishes it
    const w = outputWriter(out);
    const waiting = w.write('a chunk larger than four bytes');
    setImmediate(() => out.destroy());
    await assert.rejects(waiting, OutputClosed);
    w.release();
  });

  it('release lets go of the stream\'s events but the one that keeps a late error quiet', () => {
    const { out } = slowReader(16);
    const before = { error: out.listenerCount('error'), close: out.listenerCount('close'), drain: out.listenerCount('drain') };
    outputWriter(out).release();
    outputWriter(out).release();
    assert.deepEqual(
      { error: out.listenerCount('error'), close: out.listenerCount('close'), drain: out.listenerCount('drain') },
      { error: before.error + 1, close: before.close, drain: before.drain },
    );
  });
});

describe('writeTo', () => {
  it('ends the writing quietly when the reader goes away, and lets go of the stream', async () => {
    const { out, got } = slowReader(16);
    const before = out.listenerCount('drain');
    let written = 0;
    await writeTo(out, async (write) => {
      for (let i = 0; i < 100; i++) {
        await write('a line of output\n');
        written++;
        if (i === 3) out.destroy();
      }
    });
    assert.equal(written, 4, 'nothing written after the reader went away');
    assert.ok(got.length >= 1);
    assert.equal(out.listenerCount('drain'), before);
  });

  it('passes on any other failure of the body', async () => {
    const { out } = slowReader(16);
    await assert.rejects(writeTo(out, async () => Promise.reject(new Error('boom'))), /boom/);
  });
});
