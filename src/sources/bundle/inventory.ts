import * as path from 'node:path';
import { BundleError } from '../../errors';
import type { ManifestNode } from './manifest';
import { firstFew } from '../../text/list';
import { ownSlice } from '../../text/own-string';
import type { Readable } from 'node:stream';
import { type BundleReader, isTarGz, type MemberReading, openBundle } from './reader';
import type { Inventory, LogFile, LogKind, NodeFacts, NodeInput, Role } from '../../types';
import { classifyFileName, rotationRank } from '../catalog';
import { parseDf, parseFree } from '../facts';
import { orderFiles } from '../local';


/** Largest facts/ha.state read into memory (the real file is a few bytes). */
const HA_STATE_LIMIT = 64 * 1024;
/** Largest other fact file read (df output of a node). */
const FACT_LIMIT = 1024 * 1024;

/** True when `p` is a gzip file holding a tar archive: a bundle for the input resolver. */
export function isBundlePath(p: string): Promise<boolean> {
  return isTarGz(p);
}

function roleFrom(s: string): Role {
  const r = s.toLowerCase();
  return r === 'primary' || r === 'secondary' ? r : 'unknown';
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** "+02:00", "-0530", "UTC+2" style offsets to minutes east of UTC. */
function offsetMinutes(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v !== 'string') return undefined;
  if (/^(?:Z|UTC|GMT)$/i.test(v.trim())) return 0;
  const m = /^(?:UTC|GMT)?\s*([+-])(\d{1,2})(?::?(\d{2}))?$/i.exec(v.trim());
  if (!m) return undefined;
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3] ?? 0));
}

/** Corrections a manifest may carry and smsdiag will apply: a zone within ±14 h, a clock within a year. */
const MAX_ZONE_MINUTES = 14 * 60;
const MAX_CLOCK_MS = 366 * 86_400_000;

/**
 * NodeFacts from a manifest node's facts. Canonical keys (what collect writes): hostname,
 * utcOffsetMinutes, clockOffsetMs, clockUncertaintyMs; `utcOffset` ("+02:00") and a nested
 * `clock: { offsetMs, uncertaintyMs }` are read too. Corrections out of range are ignored, and said.
 */
function factsOf(n: ManifestNode<never>, warn: (m: string) => void): NodeFacts {
  const f = n.facts;
  const clock = typeof f.clock === 'object' && f.clock !== null ? (f.clock as Record<string, unknown>) : {};
  const facts: NodeFacts = {};
  const hostname = typeof f.hostname === 'string' && f.hostname ? f.hostname : n.host || undefined;
  if (hostname) facts.hostname = hostname;
  const off = num(f.utcOffsetMinutes) ?? offsetMinutes(f.utcOffset);
  // A damaged or forged manifest must not move times off the calendar: out of range is ignored, and said.
  if (off !== undefined && Math.abs(off) <= MAX_ZONE_MINUTES) facts.utcOffsetMinutes = off;
  else if (off !== undefined) warn(`${n.name}: the manifest gives a UTC offset of ${off} min, which no zone has; ignored`);
  const co = num(f.clockOffsetMs) ?? num(clock.offsetMs);
  if (co !== undefined && Math.abs(co) <= MAX_CLOCK_MS) facts.clockOffsetMs = co;
  else if (co !== undefined) warn(`${n.name}: the manifest gives a clock offset of ${co} ms, more than a year; ignored`);
  const cu = num(f.clockUncertaintyMs) ?? num(clock.uncertaintyMs);
  if (cu !== undefined) facts.clockUncertaintyMs = cu;
  return facts;
}

/**
 * A log file in a bundle: where its entry is, and methods that read it from there. A file made
 * of functions of its own (open, bytes) and a Date held 80 MB for a bundle of 200,000 one-line
 * members; these hold their numbers, and share the methods.
 */
class MemberFile implements LogFile {
  order = 0;

  constructor(
    public node: string,
    readonly kind: LogKind,
    readonly path: string,
    readonly size: number,
    private readonly mtimeMs: number,
    protected readonly reading: MemberReading,
    protected readonly place: number,
  ) {}

  get mtime(): Date {
    return new Date(this.mtimeMs);
  }

  open(): Readable {
    return this.reading.open(this.place, this.size);
  }
}

/** A member small enough to read at once (LogFile.bytes). */
class SmallMemberFile extends MemberFile {
  bytes(): Buffer {
    return this.reading.inHand(this.place, this.size);
  }
}

/** An Inventory from an open bundle: one node per manifest node, its logs under nodes/<node>/logs/. */
export async function inventoryFromReader(b: BundleReader): Promise<Inventory> {
  const warnings: string[] = [];
  const nodes: NodeInput[] = [];
  const byNode = new Map<string, ManifestNode<never>>(b.manifest.nodes.map((n) => [n.name, n]));
  // Nodes present as directories but absent from the manifest are read too, and said so.
  for (const p of b.entries.keys()) {
    const m = /^nodes\/([^/]+)\//.exec(p);
    if (m && !byNode.has(m[1])) {
      byNode.set(m[1], { name: m[1], host: '', role: 'unknown', facts: {}, files: [], errors: [] });
      warnings.push(`${path.basename(b.file)}: node directory nodes/${m[1]}/ is not in the manifest; read without facts`);
    }
  }
  warnings.push(...manifestMismatches(b));
  for (const mn of byNode.values()) {
    const prefix = `nodes/${mn.name}/logs/`;
    const files: LogFile[] = [];
    const ranks: number[] = [];
    // collect copies what its patterns match (ha.log*, --path globs), which may be a name that is
    // not an SMS log's (ha.log.bak), and a bundle may be changed by hand: said, not skipped in silence.
    const unread: string[] = [];
    let unreadCount = 0;
    for (const p of b.entries.keys()) {
      if (!p.startsWith(prefix)) continue;
      const c = classifyFileName(path.posix.basename(p));
      if (!c) {
        if (unreadCount++ < 3) unread.push(p.slice(prefix.length));
        continue;
      }
      const e = b.entries.get(p)!;
      // Not the reader: it holds its manifest and the table of every entry (a bundle of 200,000
      // members: 20 MB) that the analysis has no use for; `reading` holds the block index.
      const place = b.place(p);
      // Its own string: the entry's path is not kept after this.
      const shown = ownSlice(e.path, `nodes/${mn.name}/`.length);
      const lf = b.reading.fitsInHand(place, e.size)
        ? new SmallMemberFile(mn.name, c.kind, shown, e.size, e.mtime.getTime(), b.reading, place)
        : new MemberFile(mn.name, c.kind, shown, e.size, e.mtime.getTime(), b.reading, place);
      ranks.push(rotationRank(c.rotation));
      files.push(lf);
    }
    const facts = factsOf(mn, (m) => warnings.push(m));
    const statePath = `nodes/${mn.name}/facts/ha.state`;
    if (b.entries.has(statePath)) {
      const e = b.entries.get(statePath)!;
      if (e.size <= HA_STATE_LIMIT) facts.haState = (await b.read(statePath, HA_STATE_LIMIT)).toString('utf8');
      else warnings.push(`${mn.name}: ${statePath} is ${e.size} bytes, too large for an ha.state file; ignored`);
    }
    const dfPath = `nodes/${mn.name}/facts/df.txt`;
    if (b.entries.has(dfPath) && b.entries.get(dfPath)!.size <= FACT_LIMIT) facts.diskUse = parseDf((await b.read(dfPath, FACT_LIMIT)).toString('utf8'));
    const freePath = `nodes/${mn.name}/facts/free.txt`;
    if (b.entries.has(freePath) && b.entries.get(freePath)!.size <= FACT_LIMIT) {
      const memory = parseFree((await b.read(freePath, FACT_LIMIT)).toString('utf8'));
      if (memory) facts.memory = memory;
    }
    for (const err of mn.errors) warnings.push(`${mn.name}: collection: ${err.source ? `${err.source}: ` : ''}${err.message}`);
    if (unreadCount) {
      const examples = unreadCount > unread.length ? [...unread, `and ${unreadCount - unread.length} more`] : unread;
      warnings.push(`${mn.name}: ${unreadCount} file(s) under nodes/${mn.name}/logs/ are not named as an SMS log smsdiag reads (${examples.join('; ')}); not read`);
    }
    if (!files.length) warnings.push(`${mn.name}: the bundle holds no log files for this node`);
    const node: NodeInput = { name: mn.name, role: roleFrom(mn.role), files: orderFiles(files, ranks), facts };
    if (mn.errors.length) node.collectionErrors = mn.errors;
    nodes.push(node);
  }
  const incident = b.manifest.incident ? Date.parse(b.manifest.incident) : NaN;
  return { nodes, warnings, ...(Number.isFinite(incident) ? { incident } : {}) };
}

/**
 * Where the bundle's entries disagree with its own manifest (missing, another size, not listed),
 * as a warning: reading in place does not hash every entry, as `verify` does, but it can say this
 * much for nothing.
 */
function manifestMismatches(b: BundleReader): string[] {
  if (!b.mismatches.length) return [];
  const name = path.basename(b.file);
  return [`${name} does not match its own manifest (${firstFew(b.mismatches)}); it was changed after it was collected: run smsdiag verify ${name}`];
}

/** Read a bundle (.tar.gz) in place into an Inventory. Errors are BundleError (exit 3). */
export async function inventoryFromBundle(file: string): Promise<Inventory> {
  const b = await openBundle(file);
  if (!b.manifest.nodes.length && ![...b.entries.keys()].some((p) => p.startsWith('nodes/'))) {
    throw new BundleError(`${file} holds no nodes; the collection found nothing to put in it`);
  }
  return inventoryFromReader(b);
}
