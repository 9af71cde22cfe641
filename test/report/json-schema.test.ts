import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import * as path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import { FIXTURES, REPO, runCli } from '../helpers/cli';
import { tempDir, writeSample } from '../helpers/bundle';

/** The JSON Schema of `analyze --json` (docs/spec/analyze.schema.json) holds for every report smsdiag writes. */
describe('analyze --json matches its JSON Schema', function () {
  this.timeout(60000);
  const schema = JSON.parse(readFileSync(path.join(REPO, 'docs', 'spec', 'analyze.schema.json'), 'utf8'));
  const validate = new Ajv2020({ allErrors: true, strict: true }).compile(schema);
  const problems = (doc: unknown): string => (validate(doc) ? '' : JSON.stringify(validate.errors?.slice(0, 3)));

  it('every golden report of the fixture scenarios', () => {
    const goldens = readdirSync(FIXTURES).map((d) => path.join(FIXTURES, d, 'analyze.expected.json')).filter((f) => existsSync(f));
    assert.ok(goldens.length >= 20, `${goldens.length} goldens`);
    for (const g of goldens) assert.equal(problems(JSON.parse(readFileSync(g, 'utf8'))), '', g);
  });

  it('a bundle with a collection failure (a not-collected finding, no time) and the practice bundle', async () => {
    const t = tempDir();
    try {
      const s = await writeSample(t.dir);
      for (const b of [s.bundle, path.join(FIXTURES, 'bundle', 'smsdiag-sms-a-20171012T135000Z.tar.gz')]) {
        const r = await runCli(['analyze', b, '--json']);
        assert.equal(problems(JSON.parse(r.stdout)), '', b);
      }
    } finally {
      t.cleanup();
    }
  });

  it('rejects what the contract does not allow (an unknown key, a severity that does not exist)', () => {
    const doc = JSON.parse(readFileSync(path.join(FIXTURES, 'takeover-db', 'analyze.expected.json'), 'utf8'));
    doc.nodes[0].since = doc.nodes[0].stateSince;
    assert.notEqual(problems(doc), '');
    delete doc.nodes[0].since;
    doc.findings[0].severity = 'fatal';
    assert.notEqual(problems(doc), '');
  });
});
