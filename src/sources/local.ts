import { createReadStream, promises as fs, type Stats } from 'node:fs';
import * as path from 'node:path';
import { LOG_KINDS, type LogFile, type LogKind, type NodeFacts, type NodeInput, type Role } from '../types';
import { parseDf, parseFree } from './facts';
import { classifyFileName, type Rotation, rotationRank } from './catalog';


const READ_CHUNK = 1024 * 1024;

export function roleOf(name: string): Role {
  const n = name.toLowerCase();
  if (n === 'primary' || n === 'secondary') return n;
  return 'unknown';
}

interface Found {
  kind: LogKind;
  /** rotationRank of its name. */
  rank: number;
  abs: string;
  rel: string;
  stat: Stats;
}

async function walk(dir: string, root: string, out: Found[], warnings: string[], node: string): Promise<void> {
  let entries;
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch (err) {
    warnings.push(`${node}: cannot list ${dir}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}; check its permissions`);
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const abs = path.join(dir, e.name);
    if (e.isDirectory()) {
      await walk(abs, root, out, warnings, node);
      continue;
    }
    const c = classifyFileName(e.name);
    if (!c) continue;
    let stat: Stats;
    try {
      stat = await fs.stat(abs);
    } catch (err) {
      warnings.push(`${node}: cannot read ${path.relative(root, abs)}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      continue;
    }
    if (!stat.isFile()) {
      warnings.push(`${node}: ${path.relative(root, abs)} is not a regular file; skipped`);
      continue;
    }
    out.push({ kind: c.kind, rank: rotationRank(c.rotation), abs, rel: path.relative(root, abs), stat });
  }
}

/** Oldest-first order of a node's files, grouped by kind (LOG_KINDS), then by path. */
export function byAge<F extends { kind: LogKind; path: string }>(files: readonly F[], rotation: (f: F) => Rotation): F[] {
  return [...files].sort((a, b) => compareAge(a, rotationRank(rotation(a)), b, rotationRank(rotation(b))));
}

/** Kind, then rotation (rotationRank), then path. */
function compareAge(a: { kind: LogKind; path: string }, ra: number, b: { kind: LogKind; path: string }, rb: number): number {
  const k = LOG_KINDS.indexOf(a.kind) - LOG_KINDS.indexOf(b.kind);
  if (k !== 0) return k;
  return ra !== rb ? ra - rb : a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}

/**
 * byAge's order of a node's files, `ranks[i]` being the rotationRank of `files[i]`; `order`
 * numbers that sequence. Arrays side by side, not a Map from file to rotation: a bundle of 200,000
 * members grew such a Map to 200,000 entries, each growth leaving its old table to a full collection.
 */
export function orderFiles(files: LogFile[], ranks: readonly number[]): LogFile[] {
  const at = Array.from(files, (_, i) => i).sort((a, b) => compareAge(files[a], ranks[a], files[b], ranks[b]));
  const sorted = at.map((i) => files[i]);
  sorted.forEach((f, i) => (f.order = i));
  return sorted;
}

/**
 * The file behind each open() that localFile made: a worker thread may open such a file itself
 * rather than wait for this thread to send its bytes. A file whose open was replaced since (a
 * test's failing read, a file collect reads once it has landed) is not found here.
 */
const PLAIN_FILES = new WeakMap<LogFile['open'], string>();

/** The path a worker thread may read a file from itself, if it is a plain local file. */
export function plainPath(f: Pick<LogFile, 'open'>): string | undefined {
  return PLAIN_FILES.get(f.open);
}

export function localFile(node: string, kind: LogKind, abs: string, rel: string, stat: { size: number; mtime: Date }): LogFile {
  const open = (): ReturnType<LogFile['open']> => createReadStream(abs, { highWaterMark: READ_CHUNK });
  PLAIN_FILES.set(open, abs);
  return { node, kind, path: rel, order: 0, size: stat.size, mtime: stat.mtime, open };
}

/** One node's evidence from a directory (searched recursively, recognised by file name). */
export async function nodeFromDirectory(name: string, dir: string, warnings: string[]): Promise<NodeInput> {
  const found: Found[] = [];
  await walk(dir, dir, found, warnings, name);
  const files = found.map((f) => localFile(name, f.kind, f.abs, f.rel, f.stat));
  return { name, role: roleOf(name), files: orderFiles(files, found.map((f) => f.rank)), facts: await factsIn(dir) };
}

/** Facts collect wrote beside the logs (an unpacked bundle's facts/ folder): how full the disks and memory were. */
async function factsIn(dir: string): Promise<NodeFacts> {
  const read = (name: string): Promise<string | undefined> => fs.readFile(path.join(dir, 'facts', name), 'utf8').catch(() => undefined);
  const facts: NodeFacts = {};
  const df = await read('df.txt');
  if (df !== undefined) facts.diskUse = parseDf(df);
  const free = await read('free.txt');
  const memory = free === undefined ? undefined : parseFree(free);
  if (memory) facts.memory = memory;
  return facts;
}

async function holdsLogs(dir: string): Promise<boolean> {
  const entries = await fs.readdir(dir, { withFileTypes: true });
  return entries.some((e) => !e.isDirectory() && classifyFileName(e.name) !== null);
}

/**
 * A directory argument: one node when it holds log files itself, else one node per
 * sub-directory (an unpacked bundle or a fixture). `name` forces the single-node reading.
 */
export async function nodesFromDirectory(dir: string, name: string | undefined, warnings: string[]): Promise<NodeInput[]> {
  if (name) return [await nodeFromDirectory(name, dir, warnings)];
  if (await holdsLogs(dir)) return [await nodeFromDirectory(path.basename(path.resolve(dir)), dir, warnings)];
  const nodesDir = (await isDirectory(path.join(dir, 'nodes'))) ? path.join(dir, 'nodes') : dir;
  const entries = (await fs.readdir(nodesDir, { withFileTypes: true }))
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  const nodes: NodeInput[] = [];
  for (const sub of entries) {
    const node = await nodeFromDirectory(sub, path.join(nodesDir, sub), warnings);
    if (node.files.length) nodes.push(node);
  }
  return nodes;
}

export async function isDirectory(p: string): Promise<boolean> {
  try {
    return (await fs.stat(p)).isDirectory();
  } catch {
    return false;
  }
}
