import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { UsageError } from '../errors';
import type { LogKind } from '../types';
import { DEFAULT_LOCATIONS } from './catalog';
import { globToRegExp } from './glob';

/** Where a kind of log lives: `--path KIND=GLOB`, or the catalog's default locations. */
export interface PathGlob {
  kind: LogKind;
  /** Absolute directory plus a base-name pattern with * and ? only, e.g. /var/log/ha.log*. */
  glob: string;
}

/** A file on a node, as listed before reading or copying: its size then is what gets copied. */
export interface NodeFile {
  kind: LogKind;
  path: string;
  size: number;
  mtime: Date;
  /** Listed but not to be copied, and why (a hostile name): recorded in the manifest. */
  refused?: string;
}

const SAFE_PATTERN = /^[A-Za-z0-9._*?-]+$/;
/** A file name no log has: control characters (a newline, a tab) that could forge listings or paths. */
const HOSTILE_NAME = /[\u0000-\u001f\u007f]/;

/** A listed file, marked refused when its name is hostile: listed on this machine or a peer alike. */
export function listedFile(kind: LogKind, p: string, size: number, mtime: Date): NodeFile {
  const file: NodeFile = { kind, path: p, size, mtime };
  if (HOSTILE_NAME.test(p)) file.refused = 'its name holds control characters (a newline or tab): not collected';
  return file;
}

/** `--path KIND=GLOB` checked: absolute, and a base-name pattern that no shell can misread. */
export function splitGlob(g: PathGlob): { dir: string; pattern: string } {
  const dir = path.posix.dirname(g.glob);
  const pattern = path.posix.basename(g.glob);
  if (!g.glob.startsWith('/')) throw new UsageError(`--path ${g.kind}=${g.glob}: give an absolute path`);
  if (!SAFE_PATTERN.test(pattern)) throw new UsageError(`--path ${g.kind}=${g.glob}: the file-name part may only use letters, digits, . _ - and the wildcards * ?`);
  if (/[*?]/.test(dir)) throw new UsageError(`--path ${g.kind}=${g.glob}: wildcards are allowed in the file name only`);
  return { dir, pattern };
}

/** `--path [NODE:]KIND=GLOB` values: the node's own if it has any, else the shared ones, else the catalog. */
export function globsForNode(node: string, paths: ReadonlyArray<{ node?: string; glob: PathGlob }>): PathGlob[] {
  const own = paths.filter((p) => p.node === node).map((p) => p.glob);
  if (own.length) return own;
  const shared = paths.filter((p) => !p.node).map((p) => p.glob);
  return shared.length ? shared : catalogGlobs();
}

/** The catalog's default locations of every kind, as globs. */
export function catalogGlobs(): PathGlob[] {
  return Object.entries(DEFAULT_LOCATIONS).flatMap(([kind, globs]) => globs.map((glob) => ({ kind: kind as LogKind, glob })));
}

/**
 * The regular files on this machine that the globs name (links followed), glob by glob, names
 * sorted: what `analyze` with no PATH reads and what `collect` copies of this machine. A directory
 * that is missing or unreadable holds nothing.
 */
export async function findLocalFiles(globs: readonly PathGlob[]): Promise<NodeFile[]> {
  const out: NodeFile[] = [];
  for (const g of globs) {
    const { dir, pattern } = splitGlob(g);
    const re = globToRegExp(pattern, 's');
    let names: string[];
    try {
      names = await fs.readdir(dir);
    } catch {
      continue;
    }
    for (const n of names.filter((x) => re.test(x)).sort()) {
      const p = path.join(dir, n);
      const st = await fs.stat(p).catch(() => undefined);
      if (st?.isFile()) out.push(listedFile(g.kind, p, st.size, st.mtime));
    }
  }
  return out;
}
