import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { BundleError } from '../errors';
import { DESCRIPTION_PATH, descriptionText, listedEntries, MANIFEST_PATH, type Manifest, parseManifest } from '../sources/bundle/manifest';
import { scanArchive } from '../sources/bundle/reader';

export type ProblemKind = 'altered' | 'missing' | 'extra';

export interface VerifyProblem {
  kind: ProblemKind;
  /** Relative to the bundle's top directory; the archive's own name for its .sha256 check. */
  path: string;
  detail: string;
}

export interface VerifyResult {
  bundle: string;
  ok: boolean;
  /** Entries the manifest lists (files and analysis). */
  listed: number;
  matched: number;
  problems: VerifyProblem[];
  /** Result of the `<bundle>.sha256` file beside the bundle, when there is one. */
  archiveChecksum: 'match' | 'mismatch' | 'absent';
}

const MAX_MANIFEST = 64 * 1024 * 1024;

async function readChecksumFile(bundle: string): Promise<string | null> {
  try {
    const text = await fs.readFile(`${bundle}.sha256`, 'utf8');
    const m = /^([0-9a-fA-F]{64})\s/.exec(text);
    return m ? m[1].toLowerCase() : '';
  } catch {
    return null;
  }
}

/**
 * Read a bundle once, recompute every entry's sha256 and compare with its manifest: every
 * listed file must be present and identical, nothing unlisted may be there (besides
 * manifest.json and description.txt, which must match the manifest). A damaged, truncated or
 * unsafe archive, or one without a valid manifest, is a BundleError.
 */
export async function verifyBundle(file: string): Promise<VerifyResult> {
  let st;
  try {
    await fs.access(file);
    st = await fs.stat(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new BundleError(`cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (err as Error).message}`);
  }
  // A FIFO would block the read forever.
  if (!st.isFile()) throw new BundleError(`${file} is not a regular file; give the bundle (.tar.gz) that collect wrote`);
  if (!(await isGzip(file))) throw new BundleError(`${file} is not a bundle (not gzip-compressed); give the .tar.gz that smsdiag collect wrote`);
  const archiveHash = createHash('sha256');
  const stored = new Map<string, { sha256: string; size: number }>();
  let manifestBytes: Buffer | null = null;
  let descriptionBytes: Buffer | null = null;
  for await (const s of scanArchive(file, { onRaw: (c) => archiveHash.update(c) })) {
    if (s.entry.type !== 'file') continue;
    const h = createHash('sha256');
    const keep = s.rel === MANIFEST_PATH || s.rel === DESCRIPTION_PATH;
    const parts: Buffer[] = [];
    let size = 0;
    for await (const c of s.body) {
      h.update(c);
      size += c.length;
      if (keep && size <= MAX_MANIFEST) parts.push(c);
    }
    if (s.rel === MANIFEST_PATH) manifestBytes = Buffer.concat(parts);
    else if (s.rel === DESCRIPTION_PATH) descriptionBytes = Buffer.concat(parts);
    else stored.set(s.rel, { sha256: h.digest('hex'), size });
  }
  if (!manifestBytes) throw new BundleError(`${file} has no ${MANIFEST_PATH}, so nothing can be verified; it is not an smsdiag bundle or was damaged`);
  const manifest: Manifest = parseManifest(manifestBytes, `${file}: ${MANIFEST_PATH}`);
  const problems: VerifyProblem[] = [];
  const listed = listedEntries(manifest);
  let matched = 0;
  for (const [p, want] of listed) {
    const got = stored.get(p);
    if (!got) problems.push({ kind: 'missing', path: p, detail: 'listed in the manifest but not in the bundle' });
    else if (got.sha256 !== want.sha256 || got.size !== want.size) {
      const sizes = got.size === want.size ? `${got.size} bytes, as listed` : `${got.size} bytes, manifest says ${want.size}`;
      problems.push({ kind: 'altered', path: p, detail: `sha256 ${got.sha256.slice(0, 12)}… differs from the manifest's ${want.sha256.slice(0, 12)}… (${sizes})` });
    } else matched++;
  }
  for (const p of stored.keys()) {
    if (!listed.has(p)) problems.push({ kind: 'extra', path: p, detail: 'in the bundle but not listed in the manifest' });
  }
  if (descriptionBytes === null) {
    problems.push({ kind: 'missing', path: DESCRIPTION_PATH, detail: 'every bundle has one; it was removed' });
  } else if (!descriptionBytes.equals(Buffer.from(descriptionText(manifest), 'utf8'))) {
    problems.push({ kind: 'altered', path: DESCRIPTION_PATH, detail: "does not match the manifest's case, incident and description" });
  }
  const expected = await readChecksumFile(file);
  let archiveChecksum: VerifyResult['archiveChecksum'] = 'absent';
  if (expected !== null) {
    archiveChecksum = expected === archiveHash.digest('hex') ? 'match' : 'mismatch';
    if (archiveChecksum === 'mismatch') {
      problems.push({ kind: 'altered', path: path.basename(file), detail: `the archive's sha256 differs from ${path.basename(file)}.sha256 beside it` });
    }
  }
  const order: Record<ProblemKind, number> = { altered: 0, missing: 1, extra: 2 };
  problems.sort((a, b) => order[a.kind] - order[b.kind] || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { bundle: file, ok: problems.length === 0, listed: listed.size, matched, problems, archiveChecksum };
}

/** Whether the file starts with the gzip magic bytes. */
async function isGzip(file: string): Promise<boolean> {
  const fh = await fs.open(file, 'r');
  try {
    const b = Buffer.alloc(2);
    const { bytesRead } = await fh.read(b, 0, 2, 0);
    return bytesRead === 2 && b[0] === 0x1f && b[1] === 0x8b;
  } finally {
    await fh.close();
  }
}
