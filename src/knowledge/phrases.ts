/** What a phrase needs of an event: whose it is, what kind, and its fields. */
export interface PhraseSubject {
  node: string;
  type: string;
  fields: Readonly<Record<string, string>>;
}

/** How an event reads in a causal chain; `{node}` and fields are filled in. Data, not logic. */
const PHRASES: Record<string, string> = {
  'db-crash': "{node}'s database crashed",
  'db-corruption': "{node}'s database reported corruption",
  'db-replication-error': "{node}'s replication reported an error",
  'db-resource': "{node}'s database ran out of a resource",
  'jvm-resource': "{node}'s Java VM could not get native memory",
  'db-abort': "{node}'s database gave up starting",
  'db-restarted': "{node}'s database was restarted by mysqld_safe",
  oom: "{node}'s Java server ran out of memory",
  'local-health-failed': '{node} failed its own {check} health check',
  'peer-health-failed': "{node} saw its peer fail the {check} check",
  'heartbeat-miss': '{node} got no heartbeat reply',
  'heartbeat-fallback': "{node}'s heartbeat fell back to the public network",
  'takeover-considered': '{node} considered taking over',
  'restart-active': '{node} tried to restart the active node',
  'takeover-complete': '{node} completed the takeover',
  'peer-requested-failed': '{node} was told by its peer to enter Failed',
  degraded: '{node} reported DEGRADED HA',
  patch: '{node} applied patch {name}',
  upgrade: '{node} started an upgrade to {version}',
  admin: '{node}: {action}',
  sync: '{node}: synchronization {phase}',
  'replication-delay': "{node}'s replication was {seconds} s behind",
  'db-crash-recovery': "{node}'s database ran crash recovery",
  'heartbeat-reply': '{node} got a slow heartbeat reply ({ms} ms)',
  backup: '{node} ran a database backup',
  distribution: '{node} distributed a DV or a profile',
  'ha-start': "{node}'s HA service started",
  'db-start': "{node}'s database started",
};

const STATE_PHRASES: Record<string, string> = {
  Active: '{node} became Active',
  Failed: '{node} entered Failed',
  Passive: '{node} became Passive',
  Degraded: '{node} became Degraded',
};

export function phraseFor(e: PhraseSubject): string | undefined {
  const template = e.type === 'state' ? STATE_PHRASES[e.fields.state ?? ''] ?? STATE_PHRASES[capitalise(e.fields.state ?? '')] : PHRASES[e.type];
  if (!template) return undefined;
  // A name that ends in s takes a bare apostrophe: "logs' database", not "logs's".
  const possessive = (t: string): string => (/s$/i.test(e.node) ? t.replace(/\{node\}'s\b/g, "{node}'") : t);
  return possessive(template).replace(/\{(\w+)\}/g, (_, k: string) => (k === 'node' ? e.node : (e.fields[k] ?? '').toLowerCase() || k));
}

function capitalise(s: string): string {
  return s ? s[0].toUpperCase() + s.slice(1).toLowerCase() : s;
}

/** `4 s later`, `2 min later`, `1 h 5 min later`. */
export function later(ms: number): string {
  return `${duration(ms)} later`;
}

/** `4 s`, `2 min`, `1 h 5 min`. */
export function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s} s`;
  const m = Math.round(s / 60);
  if (m < 120) return `${m} min`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** `13:47:55` in UTC, for sentences. */
export function clock(ms: number | undefined): string {
  return ms === undefined ? 'an unknown time' : `${new Date(ms).toISOString().slice(11, 19)} UTC`;
}
