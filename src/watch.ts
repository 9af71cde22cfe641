import * as path from 'node:path';
import { Readable } from 'node:stream';
import type { Finding, Inventory, LogFile, LogKind, NodeFacts, NodeInput, Role } from './types';
import { EXIT, InputError } from './errors';
import type { WatchEvent } from './report/watch';
import { analyzeInventory } from './analyze';
import type { RuleSet } from './rules/engine';
import { conditionById } from './rules/conditions';
import type { ClusterThresholds } from './correlate/cluster';
import { thresholds as withDefaults } from './knowledge/thresholds';
import { collect, type CollectOptions } from './collect';
import { classifyFileName, fileNameOf } from './sources/catalog';
import { globsForNode, splitGlob, type PathGlob } from './sources/find';
import { globToRegExp } from './sources/glob';
import { sampledFacts, surveyNode, type CollectedFacts } from './sources/facts';
import { applyOverrides, assumeZone } from './sources/inputs';
import { follower, localFollowFs, type FollowChunk, type Follower, type FollowFs } from './sources/follow';
import { sshAccess } from './sources/remote';
import { connect, SshError, type SshSession, type SshTarget } from './sources/ssh';
import { countNewlines } from './text/lines';

/** The kinds a watch follows: the logs that are appended to (ha.state is rewritten, and ha.log says the state). */
export const FOLLOWED_KINDS: readonly LogKind[] = ['ha', 'sms-info', 'mysqld', 'tpt'];

export interface WatchNode {
  name: string;
  role: Role;
  /** Absent for this machine. */
  host?: string;
  /** Files to follow on this machine, as given (PATH arguments); else the globs decide. */
  files?: Array<{ kind: LogKind; path: string }>;
}

export interface WatchOptions {
  nodes: WatchNode[];
  ssh: Omit<SshTarget, 'host'>;
  paths: { node?: string; glob: PathGlob }[];
  rules: RuleSet;
  thresholds?: Partial<ClusterThresholds>;
  /** Replay: findings from this time on are printed, from what the files still hold within the context. */
  from?: number;
  tz: Record<string, number>;
  clock: Record<string, number>;
  defaultOffsetMinutes: number;
  /** Bytes each followed file keeps for the analysis (its latest lines). */
  contextBytes: number;
  pollMs: number;
  /** Finding ids that start a collection, where to, and how long after one no other starts. */
  collectOn: ReadonlySet<string>;
  outDir?: string;
  cooldownMs: number;
  caseId?: string;
  commandLine: string[];
  toolVersion: string;
  signal: AbortSignal;
  emit: (e: WatchEvent) => void;
  now?: () => number;
}

/** Chunks of a kept file are joined up to this size; the oldest go a chunk at a time. */
const JOIN_BYTES = 64 << 10;
/** Incidents remembered to tell a late trigger of one from a new one. */
const KEPT_INCIDENTS = 32;
/** What a file may keep beyond twice --context while analyses fall behind a fast writer. */
const HARD_SLACK_BYTES = 8 << 20;
/** Rotations of a file kept at most, however small (a file rotated every few lines). */
const MAX_GENERATIONS = 4;

/** How long a finding about both nodes waits for a node whose lines are not read up to now. */
const HOLD_MS = 60_000;

/** How long a new finding about both nodes must last before it is printed (see settling). */
const SETTLE_MS = 3000;

/** Conditions drawn from both nodes together: they can mistake a node not read for a node silent. */
function crossNode(id: string): boolean {
  return conditionById(id).detectedBy.every((d) => d === 'cluster');
}

/** How long a node that cannot be reached waits before the next try: doubling up to the last. */
const BACKOFF_MS = [1000, 2000, 4000, 8000, 15000, 30000, 60000];

interface Kept {
  node: string;
  kind: LogKind;
  path: string;
  /** Bytes that came since the last analysis. */
  fresh: number;
  /** Generations of the file (rotations), oldest first, each with its latest lines. */
  generations: Array<{
    generation: number;
    firstLine: number;
    /** The line after the last one kept. */
    endLine: number;
    chunks: Buffer[];
    bytes: number;
    /** The first line read after the previous analysis began: what makes a finding news. */
    freshFrom: number;
    mtimeMs: number;
  }>;
  bytes: number;
}

/**
 * The kept chunks as a file's bytes, each a copy of its own (LogFile's contract), a MiB at a time
 * with a turn of the event loop between: an analysis of many MiB would otherwise hold off the
 * signals that stop the watch.
 */
async function* yielding(chunks: readonly Buffer[]): AsyncGenerator<Buffer> {
  for (const c of chunks) {
    for (let at = 0; at < c.length; at += 1 << 20) {
      await new Promise((r) => setImmediate(r));
      yield Buffer.from(c.subarray(at, at + (1 << 20)));
    }
  }
}

/**
 * Waits `ms` (Infinity: until woken), or until the watch stops, or until `onWake` is called; leaves
 * no timer or listener behind, since a watch runs for weeks and waits a million times.
 */
function nap(ms: number, signal: AbortSignal, onWake?: (wake: () => void) => void): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    let timer: NodeJS.Timeout | undefined;
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    if (Number.isFinite(ms)) timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    onWake?.(done);
  });
}

/** The current (unrotated) files a kind's globs name: where a watch reads from. */
function currentNames(globs: readonly PathGlob[], kind: LogKind): string[] {
  return globs
    .filter((g) => g.kind === kind)
    .flatMap((g) => {
      const { dir, pattern } = splitGlob(g);
      const base = fileNameOf(kind);
      if (globToRegExp(pattern, 's').test(base)) return [path.posix.join(dir, base)];
      // A pattern naming one file of its own (ha-primary.log) is that file.
      return /[*?]/.test(pattern) ? [] : [path.posix.join(dir, pattern)];
    });
}

/** The followers of one node: per kind, the candidates that exist now, else all of them (waited for). */
async function choosePaths(node: WatchNode, globs: readonly PathGlob[], fsys: FollowFs): Promise<Array<{ kind: LogKind; path: string }>> {
  if (node.files) return node.files;
  const out: Array<{ kind: LogKind; path: string }> = [];
  for (const kind of FOLLOWED_KINDS) {
    // Rotations are never followed (they are not written to): the current file of each name only.
    const names = [...new Set(currentNames(globs, kind))].filter((p) => classifyFileName(path.posix.basename(p))?.rotation.group === 2);
    const present: string[] = [];
    for (const p of names) if (await fsys.stat(p).catch(() => undefined)) present.push(p);
    for (const p of present.length ? present : names) out.push({ kind, path: p });
  }
  return out;
}

/**
 * `smsdiag watch`: follows each node's logs (this machine's directly, a peer's over SFTP with the
 * same host-key policy as collect), keeps each file's latest lines, and reads them all again with
 * analyze's rules and cross-node logic whenever a new line is a rule candidate. A finding is
 * printed the first time it shows, and again after a quiet spell longer than the incident gap; one
 * whose id is in `collectOn` starts a collection (one at a time, then a cool-down).
 */
export function watch(opts: WatchOptions): { done: Promise<void>; reopen(): void } {
  const now = opts.now ?? Date.now;
  // The caller's stop, or a node that cannot be trusted or logged in to at the start.
  const stopping = new AbortController();
  const signal = stopping.signal;
  opts.signal.addEventListener('abort', () => stopping.abort(), { once: true });
  let failure: Error | undefined;
  const t = withDefaults(opts.thresholds);
  const kept = new Map<string, Kept>();
  const facts = new Map<string, NodeFacts>();
  const followers = new Map<string, Array<{ kind: LogKind; follow: Follower }>>();
  let dirty = false;
  let wake: (() => void) | undefined;
  const nudge = (): void => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const notice = (message: string, node?: string): void => opts.emit({ type: 'notice', ...(node ? { node } : {}), message });

  /** The oldest lines go first, whole chunks at a time, until at most `limit` bytes are kept. */
  const trim = (k: Kept, limit: number): void => {
    while (k.generations.length > MAX_GENERATIONS) k.bytes -= k.generations.shift()!.bytes;
    while (k.bytes > limit && k.generations.length) {
      const old = k.generations[0];
      if (old === k.generations[k.generations.length - 1] && old.chunks.length === 1) break;
      const gone = old.chunks.shift()!;
      old.firstLine += countNewlines(gone);
      old.bytes -= gone.length;
      k.bytes -= gone.length;
      if (!old.chunks.length) k.generations.shift();
    }
  };

  const keep = (node: string, kind: LogKind, file: string, c: FollowChunk): void => {
    const key = `${node}\u0000${file}`;
    let k = kept.get(key);
    if (!k) kept.set(key, (k = { node, kind, path: file, generations: [], bytes: 0, fresh: 0 }));
    // A rotated file read on for a few polls brings lines of a generation before the newest.
    let g = k.generations.find((x) => x.generation === c.generation);
    if (!g) {
      const newest = k.generations[k.generations.length - 1];
      if (newest && newest.generation > c.generation) return;
      k.generations.push((g = { generation: c.generation, firstLine: c.firstLine, endLine: c.firstLine, chunks: [], bytes: 0, freshFrom: c.firstLine, mtimeMs: c.mtimeMs }));
    }
    g.mtimeMs = c.mtimeMs;
    // A quiet log brings a line a poll: small chunks are joined, so a day of them is not 86,400 buffers.
    const tail = g.chunks[g.chunks.length - 1];
    if (tail && tail.length + c.data.length <= JOIN_BYTES) g.chunks[g.chunks.length - 1] = Buffer.concat([tail, c.data]);
    else g.chunks.push(c.data);
    g.endLine = c.firstLine + countNewlines(c.data);
    // Lines written before the watch began are never news.
    if (c.context) g.freshFrom = g.endLine;
    g.bytes += c.data.length;
    k.bytes += c.data.length;
    k.fresh += c.data.length;
    // Trimmed to --context when analysed (inventory); here only if analyses fall far behind.
    trim(k, 2 * opts.contextBytes + HARD_SLACK_BYTES);
    if (!c.context && !dirty) {
      const re = opts.rules.prefilter(kind);
      re.lastIndex = 0;
      if (re.test(c.data.toString('latin1'))) {
        dirty = true;
        nudge();
      }
    }
  };

  /** What is kept, as the inventory analyze reads: each generation a file, the older ones first. */
  const inventory = (): { inv: Inventory; lines: Map<string, { first: number; fresh: number }> } => {
    const lines = new Map<string, { first: number; fresh: number }>();
    const nodes: NodeInput[] = opts.nodes.map((n) => {
      const files: LogFile[] = [];
      let order = 0;
      for (const k of kept.values()) {
        if (k.node !== n.name) continue;
        // The lines before the new ones are cut to --context now, not as they came: each analysis
        // sees what the last one saw and what came since, so a restart is never read without the
        // crash report that came just before it.
        trim(k, opts.contextBytes + k.fresh);
        k.fresh = 0;
        const last = k.generations.length - 1;
        k.generations.forEach((g, i) => {
          const shown = i === last ? k.path : `${k.path} (before rotation ${last - i})`;
          lines.set(`${n.name}\u0000${shown}`, { first: g.firstLine, fresh: g.freshFrom });
          // What this analysis sees is no longer news to the next one.
          g.freshFrom = g.endLine;
          const chunks = [...g.chunks];
          files.push({ node: n.name, kind: k.kind, path: shown, order: order++, size: g.bytes, mtime: new Date(g.mtimeMs), open: () => Readable.from(yielding(chunks)) });
        });
      }
      return { name: n.name, role: n.role, files, facts: { ...(facts.get(n.name) ?? {}) } };
    });
    return { inv: { nodes, warnings: [] }, lines };
  };

  /** Per (finding id, node): the latest time seen, and the evidence lines cited then. */
  const seen = new Map<string, number>();
  const cited = new Map<string, Set<string>>();
  /** New findings about both nodes waiting to be printed (settling, a node behind), since when (wall time). */
  const waitingFor = new Map<string, number>();
  const settleMs = Math.max(SETTLE_MS, 2 * opts.pollMs);
  /** Nodes whose lines are not read up to now (not reached yet, connection lost), since when. */
  const behind = new Map<string, number>(opts.nodes.filter((n) => n.host).map((n) => [n.name, now()]));
  let baseline = true;
  let collecting: Promise<void> | undefined;
  const collectAbort = new AbortController();
  /** Wall time the last collection started (the cool-down runs from it), and its incident's log time. */
  let lastTrigger = -Infinity;
  /** Log times of the incidents triggered lately (collected, pending, or said during a cool-down). */
  const incidents: number[] = [];
  /** A new incident's trigger that came during the cool-down: collected when it ends. */
  let pending: { f: Finding; time: string } | undefined;
  let pendingTimer: NodeJS.Timeout | undefined;
  stopping.signal.addEventListener(
    'abort',
    () => {
      collectAbort.abort();
      clearTimeout(pendingTimer);
    },
    { once: true },
  );

  const startCollect = (f: Finding, time: string): void => {
    lastTrigger = now();
    const what = { id: f.id, node: f.node, time };
    notice(`${f.id} on ${f.node}: collecting a bundle into ${opts.outDir}`);
    collecting = collect(collectOptions(opts, f, time, collectAbort.signal))
      .then((r) =>
        opts.emit({
          type: 'bundle',
          time: new Date(now()).toISOString(),
          trigger: what,
          outcome: { ...(r.bundle ? { bundle: r.bundle, sha256File: r.sha256File } : {}), complete: r.exitCode === EXIT.ok, problems: r.nodes.flatMap((n) => n.errors.map((x) => `${n.name}: ${x}`)) },
        }),
      )
      .catch((err) => {
        if (!signal.aborted) opts.emit({ type: 'bundle', time: new Date(now()).toISOString(), trigger: what, error: (err as Error).message });
      })
      .finally(() => {
        collecting = undefined;
        pump();
      });
  };
  /** Starts the pending collection once no other runs and the cool-down is over. */
  const pump = (): void => {
    if (!pending || collecting || signal.aborted) return;
    const wait = lastTrigger + opts.cooldownMs - now();
    if (wait > 0) {
      clearTimeout(pendingTimer);
      pendingTimer = setTimeout(pump, wait);
      return;
    }
    const p = pending;
    pending = undefined;
    startCollect(p.f, p.time);
  };
  /**
   * One bundle per incident: a trigger within the incident gap (log time) of the last one is the
   * same incident. Another incident during the cool-down (wall time) is collected when it ends.
   */
  const trigger = (f: Finding, time: string): void => {
    if (!opts.outDir || !opts.collectOn.has(f.id)) return;
    const at = Date.parse(time);
    const sameAs = (x: number | undefined): boolean => x !== undefined && Math.abs(at - x) <= t.incidentGapMs;
    // Every incident collected or said lately, not only the last: a late trigger of one said
    // during a cool-down must not get a bundle of its own once the next collection has started.
    if (incidents.some(sameAs) || sameAs(pending && Date.parse(pending.time))) return;
    incidents.push(at);
    if (incidents.length > KEPT_INCIDENTS) incidents.shift();
    if (pending) {
      notice(`${f.id} on ${f.node} at ${time} starts yet another incident during the cool-down: no bundle of its own; its lines will be in the one collected for ${pending.f.id} at ${pending.time}, which is taken after it`);
      return;
    }
    pending = { f, time };
    if (collecting || now() - lastTrigger < opts.cooldownMs) {
      notice(`${f.id} on ${f.node} starts another incident: its bundle is collected when the cool-down after the last one ends (${new Date(Math.max(lastTrigger + opts.cooldownMs, now())).toISOString()} at the earliest)`);
    }
    pump();
  };

  /** The kept lines analysed from `since` on; undefined when they hold nothing readable yet. */
  const findingsOf = async (inv: Inventory, since: number | undefined, warn: boolean): Promise<Finding[] | undefined> => {
    try {
      const a = await analyzeInventory(inv, { rules: opts.rules, thresholds: opts.thresholds, window: since !== undefined ? { since } : undefined });
      if (warn) {
        for (const w of a.report.warnings) notice(w);
        // A replay reaches only as far back as the kept lines: where they begin after --from, say so.
        for (const n of opts.from === undefined ? [] : a.report.nodes) {
          for (const f of n.files ?? []) {
            if (f.first && Date.parse(f.first) > opts.from!) notice(`${f.path}: the kept lines begin at ${f.first}, after --from; earlier ones are beyond --context (analyze reads them)`, n.name);
          }
        }
      }
      return a.report.findings;
    } catch (err) {
      if (err instanceof InputError) return undefined;
      throw err;
    }
  };

  const analyse = async (): Promise<void> => {
    const { inv, lines } = inventory();
    const findings = await findingsOf(inv, opts.from, baseline);
    if (!findings) return;
    /**
     * Cites evidence by its line in the file, not in what is kept of it; true when a line came
     * since the last analysis. Only such a line makes a finding news: one that shows because old
     * lines left the kept context (a restart whose crash report was cut off) is not.
     */
    const cite = (f: Finding): boolean => {
      let fresh = false;
      for (const e of f.evidence) {
        const at = lines.get(`${e.node}\u0000${e.file}`);
        if (!at) continue;
        e.line += at.first - 1;
        if (e.line >= at.fresh) fresh = true;
      }
      return fresh;
    };
    const out: Array<{ f: Finding; time: string; again: boolean }> = [];
    let held = false;
    for (const f of findings) {
      const fresh = cite(f);
      const key = `${f.id}\u0000${f.node}`;
      const last = Date.parse(f.last);
      const before = seen.get(key);
      const waiting = waitingFor.get(key);
      // Back only with a line not cited before: a finding dated by a file's mtime moves with every
      // write to the file, but its evidence does not.
      const cites = f.evidence.map((e) => `${e.file}\u0000${e.line}`);
      const unseen = cites.some((c) => !cited.get(key)?.has(c));
      const isNew = waiting !== undefined || (before === undefined ? (baseline && opts.from !== undefined) || fresh : fresh && unseen && last > before + t.incidentGapMs);
      if (isNew && crossNode(f.id)) {
        // About both nodes: it must still hold a settling time later (the nodes' lines of one
        // moment are read a poll apart), and a node not read up to now is waited for up to HOLD_MS
        // (its silence is not the cluster's state).
        const since = waiting ?? now();
        waitingFor.set(key, since);
        if (now() - since < settleMs || [...behind.values()].some((b) => now() - b < HOLD_MS)) {
          held = true;
          continue;
        }
      }
      waitingFor.delete(key);
      seen.set(key, Math.max(before ?? -Infinity, last));
      cited.set(key, new Set(cites));
      if (isNew && before !== undefined) {
        // Back after a quiet spell: its count, summary and cause are those of this time, not of the
        // whole kept span (the cause of an earlier failure is not this one's).
        const recent = (await findingsOf(inv, Math.max(before + 1, opts.from ?? -Infinity), false))?.find((x) => x.id === f.id && x.node === f.node);
        if (recent) cite(recent);
        out.push({ f: recent ?? f, time: f.last, again: true });
      } else if (isNew) out.push({ f, time: f.last, again: false });
      else if (before === undefined && baseline) notice(`in the logs before the watch began: ${f.id} on ${f.node}, last at ${f.last}; said again only if it comes back after ${t.incidentGapMs / 60000} min of quiet`, f.node);
    }
    baseline = false;
    for (const key of waitingFor.keys()) if (!findings.some((f) => `${f.id}\u0000${f.node}` === key)) waitingFor.delete(key);
    // Held findings are looked at again on the next round, lines or not.
    if (held) dirty = true;
    out.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
    for (const x of out) {
      const unread = crossNode(x.f.id) ? [...behind].map(([node, since]) => ({ node, since: new Date(since).toISOString() })) : [];
      opts.emit({ type: 'finding', time: x.time, again: x.again, finding: x.f, ...(unread.length ? { unread } : {}) });
      trigger(x.f, x.time);
    }
  };

  /** One node followed until the watch ends; a peer reconnected with backoff whenever it is lost. */
  const runNode = async (node: WatchNode, started: () => void): Promise<void> => {
    const globs = globsForNode(node.name, opts.paths);
    let attempt = 0;
    let wasConnected = false;
    let everFollowed = false;
    while (!signal.aborted) {
      let session: SshSession | undefined;
      let fsys: FollowFs;
      try {
        if (node.host) {
          session = await connect({ ...opts.ssh, host: node.host });
          fsys = session.followFs();
          facts.set(node.name, nodeFacts(node.name, (await surveyNode(sshAccess(session), true, [])).facts, opts));
          if (wasConnected) notice(`connected again to ${node.host}`, node.name);
          wasConnected = true;
          attempt = 0;
        } else {
          fsys = localFollowFs();
          facts.set(node.name, nodeFacts(node.name, undefined, opts));
        }
        let mine = followers.get(node.name);
        if (!mine) {
          mine = (await choosePaths(node, globs, fsys)).map((p) => ({ kind: p.kind, follow: follower(p.path, { contextBytes: opts.contextBytes }) }));
          followers.set(node.name, mine);
          if (!mine.length) notice('no log to follow: give PATH or --path KIND=GLOB', node.name);
        } else for (const f of mine) f.follow.reopen();
        let lost = false;
        let wakeNode: (() => void) | undefined;
        void session?.closed.then(() => {
          lost = true;
          wakeNode?.();
        });
        let round = 0;
        while (!signal.aborted) {
          let caughtUp = true;
          for (const { kind, follow } of mine) {
            if (lost) break;
            const r = await follow.poll(fsys);
            // Lines read are kept even if the connection went meanwhile (the follower has moved past
            // them); what a lost connection makes it say is the connection's story, told once below.
            for (const c of r.chunks) keep(node.name, kind, follow.path, c);
            if (lost) break;
            for (const n of r.notes) notice(n, node.name);
            caughtUp &&= r.caughtUp;
          }
          if (round++ === 0) {
            if (!everFollowed) notice(`following ${mine.map((f) => f.follow.path).join(', ')}`, node.name);
            everFollowed = true;
            started();
          }
          // Read up to now only when every file was read to its end without an error.
          if (caughtUp && !lost && behind.delete(node.name)) {
            dirty = true;
            nudge();
          } else if (!caughtUp && !behind.has(node.name)) behind.set(node.name, now());
          if (lost) throw new SshError('dropped', `the connection to ${node.host} was lost`);
          await nap(opts.pollMs, signal, (w) => (wakeNode = w));
        }
      } catch (err) {
        started();
        if (signal.aborted) break;
        if (!behind.has(node.name)) behind.set(node.name, now());
        const fatal = err instanceof SshError && ['host-key-changed', 'host-key-revoked', 'host-key-unknown', 'auth', 'key-file'].includes(err.failure);
        // Wrong from the start (a key to accept, a login refused): the user must act, so say it and end.
        if (fatal && !wasConnected) {
          failure ??= err as Error;
          stopping.abort();
          break;
        }
        const wait = BACKOFF_MS[Math.min(attempt++, BACKOFF_MS.length - 1)] * (fatal ? 5 : 1);
        notice(`${(err as Error).message}; trying again in ${wait / 1000} s${wasConnected ? " (meanwhile its side is known only from this node's lines)" : ''}`, node.name);
        await nap(wait, signal);
      } finally {
        session?.close();
      }
    }
    for (const f of followers.get(node.name) ?? []) await f.follow.close();
  };

  const done = (async (): Promise<void> => {
    let waiting = opts.nodes.length;
    let allStarted!: () => void;
    const ready = new Promise<void>((r) => (allStarted = r));
    const runs = opts.nodes.map((n) => {
      let once = false;
      return runNode(n, () => {
        if (once) return;
        once = true;
        if (--waiting === 0) allStarted();
      });
    });
    await nap(Infinity, signal, (w) => void ready.then(w));
    let last = 0;
    let analysisFailure: string | undefined;
    while (!signal.aborted) {
      if (baseline || dirty) {
        dirty = false;
        const began = now();
        try {
          await analyse();
        } catch (err) {
          // A bug met on some line must not end a watch that runs for weeks: said once, and on.
          const why = `smsdiag's analysis failed (${(err as Error).message}); the watch goes on. Run with --debug and report it`;
          if (why !== analysisFailure) notice(why);
          analysisFailure = why;
          baseline = false;
        }
        last = now() - began;
      }
      // At most a fifth of the time goes to analysis, however busy the logs are.
      await nap(Math.max(opts.pollMs, 4 * last), signal);
      if (!dirty) await nap(Infinity, signal, (w) => (wake = w));
    }
    await Promise.all(runs);
    await collecting;
    if (failure) throw failure;
  })();
  return {
    done,
    reopen: () => {
      for (const list of followers.values()) for (const f of list) f.follow.reopen();
    },
  };
}

/**
 * A node's zone and clock for the analysis: --tz and --clock over what was sampled, else this
 * machine's zone (assumed). Only these: ha.state and the disks sampled at connection time would
 * soon be stale, and the logs say the state as it changes.
 */
function nodeFacts(name: string, sampled: CollectedFacts | undefined, opts: WatchOptions): NodeFacts {
  const { utcOffsetMinutes, clockOffsetMs, clockUncertaintyMs } = sampled ? sampledFacts(sampled) : ({} as NodeFacts);
  const f: NodeFacts = { utcOffsetMinutes, clockOffsetMs, clockUncertaintyMs };
  applyOverrides(name, f, opts);
  assumeZone(f, opts.defaultOffsetMinutes);
  return f;
}

/** The collection a trigger starts: the same nodes and paths as the watch, the finding as the incident. */
function collectOptions(opts: WatchOptions, f: Finding, time: string, signal: AbortSignal): CollectOptions {
  const paths = [...opts.paths];
  for (const n of opts.nodes) for (const file of n.files ?? []) paths.push({ node: n.name, glob: { kind: file.kind, glob: `${file.path}*` } });
  return {
    nodes: opts.nodes.map((n) => ({ name: n.name, role: n.role, ...(n.host ? { host: n.host } : {}) })),
    ssh: opts.ssh,
    paths,
    outDir: opts.outDir!,
    caseId: opts.caseId,
    description: `smsdiag watch: ${f.id} on ${f.node} at ${time}: ${f.summary}`,
    incident: time,
    redact: false,
    commandLine: opts.commandLine,
    toolVersion: opts.toolVersion,
    defaultOffsetMinutes: opts.defaultOffsetMinutes,
    progress: () => undefined,
    signal,
  };
}
