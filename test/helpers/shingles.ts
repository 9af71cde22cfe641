import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';

/**
 * "Is this our own wording?" without shipping the vendor's guide: runs of 8 words, hashed. The
 * guide itself stays outside the repository; its hashes are in test/knowledge/guide-shingles.txt,
 * made with `node build/test/helpers/shingles.js GUIDE.txt test/knowledge/guide-shingles.txt`.
 */
export const SHINGLE_WORDS = 8;

/** Lower-case words; commands, paths and grep patterns are facts to copy exactly, not prose, so they are dropped. */
export function words(text: string): string[] {
  return text
    .replace(/grep\s+"[^"]*"\s*\S*/g, ' ')
    .replace(/\S*[/@]\S*/g, ' ')
    .toLowerCase()
    .split(/[^a-z]+/)
    .filter(Boolean);
}

export function shingleHash(run: string[]): string {
  return createHash('sha256').update(run.join(' ')).digest('hex').slice(0, 16);
}

/** Every run of SHINGLE_WORDS words of `text`, as [words, hash]. */
export function shingles(text: string): Array<[string, string]> {
  const w = words(text);
  const out: Array<[string, string]> = [];
  for (let i = 0; i + SHINGLE_WORDS <= w.length; i++) {
    const run = w.slice(i, i + SHINGLE_WORDS);
    out.push([run.join(' '), shingleHash(run)]);
  }
  return out;
}

if (require.main === module) {
  const [guide, out] = process.argv.slice(2);
  if (!guide || !out) throw new Error('usage: node build/test/helpers/shingles.js GUIDE.txt OUT.txt');
  const hashes = [...new Set(shingles(readFileSync(guide, 'utf8')).map(([, h]) => h))].sort();
  writeFileSync(out, `${hashes.join('\n')}\n`);
}
