import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Inventory, LogFile, NodeFacts, NodeInput } from '../types';
import { splitNamed } from '../text/named';
import { MANY_FILES, manyFilesHeap } from '../heap';
import { classifyFileName, DEFAULT_LOCATIONS, rotationRank } from './catalog';
import { catalogGlobs, findLocalFiles } from './find';
import { InputError, UsageError } from '../errors';
import { spoolStdin } from './stdin';
import { localFile, nodesFromDirectory, orderFiles, roleOf } from './local';
import { looksLikeSyslog, nodesFromSyslog } from './syslog';
import { inventoryFromBundle, isBundlePath } from './bundle/inventory';

export interface InputOptions {
  /** --tz NODE=±HH:MM, minutes east of UTC. */
  tz?: Record<string, number>;
  /** --clock NODE=±SECONDS, how far the node's clock ran ahead, in ms. */
  clock?: Record<string, number>;
  /** --node NAME=HOST: which syslog HOSTNAME is which node. */
  hosts?: Record<string, string>;
  /** Zone of nodes whose zone nothing else gives (the CLI: this machine's); default UTC. */
  defaultOffsetMinutes?: number;
  /** What `-` reads (the CLI: process.stdin). */
  stdin?: NodeJS.ReadStream;
}

async function statOrFail(p: string, arg: string) {
  let st;
  try {
    st = await fs.stat(p);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file or directory' : code === 'EACCES' ? 'permission denied' : (err as Error).message;
    throw new InputError(`cannot read ${arg}: ${why}`);
  }
  // Opening a FIFO blocks until something writes to it: refuse it (and sockets, devices) up front.
  if (!st.isFile() && !st.isDirectory()) throw new InputError(`${arg} is ${specialKind(st)}, not a log file, directory or bundle; give one of those`);
  return st;
}

/** What a path that is neither a file nor a directory is, for the message. */
export function specialKind(st: { isFIFO(): boolean; isSocket(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean }): string {
  if (st.isFIFO()) return 'a named pipe (FIFO)';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  return 'not a regular file';
}

/**
 * Two inputs whose node names were taken from folder names (a/logs and b/logs) would be merged
 * into one node "logs" that sees itself fail: the later one is named after its parent folder too,
 * and a warning says so. `origin` remembers where each derived name came from.
 */
function apart(n: NodeInput, from: string, origin: Map<string, string>, nodes: Map<string, NodeInput>, warnings: string[]): NodeInput {
  const first = origin.get(n.name);
  if (first === undefined || first === from || !nodes.has(n.name)) {
    origin.set(n.name, from);
    return n;
  }
  let name = `${path.basename(path.dirname(from))}-${n.name}`;
  for (let k = 2; nodes.has(name) || origin.has(name); k++) name = `${path.basename(path.dirname(from))}-${n.name}-${k}`;
  warnings.push(`two inputs would both be node "${n.name}" (${first} and ${from}); the second is read as node "${name}". Name them yourself with NAME=PATH (e.g. secondary=${from})`);
  origin.set(name, from);
  n.name = name;
  for (const f of n.files) f.node = name;
  return n;
}

function mergeNode(nodes: Map<string, NodeInput>, n: NodeInput): void {
  const prev = nodes.get(n.name);
  if (!prev) {
    nodes.set(n.name, n);
    return;
  }
  prev.files.push(...n.files);
  prev.facts = { ...prev.facts, ...n.facts };
  prev.files = orderFiles(prev.files, prev.files.map((f) => rotationRank(classifyFileName(path.basename(f.path))?.rotation ?? { group: 2, value: 0, compressedName: false })));
}

/** A single log file argument: its node is NAME=, else the directory it sits in. */
async function nodeFromFile(arg: string, p: string, name: string | undefined): Promise<NodeInput> {
  const base = path.basename(p);
  const c = classifyFileName(base);
  if (!c) {
    throw new InputError(
      `${arg} is not a file smsdiag recognises: expected an SMS log (ha.log*, sms-info.log*, mysqld.err*, tpt_sms.txt, ha.state), a directory of them, or a bundle`,
    );
  }
  const node = name ?? path.basename(path.dirname(path.resolve(p)));
  const f = localFile(node, c.kind, p, base, await fs.stat(p));
  return { name: node, role: roleOf(node), files: orderFiles([f], [rotationRank(c.rotation)]), facts: {} };
}

/** This machine's own evidence, from the catalog's locations. */
async function localMachine(): Promise<NodeInput[]> {
  const files: LogFile[] = [];
  const ranks: number[] = [];
  for (const found of await findLocalFiles(catalogGlobs())) {
    if (found.refused) continue;
    const c = classifyFileName(path.basename(found.path));
    if (!c || c.kind !== found.kind) continue;
    const f = localFile('local', c.kind, found.path, found.path, found);
    ranks.push(rotationRank(c.rotation));
    files.push(f);
  }
  if (!files.length) return [];
  return [{ name: 'local', role: 'unknown', files: orderFiles(files, ranks), facts: {} }];
}

/** Turn PATH arguments (cli.md "Inputs") into nodes and their files. */
export async function resolveInputs(args: string[], opts: InputOptions = {}): Promise<Inventory> {
  const warnings: string[] = [];
  const nodes = new Map<string, NodeInput>();
  const origin = new Map<string, string>();
  let incident: number | undefined;
  if (args.length === 0) {
    for (const n of await localMachine()) mergeNode(nodes, n);
    if (!nodes.size) {
      throw new InputError(
        `no SMS logs found in this machine's usual locations (${Object.values(DEFAULT_LOCATIONS).flat().join(', ')}); give a directory or bundle to read`,
      );
    }
  }
  if (args.filter((a) => a === '-' || splitNamed(a)?.value === '-').length > 1) throw new UsageError('`-` (standard input) can be given once: there is one standard input');
  for (const arg of args) {
    let name: string | undefined;
    let p = arg;
    const named = splitNamed(arg);
    if (named?.value && !(await exists(arg))) {
      name = named.name;
      p = named.value;
    }
    if (p === '-') {
      const spooled = await spoolStdin(opts.stdin ?? process.stdin, looksLikeSyslog);
      if (spooled.syslog) for (const n of await nodesFromSyslog(spooled.file, opts.hosts ?? {}, warnings, 'standard input')) mergeNode(nodes, n);
      else mergeNode(nodes, await nodeFromFile(arg, spooled.file, name ?? 'stdin'));
      continue;
    }
    const st = await statOrFail(p, arg);
    if (st.isDirectory()) {
      const found = await nodesFromDirectory(p, name, warnings);
      if (!found.length) throw new InputError(`no SMS log files found in ${arg}: expected ha.log*, sms-info.log*, mysqld.err*, tpt_sms.txt or ha.state in it or in one sub-directory per node`);
      const root = path.resolve(p);
      for (const n of found) mergeNode(nodes, name ? n : apart(n, found.length === 1 && n.name === path.basename(root) ? root : path.join(root, n.name), origin, nodes, warnings));
    } else if (await isBundlePath(p)) {
      const bundle = await inventoryFromBundle(p);
      warnings.push(...bundle.warnings);
      incident ??= bundle.incident;
      for (const n of bundle.nodes) mergeNode(nodes, n);
    } else if (!classifyFileName(path.basename(p)) && (await looksLikeSyslog(p))) {
      for (const n of await nodesFromSyslog(p, opts.hosts ?? {}, warnings)) mergeNode(nodes, n);
    } else {
      const n = await nodeFromFile(arg, p, name);
      mergeNode(nodes, name ? n : apart(n, path.dirname(path.resolve(p)), origin, nodes, warnings));
    }
  }
  for (const n of nodes.values()) {
    applyOverrides(n.name, n.facts, opts);
    assumeZone(n.facts, opts.defaultOffsetMinutes ?? 0);
  }
  for (const key of [...Object.keys(opts.tz ?? {}), ...Object.keys(opts.clock ?? {})]) {
    if (!nodes.has(key)) warnings.push(`--tz/--clock name node "${key}", but the input has no such node (nodes: ${[...nodes.keys()].join(', ')})`);
  }
  // A bundle has said so while it was opened; directories, files and syslog say so here.
  if ([...nodes.values()].reduce((sum, n) => sum + n.files.length, 0) > MANY_FILES) manyFilesHeap();
  return { nodes: [...nodes.values()].sort(byRole), warnings, ...(incident !== undefined ? { incident } : {}) };
}

/** Times without a zone are read in the default zone when nothing says the node's own; marked as assumed. */
export function assumeZone(facts: NodeFacts, minutes: number): void {
  if (facts.utcOffsetMinutes !== undefined) return;
  facts.utcOffsetMinutes = minutes;
  facts.utcOffsetAssumed = true;
}

/** --tz and --clock for a node, over what its facts say. */
export function applyOverrides(name: string, facts: NodeFacts, opts: Pick<InputOptions, 'tz' | 'clock'>): void {
  const tz = opts.tz?.[name];
  if (tz !== undefined) facts.utcOffsetMinutes = tz;
  const clock = opts.clock?.[name];
  if (clock !== undefined) {
    facts.clockOffsetMs = clock;
    facts.clockSource = 'user';
    // The error bound of a sample no longer used: the user's offset is applied as given.
    delete facts.clockUncertaintyMs;
  }
}

/** primary before secondary before others, then by name: the node order of every report. */
function byRole(a: NodeInput, b: NodeInput): number {
  const rank = (n: NodeInput): number => (n.role === 'primary' ? 0 : n.role === 'secondary' ? 1 : 2);
  return rank(a) - rank(b) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}

async function exists(p: string): Promise<boolean> {
  try {
    await fs.access(p);
    return true;
  } catch {
    return false;
  }
}

