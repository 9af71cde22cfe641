import { strict as assert } from 'node:assert';
import { anchorSearch, alternationSource } from '../../src/text/anchor-search';
import pack from '../../src/rules/pack.json';

/** A small deterministic generator (xorshift32): the same cases on every run. */
function random(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 2 ** 32;
  };
}

/** Text made of the anchors' pieces in any case, stray bytes (high, NUL, newline) between. */
function text(anchors: readonly string[], rnd: () => number, size: number): Buffer {
  const out: number[] = [];
  while (out.length < size) {
    const r = rnd();
    if (r < 0.5) {
      const a = anchors[Math.floor(rnd() * anchors.length)];
      const from = rnd() < 0.5 ? 0 : Math.floor(rnd() * a.length);
      const to = rnd() < 0.6 ? a.length : from + Math.floor(rnd() * (a.length - from + 1));
      for (const ch of a.slice(from, to)) {
        const c = ch.charCodeAt(0) & 0xff;
        out.push(rnd() < 0.3 && c >= 97 && c <= 122 ? c - 32 : rnd() < 0.3 && c >= 65 && c <= 90 ? c + 32 : c);
      }
    } else if (r < 0.6) out.push(10);
    else if (r < 0.7) out.push(Math.floor(rnd() * 256));
    else out.push(32 + Math.floor(rnd() * 95));
  }
  return Buffer.from(out);
}

/** Every match the search gives from `from`, each next search starting just after the last start. */
function all(find: (from: number) => [number, number] | undefined, from: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let m = find(from); m; m = find(m[0] + 1)) out.push(m);
  return out;
}

describe('anchorSearch', () => {
  const builtIn = (kind: string): string[] => pack.rules.filter((r) => (r.kinds as string[]).includes(kind)).flatMap((r) => r.anchors);
  const sets: Record<string, string[]> = {
    ha: builtIn('ha'),
    'sms-info': builtIn('sms-info'),
    mysqld: builtIn('mysqld'),
    prefixes: ['ab', 'abc', 'abcd', 'xabc', 'bcd'],
    'one phrase in three cases': ['Exception', 'exception', 'EXCEPTION', 'tion'],
    punctuation: ['[ERROR]', 'Assertion `', "Can't", 'a b'],
    'one byte (falls back)': ['a', 'Local state'],
    'not ASCII (falls back)': ['Störung', 'state'],
    'a tab (falls back)': ['x\ty', 'state'],
  };

  for (const [name, anchors] of Object.entries(sets)) {
    it(`finds what the case-insensitive alternation finds in the latin1 view: ${name}`, () => {
      const search = anchorSearch(anchors);
      const re = new RegExp(alternationSource(anchors), 'gi');
      const rnd = random(anchors.join().length);
      let matches = 0;
      for (let round = 0; round < 300; round++) {
        const buf = text(anchors, rnd, 1 + Math.floor(rnd() * 3000));
        const from = Math.floor(rnd() * 20);
        // Half the time the search must stop inside an anchor: one that ends a byte or two past `end`.
        re.lastIndex = Math.floor(rnd() * buf.length);
        const cut = rnd() < 0.5 ? re.exec(buf.toString('latin1')) : null;
        const end = Math.max(from, cut ? cut.index + cut[0].length - 1 - Math.floor(rnd() * 2) : buf.length - Math.floor(rnd() * 20));
        const view = buf.toString('latin1', 0, end);
        const expected = all((at) => {
          re.lastIndex = at;
          const m = re.exec(view);
          return m ? [m.index, m[0].length] : undefined;
        }, from);
        const got = all((at) => {
          const i = search.next(buf, at, end);
          return i < 0 ? undefined : [i, search.length];
        }, from);
        assert.deepEqual(got, expected, `${name}, round ${round}`);
        matches += got.length;
      }
      assert.ok(matches > 300, `only ${matches} matches: the text does not test much`);
    });
  }

  it('searches the built-in anchors with the pair table, others with the alternation', () => {
    for (const kind of ['ha', 'sms-info', 'mysqld', 'tpt']) assert.equal(anchorSearch(builtIn(kind)).method, 'pairs', kind);
    assert.equal(anchorSearch(['a', 'bc']).method, 'alternation');
    assert.equal(anchorSearch(['Störung']).method, 'alternation');
    assert.equal(anchorSearch([]).next(Buffer.from('anything'), 0, 8), -1);
  });
});
