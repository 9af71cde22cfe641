import type { LogFile, NodeName } from '../types';
import type { Warn } from '../ingest/decode';
import { readStateFile } from '../ingest/state-file';
import { isoTime, type FindingAggregator } from './aggregate';
import { canonicalState, compareEvents, type NodeEvent } from './events';

/**
 * A node's HA state now, as the guide's `get HA` would give it: /etc/ha.state when it was collected
 * (a fact or a file), else the last `Local state:` it logged; since when, where both agree. A node
 * that ha.state says is Failed has the ha-failed condition even when no log line says so.
 */
export async function currentState(
  node: NodeName,
  stateFiles: readonly LogFile[],
  collectedState: string | undefined,
  events: readonly NodeEvent[],
  agg: FindingAggregator,
  warn: Warn,
): Promise<{ state?: string; stateSince?: string; evidence?: NodeEvent; files: Array<{ path: string; records: number }> }> {
  let fromFile = collectedState;
  // Where the state word came from: a collected fact unless an ha.state file is read below.
  let source = { path: 'facts/ha.state', order: stateFiles.length };
  const files: Array<{ path: string; records: number }> = [];
  for (const file of stateFiles) {
    const s = await readStateFile(file, warn);
    if (s !== undefined) {
      fromFile = s;
      source = { path: file.path, order: file.order };
    }
    files.push({ path: file.path, records: s === undefined ? 0 : 1 });
  }
  const states = events.filter((e) => e.type === 'state' && e.time !== undefined).sort((a, b) => compareEvents(a, b, () => 0));
  const lastLogged = states.length ? canonicalState(states[states.length - 1].fields.state ?? '') : undefined;
  let since: number | undefined;
  for (let i = states.length - 1; i >= 0 && canonicalState(states[i].fields.state ?? '') === lastLogged; i--) since = states[i].time;
  if (fromFile === undefined) return lastLogged ? { state: lastLogged, stateSince: isoTime(since), evidence: states[states.length - 1], files } : { files };
  const state = canonicalState(fromFile);
  const evidence: NodeEvent = { node, kind: 'state', type: 'state', fields: { state }, file: source.path, fileOrder: source.order, line: 1, text: fromFile };
  if (state === 'Failed' && !agg.has('ha-failed', node)) agg.add({ condition: 'ha-failed', node, fields: {}, evidence: [evidence] });
  return { state, stateSince: state === lastLogged ? isoTime(since) : undefined, evidence, files };
}
