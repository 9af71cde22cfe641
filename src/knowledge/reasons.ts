import { fillTemplate } from './summaries';

/**
 * Why smsdiag concluded a cause, as a sentence naming the lines that decided it. Keyed by
 * `condition/cause` (a cause family such as `local-health-check` stands for all its checks), plus
 * the pieces those sentences are built from (`clue/…`, `against/…`). `{field}` placeholders are
 * filled by the reasoning in correlate/causes.ts; `{evidence}` is the deciding lines. Every one of
 * these is smsdiag's own inference from the evidence, not a statement of the vendor's.
 */
const REASONS: Readonly<Record<string, string>> = {
  'ha-failed/peer-requested': '{node} entered Failed at {failedAt} by design: its peer had taken over and it must not stay Active beside it ({evidence}).',
  'ha-failed/improper-shutdown': '{node} came back from a stop that was not clean and then entered Failed at {failedAt}, as it does after an improper shutdown ({evidence}).',
  'ha-failed/local-health-check': "{node}'s own health check failed before it entered Failed at {failedAt} ({evidence}).",
  'ha-failed/operator': 'An administrator acted on {node} shortly before it entered Failed at {failedAt} ({evidence}).',
  'ha-failed/unknown': 'Nothing in the {minutes} minutes before {node} entered Failed at {failedAt} explains it: no request from {peer}, no improper shutdown, no failed local health check. Read sms-info.log on {node} around that time.',
  'passive-takeover/server:database': "{active}'s database failed before {node} {acted} at {at}: {evidence}.",
  'passive-takeover/server:jboss': "{active}'s application server stopped answering before {node} {acted} at {at}: {evidence}.",
  'passive-takeover/server:oom': "{active}'s Java server ran out of memory before {node} {acted} at {at}: {evidence}.",
  'passive-takeover/server:resources': '{active} ran out of a resource (disk, file handles, threads or memory) before {node} {acted} at {at}: {evidence}.',
  'passive-takeover/server:load': '{active} was busy with a backup or a distribution, and heartbeat replies were slow, before {node} {acted} at {at}: {evidence}.',
  'passive-takeover/node-down': '{active} was down, not merely unreachable, when {node} {acted} at {at}: {evidence}.',
  'passive-takeover/network': 'Heartbeats between the nodes failed while {active} kept running, before {node} {acted} at {at}: {evidence}.',
  'passive-takeover/operator': 'An administrator acted before {node} {acted} at {at}: {evidence}.',
  'passive-takeover/unknown': "Neither a server fault on {active}, nor {active} being down, nor heartbeat trouble was logged in the {minutes} minutes before {node} {acted} at {at}; collect both nodes' sms-info.log for that time.",
  'replication-broken/maintenance-under-ha': 'Maintenance that changes the database ran with HA enabled before replication on {node} broke at {at}: {evidence}.',
  'replication-broken/server:resources': '{node} ran out of disk space (or another resource) when its replication broke at {at}: {evidence}.',
  'replication-broken/source-down': "The active node, {node}'s replication source, went down or its database failed when replication broke at {at}: {evidence}.",
  'replication-broken/data-conflict': "A change from the active node conflicted with data already on {node} when its replication stopped at {at}: {evidence}.",
  'replication-broken/network': '{node} could not reach its replication source, though nothing shows the source down, at {at}: {evidence}.',
  'replication-broken/unknown': 'Nothing logged around {at} explains why replication on {node} broke; read mysqld.err on both nodes around that time.',
  'db-crash/server:resources': "{node}'s database ran out of a resource before it crashed at {at}: {evidence}.",
  'db-crash/unknown': "Nothing logged before the crash at {at} points at a cause outside the database server; its crash report in mysqld.err is what support needs.",
  'ha-degraded/version-mismatch': 'Only one node was upgraded before HA became degraded at {at}, so the nodes ran different versions: {evidence}.',
  'ha-degraded/server:oom': "{node}'s Java server ran out of memory before HA became degraded at {at}: {evidence}.",
  'ha-degraded/server:database': "{node}'s database failed before HA became degraded at {at}: {evidence}.",
  'ha-degraded/exceptions': '{node} logged exceptions before HA became degraded at {at}, the first ones being: {evidence}.',
  'ha-degraded/unknown': 'Nothing in the fifteen minutes before {at} explains why HA became degraded on {node}; read sms-info.log there for the exceptions before that time.',
  uncertain: ' The evidence does not settle it: {first} or {second} (smsdiag explain shows both).',
  'clue/down': '{node} was down from {from} (its last sign of life) until it started again at {to}{how}',
  'clue/unclean': ', with database crash recovery: not a clean shutdown',
  'clue/silent': "{node} logged nothing after {from}, and its logs end there",
  'clue/kept-logging': '{node} kept logging from {from} to {to}, while its heartbeats went unanswered',
  'against/network-silent': '{node} logged nothing while the heartbeats failed; a network failure would have left it running and logging',
  'against/network-busy': '{node} was busy with a backup or a distribution; a loaded server misses heartbeats too',
};

/** The sentence for `key` (`condition/cause`, or its family), filled in. */
export function reason(key: string, node: string, fields: Readonly<Record<string, string>>): string {
  const family = key.replace(/:.*$/, '');
  const averted = key.replace(/^takeover-averted\//, 'passive-takeover/');
  const template = REASONS[key] ?? REASONS[family] ?? REASONS[averted] ?? REASONS[averted.replace(/:.*$/, '')];
  if (template === undefined) throw new Error(`no reason sentence for ${key}`);
  return fillTemplate(template, node, fields);
}
