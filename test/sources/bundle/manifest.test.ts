import { strict as assert } from 'node:assert';
import { BundleError } from '../../../src/errors';
import { type Manifest, type ManifestFile, parseManifest, readManifest, validateManifest } from '../../../src/sources/bundle/manifest';
import { CREATED } from '../../helpers/bundle';

const SHA = 'a'.repeat(64);

function sample(): Manifest {
  const file = (node: string, name: string, size: number) => ({ kind: 'ha', source: `/var/log/${name}`, path: `nodes/${node}/logs/${name}`, size, mtime: CREATED, sha256: SHA });
  return {
    format: 'smsdiag-bundle',
    version: 1,
    tool: { name: 'smsdiag', version: '1.0.0' },
    commandLine: ['collect', '--peer', 'sms-b'],
    createdAt: CREATED,
    redacted: false,
    nodes: [
      { name: 'primary', host: 'sms-a', role: 'primary', facts: { utcOffset: '+02:00' }, errors: [], files: [file('primary', 'ha.log', 79), file('primary', 'ha.log.1', 0), file('primary', 'mysqld.err', 5)] },
      { name: 'secondary', host: 'sms-b', role: 'secondary', facts: {}, errors: [{ source: '/etc/ha.state', message: 'not found' }], files: [file('secondary', 'ha.log', 12), file('secondary', 'sms-info.log', 3)] },
    ],
    analysis: [{ path: 'analysis/findings.json', size: 10, sha256: SHA }],
  };
}

function* chunked(text: string, size: number): Generator<Buffer> {
  const b = Buffer.from(text, 'utf8');
  for (let k = 0; k < b.length; k += size) yield b.subarray(k, k + size);
}

const listing = (f: ManifestFile) => ({ path: f.path, size: f.size });

/**
 * What the text gives read whole (JSON.parse, then validateManifest: the reference), read in
 * chunks of 7 bytes keeping path and size, and by parseManifest: the manifest, or the error's message.
 */
function all(text: string): { whole: unknown; listing: unknown; parsed: unknown } {
  const outcome = (read: () => unknown): unknown => {
    try {
      return read();
    } catch (err) {
      assert.ok(err instanceof BundleError, (err as Error).stack);
      return (err as Error).message;
    }
  };
  return {
    whole: outcome(() => validateManifest(JSON.parse(text), 'm.json')),
    listing: outcome(() => readManifest(chunked(text, 7), 'm.json', listing)),
    parsed: outcome(() => parseManifest(text, 'm.json')),
  };
}

describe('readManifest', () => {
  it('reads what JSON.parse and validateManifest read, keeping of each file what it is asked to', () => {
    const text = JSON.stringify(sample(), null, 2);
    const { whole, listing: listed, parsed } = all(text);
    const want = sample();
    for (const n of want.nodes) n.files = n.files.map(listing) as typeof n.files;
    assert.deepEqual(whole, sample());
    assert.deepEqual(parsed, sample());
    assert.deepEqual(listed, want);
  });

  it('keeps what `keep` makes of each file, in order', () => {
    const seen: string[] = [];
    const m = readManifest([Buffer.from(JSON.stringify(sample()))], 'm.json', (f) => {
      seen.push(f.path);
      return { path: `kept:${f.path}`, size: f.size };
    });
    assert.deepEqual(seen, sample().nodes.flatMap((n) => n.files.map((f) => f.path)));
    assert.deepEqual(m.nodes.flatMap((n) => n.files.map((f) => f.path)), seen.map((p) => `kept:${p}`));
  });

  /** Each case breaks the sample; the first error named is the one validateManifest names. */
  const broken: Array<[string, (m: Record<string, any>) => void, RegExp]> = [
    ['a file field', (m) => (m.nodes[1].files[1].sha256 = 'x'), /"nodes\[1\]\.files\[1\]\.sha256" must be 64 lower-case hex/],
    ['a top-level field before a bad file', (m) => ((m.format = 'x'), (m.nodes[0].files[0].size = -1)), /"format" must be "smsdiag-bundle"/],
    ['a bad file before a later node', (m) => ((m.nodes[0].files[2].mtime = 'yesterday'), (m.nodes[1].name = '')), /"nodes\[0\]\.files\[2\]\.mtime" must be an ISO 8601 time/],
    ['a node field before its bad file', (m) => ((m.nodes[1].role = ''), (m.nodes[1].files[0].kind = 7)), /"nodes\[1\]\.role" must not be empty/],
    ['an earlier node errors before a later bad file', (m) => ((m.nodes[0].errors = [{ message: '' }]), (m.nodes[1].files[0].path = '../x')), /"nodes\[0\]\.errors\[0\]\.message" must not be empty/],
    ['a path repeated across nodes', (m) => (m.nodes[1].files[1].path = 'nodes/primary/logs/ha.log'), /"nodes\[1\]\.files\[1\]\.path" repeats the path "nodes\/primary\/logs\/ha\.log"/],
    ['the analysis repeating a file', (m) => (m.analysis[0].path = 'nodes/secondary/logs/ha.log'), /"analysis\[0\]\.path" repeats the path/],
    ['a reserved path', (m) => (m.nodes[0].files[1].path = 'manifest.json'), /must not name the reserved entry "manifest\.json"/],
    ['an unsafe path', (m) => (m.nodes[0].files[1].path = '/etc/passwd'), /"nodes\[0\]\.files\[1\]\.path"/],
    ['a file that is not an object', (m) => (m.nodes[1].files[0] = 3), /"nodes\[1\]\.files\[0\]" must be an object/],
    ['files that are not an array', (m) => (m.nodes[0].files = { path: 'x' }), /"nodes\[0\]\.files" must be an array/],
    ['nodes that are not an array', (m) => (m.nodes = 'primary'), /"nodes" must be an array/],
    ['a node that is not an object', (m) => (m.nodes[1] = null), /"nodes\[1\]" must be an object/],
  ];
  for (const [what, breakIt, why] of broken) {
    it(`names the first wrong field as validateManifest does: ${what}`, () => {
      const m = sample() as unknown as Record<string, any>;
      breakIt(m);
      const { whole, listing: listed, parsed } = all(JSON.stringify(m));
      assert.equal(typeof whole, 'string');
      assert.match(whole as string, why);
      assert.equal(listed, whole);
      assert.equal(parsed, whole);
    });
  }

  it('says where malformed JSON is, and lets go of its source', () => {
    const text = JSON.stringify(sample());
    const cut = text.indexOf('"secondary"');
    let returned = false;
    const source: Iterable<Buffer> = {
      [Symbol.iterator]: () => {
        const it = chunked(`${text.slice(0, cut)}secondary"${text.slice(cut + 11)}`, 16);
        return {
          next: () => it.next(),
          return: (v?: unknown) => {
            returned = true;
            return it.return(v as undefined);
          },
        };
      },
    };
    assert.throws(() => readManifest(source, 'm.json', listing), (e: Error) => e instanceof BundleError && new RegExp(`^m\\.json is not valid JSON \\(.* at byte ${cut}\\); the bundle is damaged$`).test(e.message));
    assert.equal(returned, true);
  });
});

describe('parseManifest', () => {
  it('refuses a key repeated in the document or a node, as reading a bundle in place does', () => {
    const text = JSON.stringify(sample());
    const twice = text.replace('"redacted":false', '"redacted":false,"redacted":true');
    assert.throws(() => parseManifest(twice, 'm.json'), (e: Error) => e instanceof BundleError && /^m\.json is not valid JSON \(the key "redacted" is repeated at byte \d+\); the bundle is damaged$/.test(e.message));
    assert.throws(() => readManifest([Buffer.from(twice)], 'm.json', listing), /the key "redacted" is repeated/);
  });
});
