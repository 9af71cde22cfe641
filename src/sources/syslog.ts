import { createReadStream, promises as fs } from 'node:fs';
import { Readable } from 'node:stream';
import * as path from 'node:path';
import { eachLine, splitLines } from '../text/lines';
import { LOG_KINDS, type LogFile, type LogKind, type NodeInput } from '../types';
import { roleOf } from './local';
import { UsageError } from '../errors';

const MONTH = /^(?:<\d{1,3}>)?[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d (\S+) ([^\s:[]+)/;
const RFC5424 = /^<\d{1,3}>1 \S+ (\S+) (\S+)/;

/** HOSTNAME and APP-NAME/tag of an RFC 3164 or RFC 5424 line; null for anything else. */
export function syslogHeader(line: string): { host: string; app: string } | null {
  const m = RFC5424.exec(line) ?? MONTH.exec(line);
  return m ? { host: m[1], app: m[2] } : null;
}

/** The kind of evidence a syslog tag carries; anything unknown is read as ha.log. */
export function kindOfApp(app: string): LogKind {
  const a = app.toLowerCase();
  if (/mysql|mariadb/.test(a)) return 'mysqld';
  if (/tpt_sms|console/.test(a)) return 'tpt';
  if (/java|jboss|sms-info|smsinfo|tomcat/.test(a)) return 'sms-info';
  return 'ha';
}

/** Quick look at the first lines: does this file hold syslog lines? */
export async function looksLikeSyslog(file: string): Promise<boolean> {
  const fh = await fs.open(file, 'r');
  try {
    const { buffer, bytesRead } = await fh.read(Buffer.alloc(8192), 0, 8192, 0);
    const lines = buffer.subarray(0, bytesRead).toString('utf8').split('\n').slice(0, 20).filter(Boolean);
    return lines.length > 0 && lines.filter((l) => syslogHeader(l)).length * 2 >= lines.length;
  } finally {
    await fh.close();
  }
}

const SMS_APPS = /sms|^ha|mysql|maria|java|jboss/i;
/** Lines are demultiplexed by their header, so only this much of a line is decoded to read it. */
const HEADER_BYTES = 512;
/** Longer lines stream through in pieces (lines.ts). */
const MAX_LINE = 1024 * 1024;
const NL = Buffer.from('\n');

/** The start of a line as text: enough for its syslog header. */
function headOf(buf: Buffer, start: number, end: number): string {
  return buf.toString('utf8', start, Math.min(end, start + HEADER_BYTES));
}

/** Per-host line counts, and how many of them come from SMS programs (to suggest the nodes). */
async function countHosts(file: string): Promise<{ counts: Map<string, number>; sms: Map<string, number> }> {
  const counts = new Map<string, number>();
  const sms = new Map<string, number>();
  const count = (line: string): void => {
    const h = syslogHeader(line);
    if (!h) return;
    counts.set(h.host, (counts.get(h.host) ?? 0) + 1);
    if (SMS_APPS.test(h.app)) sms.set(h.host, (sms.get(h.host) ?? 0) + 1);
  };
  for await (const p of splitLines(createReadStream(file), MAX_LINE)) {
    if (p.type === 'lines') eachLine(p.buf, p.end, (start, end) => count(headOf(p.buf, start, end)));
    else if (p.type === 'long-start') count(headOf(p.head, 0, p.head.length));
  }
  return { counts, sms };
}

/**
 * One node's lines of one kind from a shared syslog file. Other lines become empty lines, so
 * line numbers still point into the original file.
 */
function filteredFile(file: string, node: string, host: string, kind: LogKind, size: number, mtime: Date, order: number): LogFile {
  return {
    node,
    kind,
    path: path.basename(file),
    order,
    size,
    mtime,
    open: () =>
      Readable.from(
        (async function* () {
          const mine = (head: string): boolean => {
            const h = syslogHeader(head);
            return !!h && h.host === host && kindOfApp(h.app) === kind;
          };
          let keep = false;
          for await (const p of splitLines(createReadStream(file), MAX_LINE)) {
            if (p.type === 'lines') {
              const parts: Buffer[] = [];
              eachLine(p.buf, p.end, (start, end) => parts.push(mine(headOf(p.buf, start, end)) ? p.buf.subarray(start, end + 1) : NL));
              yield Buffer.concat(parts);
            } else if (p.type === 'long-start') keep = mine(headOf(p.head, 0, p.head.length));
            else if (p.type === 'long-piece') {
              if (keep) yield p.piece;
            } else yield NL;
          }
        })(),
      ),
  };
}

/** Split a central syslog file into nodes by HOSTNAME (`--node primary=sms-a`). */
export async function nodesFromSyslog(file: string, hosts: Record<string, string>, warnings: string[], label = file): Promise<NodeInput[]> {
  const { counts, sms } = await countHosts(file);
  const seen = [...counts.keys()].sort();
  if (!Object.keys(hosts).length) {
    const likely = [...sms.keys()].sort((a, b) => (sms.get(b) ?? 0) - (sms.get(a) ?? 0) || (a < b ? -1 : 1));
    const [p = 'HOST-A', q = 'HOST-B'] = likely;
    throw new UsageError(`${label} is a syslog file with lines from ${seen.join(', ') || 'no recognisable host'}; say which hosts are the SMS nodes, e.g. --node primary=${p} --node secondary=${q}`);
  }
  const st = await fs.stat(file);
  const nodes: NodeInput[] = [];
  for (const [name, host] of Object.entries(hosts)) {
    if (!counts.has(host)) {
      warnings.push(`${name}: no lines from host ${host} in ${path.basename(label)} (hosts there: ${seen.join(', ')})`);
      continue;
    }
    // The kinds a syslog message can carry (kindOfApp): logs of lines, not the ha.state word.
    const kinds = LOG_KINDS.filter((k) => k !== 'state' && k !== 'syslog');
    const files = kinds.map((k, i) => filteredFile(file, name, host, k, st.size, st.mtime, i));
    nodes.push({ name, role: roleOf(name), files, facts: {} });
  }
  const mapped = new Set(Object.values(hosts));
  const others = seen.filter((h) => !mapped.has(h));
  if (others.length) {
    const n = others.reduce((a, h) => a + (counts.get(h) ?? 0), 0);
    warnings.push(`ignored ${n} line(s) from other hosts in ${path.basename(label)}: ${others.join(', ')}`);
  }
  return nodes;
}
