import type { NodeFacts } from '../types';
import type { NodeAccess, NodeFile, PathGlob } from './remote';

/** What collect records about a node besides its logs. */
export interface CollectedFacts {
  /** Files for nodes/<node>/facts/. */
  files: Array<{ name: string; text: string }>;
  /** Structured facts for the manifest (read back by analyze: utcOffsetMinutes, clockOffsetMs, …). */
  values: Record<string, unknown>;
}

const COMMANDS: ReadonlyArray<[string, readonly string[]]> = [
  ['ha.state', ['cat', '/etc/ha.state']],
  ['uptime.txt', ['uptime']],
  ['df.txt', ['df', '-P']],
  ['free.txt', ['free', '-m']],
  ['ip-addr.txt', ['ip', 'addr']],
  // The names this node knows for itself and its peer: what a redaction must replace.
  ['hosts.txt', ['cat', '/etc/hosts']],
];

function offsetMinutes(z: string): number | undefined {
  const m = /^([+-])(\d{2})(\d{2})$/.exec(z.trim());
  return m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : undefined;
}

/** The node's clock as seconds since the epoch, its zone, and its local time (for date.txt). */
const CLOCK = ['date', '+%s.%N %z %Y-%m-%dT%H:%M:%S%z'];

/**
 * One look at a node: the files the globs name, and its facts, with its clock sampled against this
 * machine's: the node's reading taken between two local ones gives the offset, and half the
 * interval bounds its error.
 */
export async function surveyNode(access: NodeAccess, remote: boolean, globs: readonly PathGlob[]): Promise<{ facts: CollectedFacts; files: NodeFile[] }> {
  const files: CollectedFacts['files'] = [];
  const values: Record<string, unknown> = {};
  const survey = await access.survey(globs, [['hostname'], ...COMMANDS.map(([, argv]) => argv)], CLOCK);
  const [hostnameOut, ...outputs] = survey.outputs;
  const hostname = hostnameOut?.trim();
  if (hostname) values.hostname = hostname;
  if (survey.clock) {
    const { before, text, after } = survey.clock;
    const [epoch, zone, local] = text.trim().split(' ');
    const off = offsetMinutes(zone ?? '');
    if (off !== undefined) values.utcOffsetMinutes = off;
    if (remote && Number.isFinite(Number(epoch))) {
      values.clockOffsetMs = Math.round(Number(epoch) * 1000 - (before + after) / 2);
      // Date.now() truncates: the reading lies in [before, after + 1), whose half is the bound.
      values.clockUncertaintyMs = Math.ceil((after - before + 1) / 2);
    }
    files.push({ name: 'date.txt', text: `${local}\nsampled between collector times ${new Date(before).toISOString()} and ${new Date(after).toISOString()}\n` });
  }
  for (const [k, [name]] of COMMANDS.entries()) {
    const out = outputs[k];
    if (out === undefined) continue;
    files.push({ name, text: out });
    if (name === 'ha.state' && out.trim()) values.haState = out.trim().split(/\s+/)[0];
  }
  return { facts: { files, values }, files: survey.files };
}

/**
 * What analysis takes from a node's collected facts: its name, zone and clock sample, ha.state,
 * and how full its disks and memory were (as analyze reads them back from a bundle).
 */
export function sampledFacts(c: CollectedFacts): NodeFacts {
  const v = c.values;
  const facts: NodeFacts = {
    hostname: v.hostname as string | undefined,
    utcOffsetMinutes: v.utcOffsetMinutes as number | undefined,
    clockOffsetMs: v.clockOffsetMs as number | undefined,
    clockUncertaintyMs: v.clockUncertaintyMs as number | undefined,
    haState: v.haState as string | undefined,
  };
  const file = (name: string): string | undefined => c.files.find((f) => f.name === name)?.text;
  const df = file('df.txt');
  if (df !== undefined) facts.diskUse = parseDf(df);
  const free = file('free.txt');
  const memory = free === undefined ? undefined : parseFree(free);
  if (memory) facts.memory = memory;
  return facts;
}

/** File systems that are always full or not disks at all: memory, read-only images, loop devices. */
const NOT_A_DISK = /^(?:tmpfs|devtmpfs|udev|overlay|squashfs|none|shm|\/dev\/loop\d+)$/;

/** How full each disk file system was, from `df -P` output (the facts file df.txt). */
export function parseDf(text: string): Array<{ mount: string; percent: number }> {
  const out: Array<{ mount: string; percent: number }> = [];
  for (const line of text.split('\n').slice(1)) {
    const m = /^(\S+)\s+\d+\s+\d+\s+\d+\s+(\d+)%\s+(\S.*)$/.exec(line.trim());
    if (m && !NOT_A_DISK.test(m[1])) out.push({ mount: m[3], percent: Number(m[2]) });
  }
  return out;
}

/** Memory when collected, from `free -m` (the facts file free.txt): total and available MiB. */
export function parseFree(text: string): { totalMb: number; availableMb: number } | undefined {
  const lines = text.split('\n');
  const head = lines[0]?.trim().split(/\s+/) ?? [];
  const mem = lines.find((l) => /^Mem:/.test(l))?.trim().split(/\s+/).slice(1).map(Number);
  if (!mem) return undefined;
  const at = head.indexOf('available');
  // Older free prints no "available" column: free plus buffers and cache is the nearest.
  const available = at >= 0 ? mem[at] : (mem[head.indexOf('free')] ?? NaN) + (mem[head.indexOf('buffers')] ?? 0) + (mem[head.indexOf('cached')] ?? 0);
  return Number.isFinite(mem[0]) && Number.isFinite(available) ? { totalMb: mem[0], availableMb: available } : undefined;
}
