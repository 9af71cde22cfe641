/**
 * The one-line summary of each finding, in smsdiag's words. Keyed by condition id, or by
 * `condition/variant` where a condition is reported in more than one way; a rule's variant is its
 * rule id. `{field}` placeholders take the fields of the finding's first occurrence, `{node}` its node.
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
  'resource-exhaustion/facts-disk': 'a file system was {percent} full when collected ({mount})',
  'resource-exhaustion/facts-memory': 'only {available} of {total} MiB of memory were available when collected',
  'ha-degraded': 'reported DEGRADED HA',
  'java-oom': 'Java ran out of memory',
  'java-oom/java.oom': 'Java ran out of memory ({variant})',
  'db-corruption': 'database corruption reported',
  'db-corruption/db.corruption': 'database corruption reported ({table}{index}{keyfile})',
  'db-crash': 'the database server crashed',
  'db-crash/db.crash': 'the database server crashed (signal {signal})',
  'replication-broken': 'database replication is broken',
  'replication-broken/delay': 'replication fell {seconds} s behind the active node',
  'replication-broken/db.replication': 'database replication reported errors',
  'split-brain': 'both nodes were Active at once for {minutes} min ({seconds} s)',
  'no-brain': 'neither node was Active for {minutes} min while HA was enabled',
  'unclean-shutdown': 'restarted without a clean stop',
  'maintenance-under-ha': 'maintenance applied while HA was enabled ({what})',
  'ipv6-unsupported': 'HA configured with an IPv6 peer address ({peer})',
  'log-rollover-gap': 'oldest {kind} entry ({oldest}, {file}) is later than the incident time {incident}: earlier evidence was rotated away',
  'clock-skew/facts': "clock was {seconds} s {direction} the collector's when the bundle was made; times were corrected",
  'clock-skew/events': "clock at least {seconds} s {direction} {other}'s, judged from events logged on both nodes; correct with --clock",
};

/** `{field}` placeholders filled from `fields`, `{node}` with the node. */
export function fillTemplate(template: string, node: string, fields: Readonly<Record<string, string>>): string {
  return template.replace(/\{(\w+)\}/g, (_, k: string) => (k === 'node' ? node : (fields[k] ?? '')));
}

/** A summary filled in, without the parentheses of optional fields the line did not have. */
function fillSummary(template: string, node: string, fields: Readonly<Record<string, string>>): string {
  return fillTemplate(template, node, fields).replace(/ \(\)/g, '').replace(/\(\s*\)/g, '');
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** What the aggregator knows of a finding when it is summarised. */
export interface SummaryFacts {
  condition: string;
  variant?: string;
  node: string;
  fields: Readonly<Record<string, string>>;
  count: number;
  /** heartbeat-loss: unanswered heartbeats, the longest run of them, replies slower than the limit. */
  misses: number;
  maxRun: number;
  slowReplies: number;
  slowLimitMs: number;
}

/** The summary line of a finding. */
export function findingSummary(f: SummaryFacts): string {
  if (f.condition === 'heartbeat-loss') {
    const parts: string[] = [];
    if (f.misses) parts.push(`${plural(f.misses, 'heartbeat')} unanswered, longest run ${f.maxRun}`);
    if (f.slowReplies) parts.push(`${plural(f.slowReplies, 'reply', 'replies')} slower than ${f.slowLimitMs} ms`);
    return parts.join('; ');
  }
  const template = (f.variant && SUMMARIES[`${f.condition}/${f.variant}`]) ?? SUMMARIES[f.condition] ?? f.condition;
  const base = fillSummary(template, f.node, f.fields);
  return f.count > 1 ? `${base} (${f.count} times)` : base;
}

/** Every key of the table, for the test that each condition has its words. */
export const SUMMARY_KEYS: readonly string[] = Object.keys(SUMMARIES);
