import { createReadStream, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Inventory, NodeFacts, NodeInput, Role } from './types';
import { analyzeInventory } from './analyze';
import { adviceFor } from './knowledge/lookup';
import { EXIT } from './errors';
import { renderJson } from './report/json';
import { renderSummary } from './report/summary';
import { renderHtml } from './report/html';
import { ndjsonLine } from './report/timeline';
import { eventEntry } from './timeline';
import type { Manifest, ManifestError, ManifestFile, ManifestNode } from './sources/bundle/manifest';
import { createRedactor } from './bundle/redact';
import { checkOutputDirectory, createBundleWriter } from './bundle/writer';
import { classifyFileName } from './sources/catalog';
import { catalogGlobs } from './sources/find';
import { collectFacts, type CollectedFacts } from './sources/facts';
import { assumeZone } from './sources/inputs';
import { nodeFromDirectory } from './sources/local';
import { localAccess, sshAccess, type NodeAccess, type NodeFile, type PathGlob } from './sources/remote';
import { connect, type SshTarget } from './sources/ssh';

export interface CollectNode {
  name: string;
  role: Role;
  /** Absent for this machine. */
  host?: string;
}

export interface CollectOptions {
  nodes: CollectNode[];
  ssh: Omit<SshTarget, 'host'>;
  /** --path [NODE:]KIND=GLOB; a node without its own list uses the shared one, else the catalog. */
  paths: { node?: string; glob: PathGlob }[];
  /** Rotated files last written before this are left out; the current file never is. */
  since?: number;
  outDir: string;
  caseId?: string;
  description?: string;
  incident?: string;
  redactWords?: string[];
  redact: boolean;
  commandLine: string[];
  toolVersion: string;
  /** Zone for a node whose own could not be sampled (the command gives this machine's). */
  defaultOffsetMinutes?: number;
  progress: (node: string, event: { files: number; bytes: number; done?: boolean; error?: string }) => void;
  now?: () => Date;
}

export interface CollectedNode {
  name: string;
  reached: boolean;
  files: number;
  bytes: number;
  errors: string[];
}

export interface CollectResult {
  /** Complete; a bundle written but something failed; nothing reachable (no bundle). */
  exitCode: typeof EXIT.ok | typeof EXIT.incomplete | typeof EXIT.unreachable;
  bundle?: string;
  sha256File?: string;
  mapFile?: string;
  nodes: CollectedNode[];
}

interface Spooled {
  spec: CollectNode;
  reached: boolean;
  host: string;
  facts?: CollectedFacts;
  files: Array<{ file: NodeFile; local: string }>;
  errors: ManifestError[];
  bytes: number;
}

function globsFor(node: string, opts: CollectOptions): PathGlob[] {
  const own = opts.paths.filter((p) => p.node === node).map((p) => p.glob);
  if (own.length) return own;
  const shared = opts.paths.filter((p) => !p.node).map((p) => p.glob);
  if (shared.length) return shared;
  return catalogGlobs();
}

/** Rotated files wholly before --since are left out; the live file always comes. */
function wanted(f: NodeFile, since: number | undefined): boolean {
  if (since === undefined) return true;
  const c = classifyFileName(path.basename(f.path));
  return !c || c.rotation.group === 2 || f.mtime.getTime() >= since;
}

async function collectNode(spec: CollectNode, opts: CollectOptions, spool: string): Promise<Spooled> {
  const out: Spooled = { spec, reached: false, host: spec.host ?? os.hostname(), files: [], errors: [], bytes: 0 };
  let access: NodeAccess;
  try {
    access = spec.host ? sshAccess(await connect({ ...opts.ssh, host: spec.host })) : localAccess();
  } catch (err) {
    out.errors.push({ message: (err as Error).message });
    opts.progress(spec.name, { files: 0, bytes: 0, done: true, error: (err as Error).message });
    return out;
  }
  out.reached = true;
  try {
    out.facts = await collectFacts(access, !!spec.host);
    const listed = (await access.list(globsFor(spec.name, opts))).filter((f) => wanted(f, opts.since));
    const dir = path.join(spool, spec.name);
    await fs.mkdir(dir, { recursive: true, mode: 0o700 });
    const seen = new Set<string>();
    for (const f of listed) {
      const base = path.basename(f.path);
      if (seen.has(base)) continue;
      seen.add(base);
      const local = path.join(dir, base);
      try {
        const n = await copyWithRotation(access, f, local);
        out.files.push({ file: { ...f, size: n }, local });
        out.bytes += n;
        opts.progress(spec.name, { files: out.files.length, bytes: out.bytes });
      } catch (err) {
        out.errors.push({ source: f.path, message: (err as Error).message });
        await fs.rm(local, { force: true });
      }
    }
  } catch (err) {
    out.errors.push({ message: `${spec.name}: ${(err as Error).message}` });
  } finally {
    access.close();
  }
  opts.progress(spec.name, { files: out.files.length, bytes: out.bytes, done: true });
  return out;
}

/**
 * Copies a file up to the size it had when listed (a growing log stops there). When it vanished
 * or shrank meanwhile — rotated away — its first rotation (`x.1`, then `x.1.gz`) is taken instead.
 */
async function copyWithRotation(access: NodeAccess, f: NodeFile, local: string): Promise<number> {
  const tryCopy = (p: string): Promise<number> => access.copy(p, f.size, local);
  let problem: string;
  try {
    const n = await tryCopy(f.path);
    if (n === f.size) return n;
    problem = `shrank from ${f.size} to ${n} bytes while collected`;
  } catch (err) {
    problem = (err as Error).message;
  }
  for (const rotated of [`${f.path}.1`, `${f.path}.1.gz`]) {
    try {
      const n = await tryCopy(rotated);
      if (n > 0) return n;
    } catch {
      // Not there either: try the next name.
    }
  }
  throw new Error(`${problem}; no rotated copy (.1, .1.gz) found either`);
}

function stamp(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

/** Spooled nodes as analysis input: their copied files, with the facts that correct their times. */
async function inventoryOf(spooled: Spooled[], spool: string, defaultOffsetMinutes: number): Promise<Inventory> {
  const warnings: string[] = [];
  const nodes: NodeInput[] = [];
  for (const s of spooled.filter((x) => x.reached)) {
    const n = await nodeFromDirectory(s.spec.name, path.join(spool, s.spec.name), warnings);
    const v = s.facts?.values ?? {};
    const facts: NodeFacts = {
      hostname: v.hostname as string | undefined,
      utcOffsetMinutes: v.utcOffsetMinutes as number | undefined,
      clockOffsetMs: v.clockOffsetMs as number | undefined,
      clockUncertaintyMs: v.clockUncertaintyMs as number | undefined,
      haState: v.haState as string | undefined,
    };
    assumeZone(facts, defaultOffsetMinutes);
    nodes.push({ ...n, role: s.spec.role, facts });
  }
  return { nodes, warnings };
}

/**
 * The analysis/ folder of a bundle, so the engineer who opens it reads the answer first.
 * Times without a zone use each node's collected UTC offset (facts), else the collector's zone.
 */
async function buildAnalysisFiles(inventory: Inventory): Promise<Array<{ path: string; data: Buffer }>> {
  const analysis = await analyzeInventory(inventory);
  const timeline = analysis.events.map((e) => ndjsonLine(eventEntry(e))).join('');
  return [
    { path: 'analysis/findings.json', data: Buffer.from(renderJson(analysis.report)) },
    { path: 'analysis/summary.txt', data: Buffer.from(renderSummary(analysis.report, adviceFor)) },
    { path: 'analysis/timeline.ndjson', data: Buffer.from(timeline) },
    { path: 'analysis/report.html', data: Buffer.from(renderHtml(analysis, { explain: adviceFor })) },
  ];
}

/** `smsdiag collect`: every node in parallel into a private spool, then one verified bundle. */
export async function collect(opts: CollectOptions): Promise<CollectResult> {
  const now = opts.now ?? (() => new Date());
  const started = now();
  // Before any node is reached: a collection that cannot be written is not started.
  await checkOutputDirectory(opts.outDir);
  const spool = await fs.mkdtemp(path.join(os.tmpdir(), 'smsdiag-collect-'));
  await fs.chmod(spool, 0o700);
  try {
    const spooled = await Promise.all(opts.nodes.map((n) => collectNode(n, opts, spool)));
    const summary: CollectedNode[] = spooled.map((s) => ({ name: s.spec.name, reached: s.reached, files: s.files.length, bytes: s.bytes, errors: s.errors.map((e) => (e.source ? `${e.source}: ${e.message}` : e.message)) }));
    if (!spooled.some((s) => s.reached)) return { exitCode: EXIT.unreachable, nodes: summary };

    const cluster = (spooled.find((s) => s.reached)?.facts?.values.hostname as string | undefined) ?? spooled[0].host;
    const name = `smsdiag-${cluster.replace(/[^A-Za-z0-9.-]/g, '_')}-${stamp(started)}`;
    const redactor = opts.redact ? createRedactor({ words: opts.redactWords }) : undefined;
    if (redactor) {
      for (const s of spooled) {
        if (s.host) redactor.register('host', s.host);
        const h = s.facts?.values.hostname;
        if (typeof h === 'string') redactor.register('host', h);
      }
    }
    // The analysis reads the spool while the logs go into the bundle; its files are added last.
    const analysisDone = inventoryOf(spooled, spool, opts.defaultOffsetMinutes ?? 0).then(buildAnalysisFiles);
    analysisDone.catch(() => undefined);
    const writer = await createBundleWriter({ outDir: opts.outDir, name, redactor });
    try {
      const nodes: ManifestNode[] = [];
      for (const s of spooled) {
        const files: ManifestFile[] = [];
        for (const { file, local } of s.files) {
          const stored = await writer.addFile({ path: `nodes/${s.spec.name}/logs/${path.basename(file.path)}`, size: file.size, mtime: file.mtime, body: createReadStream(local), source: file.path });
          files.push({ kind: file.kind, source: file.path, path: stored.path, size: stored.size, mtime: file.mtime.toISOString(), sha256: stored.sha256 });
        }
        for (const f of s.facts?.files ?? []) {
          const data = Buffer.from(f.text);
          const stored = await writer.addFile({ path: `nodes/${s.spec.name}/facts/${f.name}`, size: data.length, mtime: started, body: data });
          files.push({ kind: 'facts', source: f.name, path: stored.path, size: stored.size, mtime: started.toISOString(), sha256: stored.sha256 });
        }
        nodes.push({ name: s.spec.name, host: s.host, role: s.spec.role, facts: s.facts?.values ?? {}, files, errors: s.errors });
      }
      const analysisEntries = [];
      for (const a of await analysisDone) {
        const stored = await writer.addFile({ path: a.path, size: a.data.length, mtime: started, body: a.data });
        analysisEntries.push({ path: stored.path, size: stored.size, sha256: stored.sha256 });
      }
      const manifest: Manifest = {
        format: 'smsdiag-bundle',
        version: 1,
        tool: { name: 'smsdiag', version: opts.toolVersion },
        commandLine: opts.commandLine,
        createdAt: started.toISOString(),
        ...(opts.caseId ? { case: opts.caseId } : {}),
        ...(opts.description ? { description: opts.description } : {}),
        ...(opts.incident ? { incident: opts.incident } : {}),
        redacted: !!redactor,
        nodes,
        analysis: analysisEntries,
      };
      const done = await writer.finish(manifest);
      const failed = spooled.some((s) => !s.reached || s.errors.length);
      return { exitCode: failed ? EXIT.incomplete : EXIT.ok, bundle: done.path, sha256File: done.sha256File, mapFile: done.mapFile, nodes: summary };
    } catch (err) {
      await writer.abort();
      throw err;
    }
  } finally {
    await fs.rm(spool, { recursive: true, force: true });
  }
}

