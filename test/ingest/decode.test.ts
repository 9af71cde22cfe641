import { strict as assert } from 'node:assert';
import { Readable } from 'node:stream';
import * as zlib from 'node:zlib';
import { decodedChunks, decodedInHand } from '../../src/ingest/decode';
import type { LogFile } from '../../src/types';

const TEXT = Buffer.from('2017-10-12 13:45:01,123 INFO [HA] Local state: Active\n2017-10-12 13:45:02,123 INFO [HA] heartbeat\n');

function file(over: Partial<LogFile>): LogFile {
  return { node: 'primary', kind: 'ha', path: 'logs/ha.log', order: 0, size: 0, mtime: new Date(0), open: () => assert.fail('opened'), ...over };
}

async function decoded(f: LogFile): Promise<{ text: Buffer; warnings: string[] }> {
  const warnings: string[] = [];
  const parts: Buffer[] = [];
  for await (const c of decodedChunks(f, (m) => warnings.push(m))) parts.push(c);
  return { text: Buffer.concat(parts), warnings };
}

describe('decodedChunks', () => {
  /** Each input, given at once (LogFile.bytes, never opened) and as a stream: the same text and warnings. */
  const inputs: Array<[string, Buffer]> = [
    ['plain text', TEXT],
    ['gzip', zlib.gzipSync(TEXT)],
    ['a truncated gzip', zlib.gzipSync(TEXT).subarray(0, 40)],
    ['NUL runs of a power cut', Buffer.concat([TEXT.subarray(0, 30), Buffer.alloc(600), TEXT.subarray(30)])],
    ['binary data', Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 7) % 32))],
    ['nothing', Buffer.alloc(0)],
    ['nothing but NULs', Buffer.alloc(5000)],
  ];
  for (const [what, bytes] of inputs) {
    it(`reads ${what} at once as it reads it from a stream`, async () => {
      const atOnce = await decoded(file({ size: bytes.length, bytes: () => Buffer.from(bytes) }));
      const streamed = await decoded(file({ size: bytes.length, open: () => Readable.from([Buffer.from(bytes)], { objectMode: false }) }));
      assert.deepEqual(atOnce, streamed);
      if (what === 'plain text' || what === 'gzip') assert.deepEqual(atOnce, { text: TEXT, warnings: [] });
      if (what !== 'plain text' && what !== 'gzip' && what !== 'nothing') assert.equal(atOnce.warnings.length, 1, atOnce.warnings.join('\n'));
    });
  }

  it('decodedInHand gives the same text and warnings without a stream, and leaves gzip to decodedChunks', async () => {
    for (const [what, bytes] of inputs) {
      const f = file({ size: bytes.length, bytes: () => Buffer.from(bytes) });
      const warnings: string[] = [];
      const inHand = decodedInHand(f, (m) => warnings.push(m));
      if (what.includes('gzip')) {
        assert.equal(inHand, undefined, what);
        continue;
      }
      assert.ok(inHand, what);
      assert.deepEqual({ text: Buffer.concat(inHand), warnings }, await decoded(f), what);
    }
    assert.equal(decodedInHand(file({ open: () => Readable.from([TEXT]) }), () => undefined), undefined);
    const warnings: string[] = [];
    assert.deepEqual(decodedInHand(file({ bytes: () => assert.fail('gone') }), (m) => warnings.push(m)), []);
    assert.match(warnings[0], /^primary: cannot read logs\/ha.log: gone/);
  });

  it('says a file it cannot read at once cannot be read, naming it', async () => {
    const got = await decoded(
      file({
        bytes: () => {
          throw new Error('gzip block at byte 512 fails its CRC check');
        },
      }),
    );
    assert.deepEqual(got, { text: Buffer.alloc(0), warnings: ['primary: cannot read logs/ha.log: gzip block at byte 512 fails its CRC check; check the path and its permissions'] });
  });
});
