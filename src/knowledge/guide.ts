/**
 * What a statement of smsdiag's rests on: a section of the vendor's "SMS High Availability
 * Troubleshooting and Best Practices" guide (its facts, in smsdiag's words), or smsdiag's own
 * reasoning and conventions. Every statement the knowledge base makes carries one.
 */
export const GUIDE_SECTIONS = {
  'disable HA before updates': 'Disable HA before you apply software updates to the SMS',
  'power off': 'Do not power off SMS while HA is enabled',
  'network failovers': 'Avoid network-related failovers',
  'server failovers': 'Investigate server-related SMS HA failovers',
  'dual NICs': 'Enable dual NICs on the SMS',
  'before TAC': 'Before you contact TAC to request assistance',
  'software updates': 'How do I apply SMS software updates to a cluster?',
  IPv6: 'Does SMS HA support IPv6?',
  'external replication': 'Does SMS HA support external database replication?',
  'SNMP or NAT': 'How do I configure SNMP or NAT on each SMS HA server?',
  'unmanaged devices': 'Why are my IPS devices unmanaged after I disable SMS HA?',
  'collect logs': 'How do I collect logs?',
  'access secondary': 'How do I access a secondary SMS HA server without the SMS client?',
  'identify state': 'How do I identify the state of the SMS HA server?',
  'state transitions': 'What are the HA state transitions?',
  'HA Failed': 'HA Failed',
  'Passive Takeover': 'Passive Takeover',
  'HA Degraded': 'HA Degraded',
  'Java heap': 'How do I determine whether the SMS is out of Java Heap memory?',
  'database errors': 'How do I check for database errors?',
  'cluster heartbeat': 'Cluster heartbeat',
  failover: 'Failover',
  'database replication': 'Database replication',
  'data synchronization': 'Data synchronization',
  'primary and secondary': 'Primary and secondary SMS server',
} as const;

export type GuideSection = keyof typeof GUIDE_SECTIONS;

/**
 * The phrases the guide itself tells administrators to grep for; every other phrase smsdiag
 * searches the SMS's own logs for is its convention (docs/spec/logs.md).
 */
export const GUIDE_PHRASES: readonly string[] = ['Local state:', 'Local state: Failed', 'considering cluster takeover', 'attempting to restart active system', 'DEGRADED HA', 'java.lang.OutOfMemoryError'];

/** A statement and its basis. */
export interface Said {
  text: string;
  basis: GuideSection | 'smsdiag';
}

/** A fact from the guide, in smsdiag's words, citing the section it comes from. */
export function guide(section: GuideSection, text: string): Said {
  return { text, basis: section };
}

/** smsdiag's own inference, convention or advice. */
export function ours(text: string): Said {
  return { text, basis: 'smsdiag' };
}
