import { Flags } from '@oclif/core';
import { availableParallelism } from 'node:os';
import { textSize } from '../file-threads';
import { heapTightened, MANY_FILES } from '../heap';
import { resolveInputs } from '../sources/inputs';
import type { Inventory, LogFile } from '../types';
import { splitNamed } from '../text/named';
import { UsageError } from '../errors';
import { parseNodeClocks, parseNodeOffsets, parseUserTime } from './times';

const CORES = availableParallelism();
/**
 * Worker threads by default, for input of THREADED_BYTES or more. Turning files into timeline rows
 * is most of `timeline --all`'s work and pays on 2 cores already (256 MB: 9-13 s in one thread,
 * 4-6 s in two). Analysis reads each node in a worker of its own (the node's whole pass, so only
 * a summary comes back): 1 GB of two nodes on 2 cores 3.8-4.1 s against 6.1-6.6 s in one thread,
 * at 115 MiB peak against 185 MiB; a single node in one worker takes about the time of this
 * thread and less memory. Past 4 the reading thread is the limit for input it must send.
 */
const DEFAULT_THREADS = Math.min(CORES, 4);
/** Input below this much text is read in one thread: starting workers would cost more than they save. */
const THREADED_BYTES = 32 << 20;

/**
 * --threads as given, else the default for this much input (see DEFAULT_THREADS), of the files
 * the command reads: those `read` (timeline --all: of the nodes and kinds shown). One thread for
 * more than MANY_FILES files read, or in an input of more (heapTightened: V8's flags, then set
 * for the process, suit one thread), and `note` (a line on stderr) says so when --threads asked
 * for more: a worker's pass costs per file, not only per byte (it holds a copy of each file's description and hands
 * every file's summary back at once; 200,000 one-line members of a bundle in two threads: analyze
 * 10 s and 1 GB against 7 s and 270 MB in one, timeline --all 28 s and 511 MB against 12 s and
 * 453 MB). Files read in hand (LogFile.bytes: a bundle's small members) do not count as text to
 * share out: this thread inflates them either way, and a worker reads them no faster than it
 * would (40,000 members of ten lines, 41 MB: 2.3 s in one thread, 2.8-3.1 s in two).
 */
export function threadsFor(flag: number | undefined, inv: Inventory, read: (f: LogFile) => boolean = () => true, note = (m: string): void => void process.stderr.write(`note: ${m}\n`)): number {
  const files = inv.nodes.flatMap((n) => n.files.filter(read));
  if (files.length > MANY_FILES || heapTightened()) {
    if (flag !== undefined && flag > 1) {
      const why = files.length > MANY_FILES ? `the ${files.length} files are read in one thread` : `the input holds more than ${MANY_FILES} log files, read in one thread`;
      note(`--threads ${flag} not used: ${why}, which is faster and takes less memory for more than ${MANY_FILES} files`);
    }
    return 1;
  }
  if (flag !== undefined) return flag;
  const text = files.reduce((sum, f) => sum + (f.bytes ? 0 : textSize(f)), 0);
  return text >= THREADED_BYTES ? DEFAULT_THREADS : 1;
}

/** Flags every command that reads logs shares: how to read the nodes' times, and which rules. */
export const inputFlags = {
  tz: Flags.string({ description: "UTC offset of a node's zone-less times, NODE=±HH:MM (repeatable). Default: this machine's zone.", multiple: true, helpGroup: 'INPUT' }),
  clock: Flags.string({ description: "Seconds a node's clock ran ahead of true time, NODE=±SECONDS (repeatable); subtracted before merging.", multiple: true, helpGroup: 'INPUT' }),
  threshold: Flags.string({
    description: 'Change a limit smsdiag judges by, NAME=VALUE (repeatable): heartbeat-slow=300ms, heartbeat-misses=3, replication-delay=2m, split-brain=60s, no-brain=5m, clock-skew=10s, down-gap=60s, incident-gap=10m.',
    multiple: true,
    helpGroup: 'INPUT',
  }),
  threads: Flags.integer({
    description: `Worker threads that read and parse the files; 1 does all in one thread. The output is the same either way. Default, for ${THREADED_BYTES >> 20} MB of text or more: the machine's cores, at most 4 (an analysis reads each node in a thread of its own, so it uses at most one per node); one thread otherwise. More than ${MANY_FILES} files are always read in one thread. A bundle's small members do not count as text here: they are read in this thread either way.`,
    min: 1,
    max: 64,
    helpGroup: 'INPUT',
  }),
  rules: Flags.string({ description: 'Use this rule pack (JSON) instead of the built-in one; `smsdiag rules --json` prints the built-in pack.', helpGroup: 'INPUT' }),
  node: Flags.string({
    description: 'NAME=HOST: for a central syslog file, which HOSTNAME is which node (repeatable). In timeline, a plain NAME shows only that node.',
    multiple: true,
    helpGroup: 'INPUT',
  }),
};

export const windowFlags = {
  since: Flags.string({ description: 'Only evidence at or after this time: ISO 8601, "YYYY-MM-DD HH:MM" (UTC), or a span back from now (2h, 7d).' }),
  until: Flags.string({ description: 'Only evidence at or before this time.' }),
};

export interface InputFlagValues {
  tz?: string[];
  clock?: string[];
  node?: string[];
}

/** This machine's zone, minutes east of UTC: what zone-less times of an unknown node are read in. */
export function machineOffsetMinutes(): number {
  return -new Date().getTimezoneOffset();
}

/**
 * The inputs as an inventory. A `--node NAME` that names no node of it is a usage error naming the
 * nodes there are: a typo must not read as "nothing found".
 */
export async function loadInventory(argv: string[], flags: InputFlagValues): Promise<Inventory> {
  const inv = await resolveInputs(argv, { tz: parseNodeOffsets(flags.tz), clock: parseNodeClocks(flags.clock), hosts: parseHostMap(flags.node), defaultOffsetMinutes: machineOffsetMinutes() });
  const known = inv.nodes.map((n) => n.name);
  for (const name of nodeFilter(flags.node)) {
    if (!known.includes(name)) throw new UsageError(`--node ${name}: no such node in the input; the nodes are ${known.join(', ')}`);
  }
  return inv;
}

/** The NAME=HOST values of --node as {primary: 'sms-a'}; plain names are node filters. */
export function parseHostMap(values: readonly string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values ?? []) {
    const named = splitNamed(v);
    if (named?.value) out[named.name] = named.value;
  }
  return out;
}

/** The plain NAME values of --node: which nodes to show. */
export function nodeFilter(values: readonly string[] | undefined): string[] {
  return (values ?? []).filter((v) => !splitNamed(v));
}

export function windowFrom(flags: { since?: string; until?: string }, now: Date): { since?: number; until?: number } {
  const since = flags.since ? parseUserTime(flags.since, '--since', now) : undefined;
  const until = flags.until ? parseUserTime(flags.until, '--until', now) : undefined;
  if (since !== undefined && until !== undefined && since > until) {
    throw new UsageError(`--since ${flags.since} is after --until ${flags.until}: nothing can lie between them; swap them`);
  }
  return { since, until };
}

/** `--json` is `--format json`: with another --format it is a contradiction, refused, not guessed. */
export function jsonOrFormat(json: boolean | undefined, format: string | undefined, fallback: string): string {
  if (json && format !== undefined && format !== 'json') throw new UsageError(`--json and --format ${format} ask for two different outputs; give one of them`);
  return json ? 'json' : (format ?? fallback);
}
