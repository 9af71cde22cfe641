import { strict as assert } from 'node:assert';
import { BundleError } from '../../../src/errors';
import { type JsonFrame, jsonFrame, OPEN_ARRAY, OPEN_OBJECT } from '../../../src/sources/bundle/json-frame';

/** `text` as chunks of `size` bytes: strings, escapes and multi-byte characters cut anywhere. */
function* chunked(text: string, size: number): Generator<Buffer> {
  const b = Buffer.from(text, 'utf8');
  for (let k = 0; k < b.length; k += size) yield b.subarray(k, k + size);
}

/** Every object and array walked item by item, everything else taken whole. */
function walk(j: JsonFrame): unknown {
  const c = j.peek();
  if (c === OPEN_OBJECT) return j.object(() => walk(j));
  if (c === OPEN_ARRAY) return j.array(() => walk(j));
  return j.value();
}

function read(text: string, size: number, how: 'walk' | 'whole' = 'walk'): unknown {
  const j = jsonFrame(chunked(text, size), 'm.json');
  const v = how === 'walk' ? walk(j) : j.value();
  j.end();
  return v;
}

const DOCS = [
  '{}',
  '[]',
  ' \n\t{ "a" : [ 1 , -2.5e3 , true , false , null , "x" ] , "b" : { } , "c" : [ ] }\r\n',
  '{"esc":"quote \\" backslash \\\\ slash \\/ \\u00e9 \\n","k\\"ey":"v"}',
  '{"utf8":"é 日本 😀","😀":["ü", {"ß": "ÿ"}]}',
  '[[[["deep"]]],{"a":{"b":{"c":[0]}}}]',
  '{"nodes":[{"name":"a","files":[{"path":"nodes/a/logs/ha.log","size":79},{"path":"nodes/a/logs/ha.log.1","size":0}]}],"analysis":[]}',
  '"just a string"',
  '42',
];

describe('json frame', () => {
  it('reads what JSON.parse reads, cut into chunks of any size, item by item or whole', () => {
    for (const doc of DOCS) {
      const want = JSON.parse(doc);
      for (let size = 1; size <= Buffer.byteLength(doc) + 1; size++) {
        assert.deepEqual(read(doc, size), want, `${doc} in chunks of ${size}`);
        assert.deepEqual(read(doc, size, 'whole'), want, `${doc} whole, in chunks of ${size}`);
      }
    }
  });

  it('takes in chunks only as far as the item being read', () => {
    const items = Array.from({ length: 2000 }, (_, i) => ({ path: `nodes/a/logs/ha.log.${i}`, size: i }));
    const doc = JSON.stringify({ files: items });
    let pulled = 0;
    const counted = (function* () {
      for (const c of chunked(doc, 64)) {
        pulled += c.length;
        yield c;
      }
    })();
    const j = jsonFrame(counted, 'm.json');
    let itemEnd = '{"files":['.length - 1;
    let most = 0;
    const v = j.object(() =>
      j.array(() => {
        const item = j.value();
        itemEnd += 1 + JSON.stringify(item).length;
        most = Math.max(most, pulled - itemEnd);
        return item;
      }),
    );
    j.end();
    assert.deepEqual(v, { files: items });
    assert.ok(most <= 64, `${most} bytes taken in past an item's end`);
  });

  it('keeps an item only when its reader gives something for it', () => {
    const doc = '{"files":[{"size":1},{"size":22},{"size":3},{"size":44}],"n":[0,1]}';
    for (const size of [1, 5, 1000]) {
      const seen: number[] = [];
      const j = jsonFrame(chunked(doc, size), 'm.json');
      const v = j.object((k) =>
        k !== 'files'
          ? j.value()
          : j.array(() => {
              const { size: n } = j.value() as { size: number };
              seen.push(n);
              return n > 9 ? n : undefined;
            }),
      );
      j.end();
      assert.deepEqual(seen, [1, 22, 3, 44]);
      assert.deepEqual(v, { files: [22, 44], n: [0, 1] });
    }
  });

  const rejects = (doc: string, why: RegExp, at: number, how: 'walk' | 'whole' = 'walk'): void => {
    for (const size of [1, 3, 1000]) {
      assert.throws(
        () => read(doc, size, how),
        (e: Error) => {
          assert.ok(e instanceof BundleError, e.stack);
          assert.equal(e.exitCode, 3);
          assert.match(e.message, /^m\.json is not valid JSON \(/);
          assert.match(e.message, why);
          assert.match(e.message, new RegExp(` at byte ${at}\\); the bundle is damaged$`));
          return true;
        },
        `${JSON.stringify(doc)} ${how}, in chunks of ${size}`,
      );
    }
  };

  it('names what is wrong and its byte offset', () => {
    rejects('{"a":1,}', /a key is expected/, 7);
    rejects('{"a" 1}', /":" is expected/, 5);
    rejects('[1 2]', /"," or "\]" is expected/, 3);
    rejects('{"a":1 "b":2}', /"," or "}" is expected/, 7);
    rejects('{"a":"x', /a string is not closed/, 5);
    rejects('{"a":{"b":[1', /"," or "\]" is expected/, 12);
    rejects('{"a":{"b":[1', /the text ends inside a value/, 0, 'whole');
    rejects('[1,{"a":2}', /the text ends inside a value/, 0, 'whole');
    rejects('{"a":tru}', /JSON/, 5);
    rejects('{"a":}', /a value is missing/, 5);
    rejects('{} x', /text follows the end of the document/, 3);
    rejects('[1,2', /"," or "\]" is expected/, 4);
    rejects('"é"{', /text follows the end of the document/, 4);
  });

  it('refuses a repeated key (JSON.parse would keep the last and drop what was read of the first)', () => {
    rejects('{"files":[1],"files":[2]}', /the key "files" is repeated/, 13);
  });

  it('reads a key "__proto__" as a member, as JSON.parse does', () => {
    const v = read('{"__proto__":{"polluted":1}}', 2) as Record<string, unknown>;
    assert.deepEqual(Object.keys(v), ['__proto__']);
    assert.equal(Object.getPrototypeOf(v), Object.prototype);
    assert.deepEqual(Object.getOwnPropertyDescriptor(v, '__proto__')?.value, { polluted: 1 });
    assert.equal((v as { polluted?: number }).polluted, undefined);
    assert.equal(({} as { polluted?: number }).polluted, undefined);
  });
});
