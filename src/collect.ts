import { createReadStream, promises as fs } from 'node:fs';
import { Readable } from 'node:stream';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Inventory, LogFile, NodeInput, Role } from './types';
import { analyzeInventory } from './analyze';
import { adviceFor } from './knowledge/lookup';
import { EXIT } from './errors';
import { renderJson } from './report/json';
import { renderSummary } from './report/summary';
import { renderHtml } from './report/html';
import { ndjsonLine } from './report/timeline';
import { eventEntry } from './timeline';
import type { Manifest, ManifestError, ManifestFile, ManifestNode } from './sources/bundle/manifest';
import { createRedactor, redactBytes, type Redactor } from './bundle/redact';
import type { ProgressEvent } from './report/progress';
import { checkOutputDirectory, createBundleWriter } from './bundle/writer';
import { createLanding, following, type Landing } from './landing';
import { BLOCK_SIZE } from './sources/bundle/block-gzip';
import { classifyFileName, rotationRank } from './sources/catalog';
import { globsForNode } from './sources/find';
import { sampledFacts, surveyNode, type CollectedFacts } from './sources/facts';
import { assumeZone } from './sources/inputs';
import { byAge, localFile, nodeFromDirectory, orderFiles } from './sources/local';
import { filesInReadOrder } from './correlate/node-pass';
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
  progress: (node: string, event: ProgressEvent) => void;
  now?: () => Date;
  /** Stops the collection (watch ending): connections closed, the half-written bundle removed. */
  signal?: AbortSignal;
  /** Worker threads for the analysis of this much input (analyze's --threads default); 1 without. */
  analysisThreads?: (inv: Inventory) => number;
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

interface SpooledFile {
  file: NodeFile;
  local: string;
}

interface Spooled {
  spec: CollectNode;
  reached: boolean;
  host: string;
  facts?: CollectedFacts;
  files: SpooledFile[];
  errors: ManifestError[];
  bytes: number;
}

/**
 * What a node's copying will leave in the spool if every copy succeeds, known once its files are
 * listed: each file with its landing, and the errors said before any copy (refused and doubled
 * names), as the node's errors will then read.
 */
interface Plan {
  files: Array<{ file: NodeFile; local: string; landing: Landing }>;
  errors: ManifestError[];
}

/**
 * A node being collected: ready once reached (or not), its plan once listed (undefined when it
 * was not reached or could not be listed), its files as they land, its end.
 */
interface NodeRun {
  spooled: Spooled;
  ready: Promise<void>;
  planned: Promise<Plan | undefined>;
  copied: AsyncIterable<SpooledFile>;
  done: Promise<Spooled>;
}

function startNode(spec: CollectNode, opts: CollectOptions, spool: string): NodeRun {
  const spooled: Spooled = { spec, reached: false, host: spec.host ?? os.hostname(), files: [], errors: [], bytes: 0 };
  let isReady!: () => void;
  const ready = new Promise<void>((r) => (isReady = r));
  let isPlanned!: (p: Plan | undefined) => void;
  const planned = new Promise<Plan | undefined>((r) => (isPlanned = r));
  const landed: SpooledFile[] = [];
  let ended = false;
  let wake: (() => void) | undefined;
  const nudge = (): void => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const done = collectNode(spooled, opts, spool, isReady, isPlanned, (f) => {
    landed.push(f);
    nudge();
  }).finally(() => {
    isReady();
    isPlanned(undefined);
    ended = true;
    nudge();
  });
  const copied = (async function* (): AsyncGenerator<SpooledFile> {
    for (let i = 0; ; ) {
      if (i < landed.length) yield landed[i++];
      else if (ended) return;
      else await new Promise<void>((r) => (wake = r));
    }
  })();
  return { spooled, ready, planned, copied, done };
}

/** Rotated files wholly before --since are left out; the live file always comes. */
function wanted(f: NodeFile, since: number | undefined): boolean {
  if (since === undefined) return true;
  const c = classifyFileName(path.basename(f.path));
  return !c || c.rotation.group === 2 || f.mtime.getTime() >= since;
}

/** Why a listed file is not copied (a hostile name, a name collected already), or undefined. */
function notCopied(f: NodeFile, seen: Map<string, string>): ManifestError | undefined | 'quiet' {
  if (f.refused) return { source: f.path, message: f.refused };
  const base = path.basename(f.path);
  const first = seen.get(base);
  if (first === undefined) {
    seen.set(base, f.path);
    return undefined;
  }
  // Two default locations may both hold an ha.log: one goes in, the other is said, not dropped.
  return first !== f.path ? { source: f.path, message: `not collected: a file of the same name (${first}) was collected already` } : 'quiet';
}

/**
 * One node into the spool: reach it, list its files (then `planned`) and copy them (each to `copied`
 * as it lands, so the bundle can take it while the next one copies); its facts (then `ready`) are
 * read meanwhile where the files were listed over SFTP, first otherwise.
 */
async function collectNode(out: Spooled, opts: CollectOptions, spool: string, ready: () => void, planned: (p: Plan) => void, copied: (f: SpooledFile) => void): Promise<Spooled> {
  const spec = out.spec;
  let access: NodeAccess;
  opts.progress(spec.name, { files: 0, bytes: 0, phase: 'connecting' });
  try {
    access = spec.host ? sshAccess(await connect({ ...opts.ssh, host: spec.host }, opts.signal)) : localAccess(opts.signal);
  } catch (err) {
    out.errors.push({ message: (err as Error).message });
    opts.progress(spec.name, { files: 0, bytes: 0, done: true, error: (err as Error).message });
    return out;
  }
  out.reached = true;
  const stop = (): void => access.close();
  opts.signal?.addEventListener('abort', stop, { once: true });
  try {
    opts.progress(spec.name, { files: 0, bytes: 0, phase: 'listing' });
    const globs = globsForNode(spec.name, opts.paths);
    // Listed over SFTP, the files start to copy while the survey's shell starts; else the survey lists them.
    const quick = await access.list(globs);
    const surveyed = surveyNode(access, !!spec.host, quick ? [] : globs).then((survey) => {
      out.facts = survey.facts;
      return survey.files;
    });
    surveyed.then(ready, ready);
    const listed = (quick ?? (await surveyed)).filter((f) => wanted(f, opts.since));
    const dir = path.join(spool, spec.name);
    await fs.mkdir(dir, { recursive: true, mode: 0o700 });
    const seen = new Map<string, string>();
    type Step = { f: NodeFile; skip: ManifestError | 'quiet' } | { f: NodeFile; skip?: undefined; local: string; landing: Landing };
    const steps = listed.map((f): Step => {
      const skip = notCopied(f, seen);
      if (skip !== undefined) return { f, skip };
      return { f, local: path.join(dir, path.basename(f.path)), landing: createLanding() };
    });
    const plan: Plan = { files: [], errors: [...out.errors] };
    for (const x of steps) {
      if (x.skip === undefined) plan.files.push({ file: x.f, local: x.local, landing: x.landing });
      else if (x.skip !== 'quiet') plan.errors.push(x.skip);
    }
    planned(plan);
    try {
      // What is not copied is said first, in the listing's order, as the plan said it.
      for (const step of [...steps.filter((x) => x.skip !== undefined), ...copyOrder(steps.filter((x) => x.skip === undefined))]) {
        // Stopped (a watch ending): no more copies; the bundle is not written.
        if (opts.signal?.aborted) break;
        if (step.skip !== undefined) {
          if (step.skip !== 'quiet') out.errors.push(step.skip);
          continue;
        }
        const { f, local, landing } = step;
        const base = path.basename(f.path);
        try {
          const n = await copyWithRotation(access, f, local, landing, (got) => opts.progress(spec.name, { files: out.files.length, bytes: out.bytes + got, phase: 'copying', file: base }));
          // The copy keeps the source's modification time: it dates lines without a time, in this
          // collection's analysis as in analyze of the bundle (which has it from the manifest).
          await fs.utimes(local, f.mtime, f.mtime);
          const entry = { file: { ...f, size: n }, local };
          out.files.push(entry);
          out.bytes += n;
          landing.landed();
          copied(entry);
          opts.progress(spec.name, { files: out.files.length, bytes: out.bytes });
        } catch (err) {
          landing.failed(err as Error);
          out.errors.push({ source: f.path, message: (err as Error).message });
          await fs.rm(local, { force: true });
        }
      }
    } finally {
      // Whatever has not landed now (stopped, failed) never will.
      for (const x of steps) if (x.skip === undefined) x.landing.failed(new Error('not collected'));
    }
    // A survey that failed while the files copied is said now (its facts are missing).
    await surveyed;
  } catch (err) {
    out.errors.push({ message: `${spec.name}: ${(err as Error).message}` });
  } finally {
    opts.signal?.removeEventListener('abort', stop);
    access.close();
  }
  opts.progress(spec.name, { files: out.files.length, bytes: out.bytes, done: true });
  return out;
}

/**
 * The order a node's files are copied in: the one its analysis reads them in (kind by kind, the
 * oldest rotation first), so that the analysis, which starts on each file once it has landed,
 * is not left waiting for an old rotation while the live log copies; files it does not read last.
 */
function copyOrder<S extends { f: NodeFile }>(steps: S[]): S[] {
  const known = steps.flatMap((s) => {
    const base = path.basename(s.f.path);
    const c = classifyFileName(base);
    return c ? [{ kind: c.kind, path: base, rotation: c.rotation, s }] : [];
  });
  const read = filesInReadOrder(byAge(known, (k) => k.rotation)).map((k) => k.s);
  const first = new Set(read);
  return [...read, ...steps.filter((s) => !first.has(s))];
}

/**
 * Copies a file up to the size it had when listed (a growing log stops there), telling `landing`
 * how much is on disk. When it vanished or shrank meanwhile — rotated away — its first rotation
 * (`x.1`, then `x.1.gz`) is taken instead, over the same local file: the landing then fails, as
 * what it said landed is no longer what the file holds.
 */
async function copyWithRotation(access: NodeAccess, f: NodeFile, local: string, landing: Landing, onBytes: (n: number) => void): Promise<number> {
  const tryCopy = (p: string, more?: (n: number) => void): Promise<number> => access.copy(p, f.size, local, (n) => (more?.(n), onBytes(n)));
  let problem: string;
  try {
    const n = await tryCopy(f.path, (got) => landing.grew(got));
    if (n === f.size) return n;
    problem = `shrank from ${f.size} to ${n} bytes while collected`;
  } catch (err) {
    problem = (err as Error).message;
  }
  landing.failed(new Error(`${f.path} was copied again from its rotation`));
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

/**
 * Redacts the spool in place, before anything reads it: first every name the nodes are known by
 * (the SSH host, `hostname`, /etc/hosts) is registered, so a short name is replaced everywhere,
 * also where it is not written as a host; then each copied log is rewritten redacted.
 */
async function redactSpool(spooled: Spooled[], redactor: Redactor): Promise<void> {
  for (const s of spooled) {
    if (s.spec.host) redactor.register('host', s.spec.host);
    const h = s.facts?.values.hostname;
    if (typeof h === 'string') redactor.register('host', h);
    const hosts = s.facts?.files.find((f) => f.name === 'hosts.txt')?.text ?? '';
    for (const line of hosts.split('\n')) {
      const [addr, ...names] = line.replace(/#.*/, '').trim().split(/\s+/);
      if (!addr || addr.startsWith('127.') || addr === '::1' || /^(?:ff|fe00)/i.test(addr)) continue;
      for (const n of names) if (n && !/^(?:localhost|ip6-)/i.test(n)) redactor.register('host', n);
    }
  }
  for (const s of spooled) {
    for (const f of s.files) {
      const out = `${f.local}.redacting`;
      const fh = await fs.open(out, 'wx', 0o600);
      try {
        await redactBytes(createReadStream(f.local), redactor, async (c) => void (await fh.write(c)));
      } catch (err) {
        await fh.close();
        await fs.rm(out, { force: true });
        // Not sent unredacted: the file stays out of the bundle, and the manifest says why.
        s.errors.push({ source: f.file.path, message: `not stored in the bundle: could not be redacted: ${(err as Error).message}` });
        await fs.rm(f.local, { force: true });
        f.local = '';
        continue;
      }
      await fh.close();
      await fs.rename(out, f.local);
      f.file = { ...f.file, size: (await fs.stat(f.local)).size };
    }
    s.files = s.files.filter((f) => f.local);
  }
}

function stamp(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

/** What the analysis of a collection takes from a node's facts, its zone assumed when not sampled. */
function analysisFacts(s: Spooled, defaultOffsetMinutes: number): NodeInput['facts'] {
  const facts = sampledFacts(s.facts ?? { values: {}, files: [] });
  assumeZone(facts, defaultOffsetMinutes);
  return facts;
}

/**
 * Spooled nodes as analysis input: their copied files, with the facts that correct their times,
 * and what could not be collected (a node not reached has no files, only that).
 */
async function inventoryOf(spooled: Spooled[], spool: string, defaultOffsetMinutes: number): Promise<Inventory> {
  const warnings: string[] = [];
  const nodes: NodeInput[] = [];
  for (const s of spooled) {
    const errors = s.errors.map((e) => ({ ...e }));
    if (!s.reached || !s.files.length) {
      nodes.push({ name: s.spec.name, role: s.spec.role, files: [], facts: {}, collectionErrors: errors.length ? errors : [{ message: 'no log files were found on it' }] });
      continue;
    }
    const n = await nodeFromDirectory(s.spec.name, path.join(spool, s.spec.name), warnings);
    const facts = analysisFacts(s, defaultOffsetMinutes);
    nodes.push({ ...n, role: s.spec.role, facts, ...(errors.length ? { collectionErrors: errors } : {}) });
  }
  return { nodes, warnings };
}

/** Pieces in which the analysis follows a file landing in the spool (a local file's read size). */
const FOLLOW_PIECE = 1024 * 1024;

/** A file as it lands, telling `misread` when its reading fails (the copy failed, or was made again). */
async function* watchedFollowing(local: string, landing: Landing, misread: () => void): AsyncGenerator<Buffer> {
  try {
    yield* following(local, landing, FOLLOW_PIECE);
  } catch (err) {
    misread();
    throw err;
  }
}

/**
 * The inventory inventoryOf will make once every planned copy has landed, made as soon as every
 * node is listed: the same files (name, kind, order, size, time), each read as it lands; `misread`
 * tells a reading that failed (the analysis says such a file was cut short, and goes on).
 * Undefined when a node was not reached or listed, or has nothing to copy.
 */
async function plannedInventory(runs: NodeRun[], defaultOffsetMinutes: number, misread: () => void): Promise<Inventory | undefined> {
  const plans = await Promise.all(runs.map((r) => r.planned));
  // A node may be listed (over SFTP) before its facts are read: the analysis needs both.
  await Promise.all(runs.map((r) => r.ready));
  const nodes: NodeInput[] = [];
  for (const [k, plan] of plans.entries()) {
    const s = runs[k].spooled;
    if (!plan?.files.length) return undefined;
    const files: LogFile[] = [];
    const ranks: number[] = [];
    for (const { file, local, landing } of plan.files) {
      const base = path.basename(local);
      const c = classifyFileName(base);
      if (!c) continue;
      const lf = localFile(s.spec.name, c.kind, local, base, file);
      lf.open = () => Readable.from(watchedFollowing(local, landing, misread), { highWaterMark: 1 });
      files.push(lf);
      ranks.push(rotationRank(c.rotation));
    }
    const facts = analysisFacts(s, defaultOffsetMinutes);
    const errors = plan.errors.map((e) => ({ ...e }));
    nodes.push({ name: s.spec.name, role: s.spec.role, files: orderFiles(files, ranks), facts, ...(errors.length ? { collectionErrors: errors } : {}) });
  }
  return { nodes, warnings: [] };
}

/** What an analysis of a collection reads, to compare two inventories by: nodes, files, facts, errors. */
function inputKey(inv: Inventory): string {
  return JSON.stringify({
    incident: inv.incident,
    warnings: inv.warnings,
    nodes: inv.nodes.map((n) => ({ name: n.name, role: n.role, facts: n.facts, errors: n.collectionErrors, files: n.files.map((f) => [f.path, f.kind, f.order, f.size, f.mtime.getTime()]) })),
  });
}

/**
 * The analysis/ folder of a bundle, so the engineer who opens it reads the answer first.
 * Times without a zone use each node's collected UTC offset (facts), else the collector's zone.
 */
async function buildAnalysisFiles(inventory: Inventory, threads: number): Promise<Array<{ path: string; data: Buffer }>> {
  const analysis = await analyzeInventory(inventory, { threads });
  const timeline = analysis.events.map((e) => ndjsonLine(eventEntry(e))).join('');
  return [
    { path: 'analysis/findings.json', data: Buffer.from(renderJson(analysis.report)) },
    { path: 'analysis/summary.txt', data: Buffer.from(renderSummary(analysis.report, adviceFor)) },
    { path: 'analysis/timeline.ndjson', data: Buffer.from(timeline) },
    { path: 'analysis/report.html', data: Buffer.from(renderHtml(analysis, { explain: adviceFor })) },
  ];
}

/** `p`, or a rejection as soon as `signal` stops the collection (an analysis is not waited for). */
function unlessStopped<T>(p: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return p;
  return new Promise<T>((resolve, reject) => {
    const stop = (): void => reject(signal.reason);
    if (signal.aborted) return stop();
    signal.addEventListener('abort', stop, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', stop));
  });
}

/** `smsdiag collect`: every node in parallel into a private spool, then one verified bundle. */
export async function collect(opts: CollectOptions): Promise<CollectResult> {
  const now = opts.now ?? (() => new Date());
  const started = now();
  // Before any node is reached: a collection that cannot be written is not started.
  await checkOutputDirectory(opts.outDir);
  const spool = await fs.mkdtemp(path.join(os.tmpdir(), 'smsdiag-collect-'));
  await fs.chmod(spool, 0o700);
  let runs: NodeRun[] = [];
  try {
    runs = opts.nodes.map((n) => startNode(n, opts, spool));
    const spooled = runs.map((r) => r.spooled);
    const copiedAll = Promise.all(runs.map((r) => r.done));
    const summary = (): CollectedNode[] => spooled.map((s) => ({ name: s.spec.name, reached: s.reached, files: s.files.length, bytes: s.bytes, errors: s.errors.map((e) => (e.source ? `${e.source}: ${e.message}` : e.message)) }));
    // The bundle's name needs the first reached node's facts, not its files: writing starts then.
    await Promise.all(runs.map((r) => r.ready));
    if (!spooled.some((s) => s.reached)) {
      await copiedAll;
      return { exitCode: EXIT.unreachable, nodes: summary() };
    }

    const cluster = (spooled.find((s) => s.reached)?.facts?.values.hostname as string | undefined) ?? spooled[0].host;
    const redactor = opts.redact ? createRedactor({ words: opts.redactWords }) : undefined;
    if (redactor) {
      // Names are learnt from every node's facts and files before any is redacted: all first.
      await copiedAll;
      opts.progress('bundle', { files: 0, bytes: 0, phase: 'redacting' });
      await redactSpool(spooled, redactor);
    }
    // `-2`, `-3`… when a bundle of that name is there or being written (a collect started the same second).
    const name = `smsdiag-${(redactor ? redactor.register('host', cluster) : cluster).replace(/[^A-Za-z0-9.-]/g, '_')}-${stamp(started)}`;
    // The analysis reads the spool (redacted already, so the report is made from redacted data and its
    // own code is never touched) while the logs go into the bundle; its files are added last.
    const withIncident = (inv: Inventory): Inventory => (opts.incident ? { ...inv, incident: Date.parse(opts.incident) } : inv);
    const threads = (inv: Inventory): number => opts.analysisThreads?.(inv) ?? 1;
    // Unredacted, it starts once every node is listed and reads each file as it lands, so that
    // little of it is left when the copying ends. It is kept only if the spool then holds exactly
    // the files it read, as it read them (a copy that failed, a rotation copied over what was
    // read: the spool is read again).
    let misread = false;
    const early = redactor
      ? undefined
      : plannedInventory(runs, opts.defaultOffsetMinutes ?? 0, () => (misread = true)).then((planned) => {
          if (!planned) return undefined;
          const inv = withIncident(planned);
          const files = buildAnalysisFiles(inv, threads(inv));
          files.catch(() => undefined);
          return { key: inputKey(inv), files };
        });
    const analysisDone = copiedAll.then(async () => {
      opts.progress('bundle', { files: 0, bytes: 0, phase: 'analysing' });
      const inv = withIncident(await inventoryOf(spooled, spool, opts.defaultOffsetMinutes ?? 0));
      const guess = await early;
      // Not two analyses at once: the early one ends soon (what never landed fails at once).
      const made = await guess?.files.catch(() => undefined);
      // Every planned file landed whole at the first try: none failed, none was copied again.
      const whole = (await Promise.all(runs.map((r) => r.planned))).every((p) => p?.files.every((f) => f.landing.end === 'landed'));
      if (made && guess?.key === inputKey(inv) && !misread && whole) return made;
      return buildAnalysisFiles(inv, threads(inv));
    });
    analysisDone.catch(() => undefined);
    const writer = await createBundleWriter({ outDir: opts.outDir, name, redactor, unique: true });
    // Everything this collection stores was redacted already (spool, facts, analysis): the writer must not do it again.
    const asRedacted = redactor ? { redacted: true as const } : {};
    opts.progress('bundle', { files: 0, bytes: 0, phase: 'writing' });
    try {
      const nodes: ManifestNode[] = [];
      for (const [k, s] of spooled.entries()) {
        const files: ManifestFile[] = [];
        // Kept apart until the node's copying is over: its own errors come meanwhile, and the
        // manifest lists them first whatever the timing.
        const notStored: ManifestError[] = [];
        // Without redaction each file goes in as soon as it is copied, while the next one copies.
        for await (const { file, local } of redactor ? s.files : runs[k].copied) {
          // One entry that cannot be stored (redaction over a damaged log, a source gone) is recorded; the rest go in.
          opts.signal?.throwIfAborted();
          // Read in the bundle's block size: a 64 KiB default costs a pool job and a buffer each.
          const body = createReadStream(local, { highWaterMark: BLOCK_SIZE });
          const stop = (): void => void body.destroy(new Error('the collection was stopped'));
          opts.signal?.addEventListener('abort', stop, { once: true });
          try {
            const stored = await writer.addFile({ path: `nodes/${s.spec.name}/logs/${path.basename(file.path)}`, size: file.size, mtime: file.mtime, body, source: file.path, ...asRedacted });
            files.push({ kind: file.kind, source: file.path, path: stored.path, size: stored.size, mtime: file.mtime.toISOString(), sha256: stored.sha256 });
          } catch (err) {
            if (writer.broken()) throw err;
            opts.signal?.throwIfAborted();
            notStored.push({ source: file.path, message: `not stored in the bundle: ${(err as Error).message}` });
          } finally {
            opts.signal?.removeEventListener('abort', stop);
          }
        }
        await runs[k].done;
        s.errors.push(...notStored);
        for (const f of s.facts?.files ?? []) {
          const data = Buffer.from(redactor ? redactor.redactText(f.text) : f.text);
          const stored = await writer.addFile({ path: `nodes/${s.spec.name}/facts/${f.name}`, size: data.length, mtime: started, body: data, ...asRedacted });
          files.push({ kind: 'facts', source: f.name, path: stored.path, size: stored.size, mtime: started.toISOString(), sha256: stored.sha256 });
        }
        nodes.push({ name: s.spec.name, host: s.host, role: s.spec.role, facts: s.facts?.values ?? {}, files, errors: s.errors });
      }
      const analysisEntries = [];
      let analysisError: string | undefined;
      try {
        for (const a of await unlessStopped(analysisDone, opts.signal)) {
          const stored = await writer.addFile({ path: a.path, size: a.data.length, mtime: started, body: a.data, ...asRedacted });
          analysisEntries.push({ path: stored.path, size: stored.size, sha256: stored.sha256 });
        }
      } catch (err) {
        // No analysis (nothing readable was collected) still leaves the logs and facts worth sending.
        if (writer.broken() || opts.signal?.aborted) throw err;
        analysisError = (err as Error).message;
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
        ...(analysisError ? { analysisError } : {}),
      };
      opts.signal?.throwIfAborted();
      const done = await writer.finish(manifest);
      opts.progress('bundle', { files: nodes.reduce((a, n) => a + n.files.length, 0), bytes: spooled.reduce((a, s) => a + s.bytes, 0), done: true });
      const failed = !!analysisError || spooled.some((s) => !s.reached || s.errors.length);
      const nodesSummary = summary();
      if (analysisError) nodesSummary.push({ name: 'analysis', reached: true, files: 0, bytes: 0, errors: [`not written: ${analysisError}`] });
      return { exitCode: failed ? EXIT.incomplete : EXIT.ok, bundle: done.path, sha256File: done.sha256File, mapFile: done.mapFile, nodes: nodesSummary };
    } catch (err) {
      await writer.abort();
      throw err;
    }
  } finally {
    // A bundle that failed midway must not pull the spool from under copies still running.
    await Promise.allSettled(runs.map((r) => r.done));
    await fs.rm(spool, { recursive: true, force: true });
  }
}

