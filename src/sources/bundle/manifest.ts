import { BundleError } from '../../errors';
import { jsonFrame, OPEN_ARRAY, OPEN_OBJECT } from './json-frame';

/** Name of the manifest entry, relative to the bundle's top directory. */
export const MANIFEST_PATH = 'manifest.json';
/** Written by the writer from the manifest's case/incident/description; checked by verify. */
export const DESCRIPTION_PATH = 'description.txt';

export interface ManifestFile {
  kind: string;
  /** Path of the file on the node it was collected from. */
  source: string;
  /** Path inside the bundle, relative to its top directory, e.g. nodes/primary/logs/ha.log.2.gz. */
  path: string;
  size: number;
  /** ISO 8601. */
  mtime: string;
  sha256: string;
}

export interface ManifestError {
  source?: string;
  message: string;
}

/** The least a reader of the manifest keeps of a listed file, when it keeps one: where it is and how long. */
export interface ListedFile {
  path: string;
  size: number;
}

/** A node of the manifest; `F` is what readManifest's caller kept of each listed file (`never`: none). */
export interface ManifestNode<F extends ListedFile = ManifestFile> {
  name: string;
  host: string;
  role: string;
  facts: Record<string, unknown>;
  files: F[];
  errors: ManifestError[];
}

export interface ManifestAnalysisFile {
  path: string;
  size: number;
  sha256: string;
}

/** `manifest.json` of a bundle, version 1. */
export interface Manifest<F extends ListedFile = ManifestFile> {
  format: 'smsdiag-bundle';
  version: 1;
  tool: { name: string; version: string };
  commandLine: string[];
  /** ISO 8601: when the collection started (the one wall-clock time a bundle holds). */
  createdAt: string;
  case?: string;
  description?: string;
  incident?: string;
  redacted: boolean;
  nodes: Array<ManifestNode<F>>;
  analysis: ManifestAnalysisFile[];
  /** Why analysis/ is missing, when the analysis could not be made (nothing readable was collected). */
  analysisError?: string;
}

const SHA256 = /^[0-9a-f]{64}$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/;

/** Why a bundle-relative path is not acceptable, or null when it is. */
export function unsafeRelativePath(p: string): string | null {
  if (p.length === 0) return 'is empty';
  if (p.startsWith('/') || /^[A-Za-z]:/.test(p)) return 'is absolute';
  if (p.includes('\\')) return 'contains a backslash';
  if (p.includes('\0')) return 'contains a NUL byte';
  const segs = p.split('/');
  if (segs.some((s) => s === '..')) return 'contains a ".." segment';
  if (segs.some((s) => s === '' || s === '.')) return 'contains an empty or "." segment';
  return null;
}

class Check {
  /** Every path listed so far: a path is listed once, among files and analysis alike. */
  private readonly paths = new Set<string>();

  constructor(readonly where: string) {}

  fail(field: string, what: string): never {
    throw new BundleError(`${this.where}: field "${field}" ${what}`);
  }

  object(v: unknown, field: string): Record<string, unknown> {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) this.fail(field, 'must be an object');
    return v as Record<string, unknown>;
  }

  array(v: unknown, field: string): unknown[] {
    if (!Array.isArray(v)) this.fail(field, 'must be an array');
    return v;
  }

  string(v: unknown, field: string, nonEmpty = false): string {
    if (typeof v !== 'string') this.fail(field, 'must be a string');
    if (nonEmpty && v.length === 0) this.fail(field, 'must not be empty');
    return v;
  }

  optString(v: unknown, field: string): void {
    if (v !== undefined) this.string(v, field);
  }

  size(v: unknown, field: string): number {
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) this.fail(field, 'must be a non-negative integer');
    return v;
  }

  sha(v: unknown, field: string): void {
    if (typeof v !== 'string' || !SHA256.test(v)) this.fail(field, 'must be 64 lower-case hex digits (sha256)');
  }

  iso(v: unknown, field: string): void {
    if (typeof v !== 'string' || !ISO.test(v) || Number.isNaN(Date.parse(v))) this.fail(field, 'must be an ISO 8601 time');
  }

  path(v: unknown, field: string): string {
    const p = this.string(v, field, true);
    const why = unsafeRelativePath(p);
    if (why) this.fail(field, `${why} ("${p}")`);
    return p;
  }

  unique(p: string, field: string): void {
    if (p === MANIFEST_PATH || p === DESCRIPTION_PATH) this.fail(field, `must not name the reserved entry "${p}"`);
    if (this.paths.has(p)) this.fail(field, `repeats the path "${p}" listed earlier`);
    this.paths.add(p);
  }

  /** One item of a node's files, `field` being e.g. "nodes[0].files[3]". */
  file(v: unknown, field: string): ManifestFile {
    const file = this.object(v, field);
    this.string(file.kind, `${field}.kind`, true);
    this.string(file.source, `${field}.source`);
    this.unique(this.path(file.path, `${field}.path`), `${field}.path`);
    this.size(file.size, `${field}.size`);
    this.iso(file.mtime, `${field}.mtime`);
    this.sha(file.sha256, `${field}.sha256`);
    return file as unknown as ManifestFile;
  }
}

/**
 * How a node's files are checked: each here, or already, as readManifest read them
 * (`failed` then holds the first that failed, thrown where checking them here would have).
 */
type FileChecks = { checked: false } | { checked: true; failed?: { node: number; err: BundleError } };

function validate<F extends ListedFile>(c: Check, value: unknown, files: FileChecks): Manifest<F> {
  const m = c.object(value, '(top level)');
  if (m.format !== 'smsdiag-bundle') c.fail('format', 'must be "smsdiag-bundle" (this is not an smsdiag bundle manifest)');
  if (m.version !== 1) c.fail('version', `must be 1 (got ${JSON.stringify(m.version)}; a newer smsdiag may be needed)`);
  const tool = c.object(m.tool, 'tool');
  c.string(tool.name, 'tool.name', true);
  c.string(tool.version, 'tool.version', true);
  c.array(m.commandLine, 'commandLine').forEach((a, i) => c.string(a, `commandLine[${i}]`));
  c.iso(m.createdAt, 'createdAt');
  c.optString(m.case, 'case');
  c.optString(m.description, 'description');
  c.optString(m.incident, 'incident');
  if (typeof m.redacted !== 'boolean') c.fail('redacted', 'must be true or false');
  const names = new Set<string>();
  c.array(m.nodes, 'nodes').forEach((nv, i) => {
    const f = `nodes[${i}]`;
    const n = c.object(nv, f);
    const name = c.string(n.name, `${f}.name`, true);
    if (unsafeRelativePath(name) || name.includes('/')) c.fail(`${f}.name`, `must be a single path segment ("${name}")`);
    if (names.has(name)) c.fail(`${f}.name`, `repeats the node name "${name}"`);
    names.add(name);
    c.string(n.host, `${f}.host`);
    c.string(n.role, `${f}.role`, true);
    c.object(n.facts, `${f}.facts`);
    const list = c.array(n.files, `${f}.files`);
    if (!files.checked) list.forEach((fv, j) => c.file(fv, `${f}.files[${j}]`));
    else if (files.failed?.node === i) throw files.failed.err;
    c.array(n.errors, `${f}.errors`).forEach((ev, j) => {
      const g = `${f}.errors[${j}]`;
      const e = c.object(ev, g);
      c.optString(e.source, `${g}.source`);
      c.string(e.message, `${g}.message`, true);
    });
  });
  c.array(m.analysis, 'analysis').forEach((av, i) => {
    const g = `analysis[${i}]`;
    const a = c.object(av, g);
    c.unique(c.path(a.path, `${g}.path`), `${g}.path`);
    c.size(a.size, `${g}.size`);
    c.sha(a.sha256, `${g}.sha256`);
  });
  c.optString(m.analysisError, 'analysisError');
  return m as unknown as Manifest<F>;
}

/**
 * Check a parsed manifest.json and return it typed. Throws a BundleError naming the first
 * field that is wrong, e.g. `manifest.json: field "nodes[1].files[3].sha256" must be ...`.
 */
export function validateManifest(value: unknown, where = MANIFEST_PATH): Manifest {
  return validate(new Check(where), value, { checked: false });
}

/** Parse and validate manifest.json bytes (readManifest, keeping every field of each file). */
export function parseManifest(bytes: Buffer | string, where = MANIFEST_PATH): Manifest {
  return readManifest([typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes], where, (f) => f);
}

/**
 * Parse and validate manifest.json, the bytes coming in `chunks`, each listed file's record parsed
 * and checked on its own as it is read and kept as `keep` makes it, or not kept where `keep` gives
 * undefined. Reading a bundle in place keeps none: a bundle of 200,000 members has a 60 MB
 * manifest, which JSON.parse took whole, its bytes, its text and 56 MB of objects at once. The first wrong field named is
 * the one validateManifest names; a key repeated in the document or in a node is refused (see jsonFrame).
 */
export function readManifest<F extends ListedFile>(chunks: Iterable<Buffer>, where: string, keep: (f: ManifestFile) => F | undefined): Manifest<F> {
  const c = new Check(where);
  const files: FileChecks = { checked: true };
  const it = chunks[Symbol.iterator]();
  const j = jsonFrame(it, where);
  const listed = (node: number, index: number): F | null | undefined => {
    const v = j.value();
    if (files.failed) return null;
    try {
      return keep(c.file(v, `nodes[${node}].files[${index}]`));
    } catch (err) {
      if (!(err instanceof BundleError)) throw err;
      files.failed = { node, err };
      return null;
    }
  };
  const node = (i: number): unknown =>
    j.peek() !== OPEN_OBJECT ? j.value() : j.object((k) => (k === 'files' && j.peek() === OPEN_ARRAY ? j.array((f) => listed(i, f)) : j.value()));
  let value: unknown;
  try {
    value = j.peek() !== OPEN_OBJECT ? j.value() : j.object((k) => (k === 'nodes' && j.peek() === OPEN_ARRAY ? j.array(node) : j.value()));
    j.end();
  } finally {
    // Bytes left unread (malformed JSON) let go of their source: an open file, say.
    it.return?.();
  }
  return validate(c, value, files);
}

/** Every path the manifest lists with its record (files first, then analysis): size, and sha256 when kept. */
export function listedEntries<F extends ListedFile>(m: Manifest<F>): Map<string, F | ManifestAnalysisFile> {
  const out = new Map<string, F | ManifestAnalysisFile>();
  for (const n of m.nodes) for (const f of n.files) out.set(f.path, f);
  for (const a of m.analysis) out.set(a.path, a);
  return out;
}

/** The text of description.txt, derived from the manifest so verify can check it. */
export function descriptionText(m: Pick<Manifest, 'case' | 'incident' | 'description' | 'createdAt'>): string {
  const lines: string[] = [];
  lines.push(`Case: ${m.case ?? '(none given)'}`);
  lines.push(`Incident: ${m.incident ?? '(none given)'}`);
  lines.push(`Collected: ${m.createdAt}`);
  lines.push('');
  const d = (m.description ?? '').replace(/\r\n/g, '\n').replace(/\s+$/, '');
  lines.push(d.length ? d : '(no description given)');
  return `${lines.join('\n')}\n`;
}
