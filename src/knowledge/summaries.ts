/**
 * The one-line summary of each finding, in smsdiag's words. Keyed by condition id, or by
 * `condition/variant` where a condition is reported in more than one way; a rule's variant is its
 * rule id. `{field}` placeholders take the field of the variant's first occurrence, `{all:field}`
 * every distinct value seen, `{node}` the node; a `[…]` part is left out when a placeholder in it
 * has no value.
 */
const SUMMARIES: Readonly<Record<string, string>> = {
  'ha-failed': 'entered the HA Failed state',
  'passive-takeover': 'took over the cluster',
  'passive-takeover/considered': 'considered taking over the cluster and became Active',
  'passive-takeover/from-passive': 'went from Passive to Active without logging that it considered a takeover',
  'passive-takeover/active-while-peer-active': 'became Active while {other} was Active',
  'takeover-averted': 'considered taking over the cluster but stayed {state}{restart}',
  'no-active-node': 'no node is Active now ({states}); the last Active one left that state at {since} UTC',
  'sync-failed': 'synchronization failed ({reason}); back to {state}',
  'active-on-db-errors': 'became Active on a database that had just reported errors ({what})',
  'resource-exhaustion': 'ran out of a resource',
  'resource-exhaustion/db.disk-full': 'the database ran out of disk space',
  'resource-exhaustion/db.open-files': 'the database ran out of file handles (too many open files)',
  'resource-exhaustion/db.connections': 'the database turned connections away: too many connections',
  'resource-exhaustion/db.memory': 'the database could not get the memory it asked for',
  'resource-exhaustion/jvm.native-memory': 'the Java VM could not get native memory and stopped',
  'resource-exhaustion/facts-disk': 'a file system was {percent} full when collected ({mount})',
  'resource-exhaustion/facts-memory': 'only {available} of {total} MiB of memory were available when collected',
  'ha-degraded': 'reported DEGRADED HA',
  'java-oom': 'Java ran out of memory',
  'java-oom/java.oom': 'Java ran out of memory[ ({all:variant})]',
  'db-corruption': 'database corruption reported',
  'db-corruption/db.corruption': 'database corruption reported[ in {all:table}]',
  'db-crash': 'the database server crashed',
  'db-crash/db.crash': 'the database server crashed ({all:how})',
  'db-start-failed': 'the database server did not start[: {reason}]',
  'replication-broken': 'database replication is broken',
  'replication-broken/delay': 'replication fell {seconds} s behind the active node and was not seen catching up',
  'replication-broken/delay-recovered': 'replication fell up to {seconds} s behind the active node and caught up {after} later',
  'replication-broken/stopped': 'the replication {thread} thread stopped on an error[ ({all:code})] and was not seen running again',
  'replication-broken/resumed': 'the replication {thread} thread stopped on an error[ ({all:code})] and was running again {after} later',
  'split-brain': 'both nodes were Active at once for {minutes} min ({seconds} s)',
  'no-brain': 'neither node was Active for {minutes} min while HA was enabled',
  'unclean-shutdown': 'restarted without a clean stop[ ({all:how})]',
  'maintenance-under-ha': 'maintenance applied while HA was enabled ({what})',
  'ipv6-unsupported': 'HA configured with an IPv6 peer address ({peer})',
  'log-rollover-gap': 'oldest {kind} entry ({oldest}, {file}) is later than the incident time {incident}: earlier evidence was rotated away',
  'not-collected/node': 'was not collected: {why}',
  'not-collected/files': '{count} file(s) were not collected; the first: {why}',
  'clock-skew/facts': "clock was {seconds} s {direction} the collector's when the bundle was made; times were corrected",
  'clock-skew/events': "clock {measure} {seconds} s {direction} {other}'s, judged from {basis}; to correct it, try {fix}",
  'clock-skew/zone': "times {measure} {span} {direction} {other}'s, judged from {basis}; its zone was probably read wrong (smsdiag's inference): try {fix}",
};

/** `{field}` placeholders filled from `fields`, `{node}` with the node. */
export function fillTemplate(template: string, node: string, fields: Readonly<Record<string, string>>): string {
  return template.replace(/\{(\w+)\}/g, (_, k: string) => (k === 'node' ? node : (fields[k] ?? '')));
}

/** Every distinct value of a field, as `a; b; and 3 more`. */
function listValues(values: readonly string[] | undefined, more: number): string {
  if (!values?.length) return '';
  return more ? `${values.join('; ')}; and ${more} more` : values.join('; ');
}

/** One way a finding was reported: its template key's variant, fields and the values seen. */
export interface SummaryPart {
  variant?: string;
  fields: Readonly<Record<string, string>>;
  /** Every distinct value of each field (bounded), in the order seen. */
  values: Readonly<Record<string, readonly string[]>>;
  /** Distinct values past the bound, per field. */
  more: Readonly<Record<string, number>>;
  count: number;
}

/** A template filled in; `[…]` parts with an empty placeholder, and empty parentheses, left out. */
function fillSummary(template: string, node: string, part: SummaryPart): string {
  const value = (k: string): string => {
    if (k === 'node') return node;
    if (k.startsWith('all:')) return listValues(part.values[k.slice(4)], part.more[k.slice(4)] ?? 0);
    return part.fields[k] ?? '';
  };
  const placeholders = /\{([\w:]+)\}/g;
  return template
    .replace(/\[([^\]]*)\]/g, (_, inner: string) => ([...inner.matchAll(placeholders)].every((m) => value(m[1])) ? inner : ''))
    .replace(placeholders, (_, k: string) => value(k))
    .replace(/ \(\)/g, '')
    .replace(/\(\s*\)/g, '');
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** What the aggregator knows of a finding when it is summarised. */
export interface SummaryFacts {
  condition: string;
  node: string;
  /** Each way it was reported, the most severe first. */
  parts: readonly SummaryPart[];
  /** heartbeat-loss: unanswered heartbeats, the longest run of them, replies slower than the limit. */
  misses: number;
  maxRun: number;
  slowReplies: number;
  slowLimitMs: number;
}

/** The summary line of a finding: each way it was reported, joined. */
export function findingSummary(f: SummaryFacts): string {
  if (f.condition === 'heartbeat-loss') {
    const parts: string[] = [];
    if (f.misses) parts.push(`${plural(f.misses, 'heartbeat')} unanswered, longest run ${f.maxRun}`);
    if (f.slowReplies) parts.push(`${plural(f.slowReplies, 'reply', 'replies')} slower than ${f.slowLimitMs} ms`);
    return parts.join('; ');
  }
  const lines = f.parts.map((p) => {
    const template = (p.variant && SUMMARIES[`${f.condition}/${p.variant}`]) ?? SUMMARIES[f.condition] ?? f.condition;
    const base = fillSummary(template, f.node, p);
    return p.count > 1 ? `${base} (${p.count} times)` : base;
  });
  return [...new Set(lines)].join('; ');
}

/** Every key of the table, for the test that each condition has its words. */
export const SUMMARY_KEYS: readonly string[] = Object.keys(SUMMARIES);
