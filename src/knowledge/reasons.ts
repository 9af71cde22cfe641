import { fillTemplate } from './summaries';

/**
 * Why smsdiag concluded a cause, as a sentence naming the lines that decided it. Keyed by
 * `condition/cause` (a cause family such as `local-health-check` stands for all its checks);
 * `{field}` placeholders are filled by the reasoning in correlate/causes.ts. These are smsdiag's
 * own inferences from the evidence, not statements of the vendor's.
 */
const REASONS: Readonly<Record<string, string>> = {
  'ha-failed/peer-requested': '{node} entered Failed because its peer asked it to: {evidence}. With the peer already Active, failing is how the cluster avoids running active/active.',
  'ha-failed/improper-shutdown': '{node} came back from a stop that was not clean ({restart}) and then entered Failed at {failedAt}; after an improper shutdown this is expected.',
  'ha-failed/local-health-check': "{node}'s own {check} health check failed at {at} ({where}), before it entered Failed at {failedAt}.",
  'ha-failed/unknown': 'No peer request, unclean restart or failed local health check was logged on {node} in the {minutes} minutes before it entered Failed at {failedAt}; read sms-info.log around that time.',
  'passive-takeover/server': "The active node's server failed before {node} considered taking over at {at}: {evidence}.{alsoNetwork}{triedRestart}",
  'passive-takeover/network': 'Only network signs preceded the takeover at {at} — {evidence} — and no server fault was logged on either node, so the link between the nodes failed while both servers may have been healthy.{triedRestart}',
  'passive-takeover/unknown': "Neither a server fault nor heartbeat trouble was logged in the {minutes} minutes before {node} considered taking over at {at}; collect both nodes' sms-info.log for that time.{triedRestart}",
  'passive-takeover/also-network': ' Heartbeat trouble was logged too ({count} line(s)), which a failing server also causes.',
  'passive-takeover/tried-restart': ' {node} tried to restart the active node first ({where}).',
};

/** The sentence for `key` (`condition/cause`, or its family), filled in. */
export function reason(key: string, node: string, fields: Readonly<Record<string, string>>): string {
  const family = key.replace(/:.*$/, '');
  const template = REASONS[key] ?? REASONS[family];
  if (template === undefined) throw new Error(`no reason sentence for ${key}`);
  return fillTemplate(template, node, fields);
}
