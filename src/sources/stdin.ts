import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { gunzipSync } from 'node:zlib';
import type { LogKind } from '../types';
import { fileNameOf } from './catalog';
import { InputError, UsageError } from '../errors';

/** How much of the input decides its kind: a few hundred lines of any of the logs. */
const SNIFF_BYTES = 64 * 1024;

/**
 * What each kind of file says early and often. A log piped in has no name, so its kind comes from
 * its lines; these are the phrases logs.md lists, counted per line, the kind with most winning.
 */
const SIGNATURES: ReadonlyArray<readonly [Exclude<LogKind, 'state' | 'syslog'>, RegExp]> = [
  ['ha', /Local state:|Peer state:|[Hh]eartbeat|cluster takeover|Synchronization (started|complete|failed)|DEGRADED HA|\[com\.tippingpoint\.sms\.ha\]/],
  ['mysqld', /\[(Note|Warning|ERROR|System)\]|InnoDB:|mysqld|mariadbd|ready for connections/],
  ['sms-info', /^\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d[,.]\d{3} +(TRACE|DEBUG|INFO|WARN|ERROR|FATAL) +\[/],
];

/**
 * Lines the JVM itself prints to its console (tpt_sms.txt), never through log4j: the console also
 * carries the log4j lines of sms-info.log, so one of these is what tells the two apart. A console
 * without any is read as sms-info.log, whose rules are the same for Java faults.
 */
const JVM_CONSOLE = /^(Exception in thread |Exception: java\.|Dumping heap to |Heap dump file created|# There is insufficient memory|# A fatal error|Terminating due to java\.)/;

const STATES = /^(Un-?configured|Configured|synchronization-(source|target)|Restart|Active|Passive|Failed|Degraded)\s*$/i;

function isGzip(b: Buffer): boolean {
  return b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;
}

/** The start of the input as text, inflated when it is gzip (a truncated member still gives its start). */
function headText(head: Buffer): string {
  if (!isGzip(head)) return head.toString('utf8');
  try {
    return gunzipSync(head, { finishFlush: 2 /* Z_SYNC_FLUSH: take what inflates of a cut stream */ }).subarray(0, SNIFF_BYTES).toString('utf8');
  } catch {
    return '';
  }
}

/** The kind of file these first bytes begin, or undefined when nothing says. */
export function sniffKind(head: Buffer): LogKind | undefined {
  const text = headText(head);
  if (STATES.test(text.trim()) && text.trim().split('\n').length === 1) return 'state';
  const lines = text.split('\n');
  let best: LogKind | undefined;
  let bestCount = 0;
  for (const [kind, re] of SIGNATURES) {
    const count = lines.filter((l) => re.test(l)).length;
    if (count > bestCount) [best, bestCount] = [kind, count];
  }
  if ((best === 'sms-info' || best === undefined) && lines.some((l) => JVM_CONSOLE.test(l))) return 'tpt';
  return best;
}

/**
 * `-` as an input: standard input is copied to a private temporary folder (so it can be read more
 * than once, like any file, with memory bounded), named after the kind its lines show; the copy is
 * removed when smsdiag exits. Returns the copy's path, and whether it is a syslog stream (its
 * copy then keeps the name `stdin`, which the year warnings name).
 */
export async function spoolStdin(input: NodeJS.ReadStream, isSyslog: (file: string) => Promise<boolean>): Promise<{ file: string; syslog: boolean }> {
  if (input.isTTY) throw new UsageError('`-` reads a log from standard input, which is a terminal here; pipe or redirect a file into it, e.g. smsdiag analyze - < ha.log');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'smsdiag-stdin-'));
  // The copy is only needed while this process reads it.
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  const raw = path.join(dir, 'stdin');
  await pipeline(input, createWriteStream(raw, { mode: 0o600 }));
  const fh = await fs.open(raw, 'r');
  let head: Buffer;
  try {
    const { buffer, bytesRead } = await fh.read(Buffer.alloc(SNIFF_BYTES), 0, SNIFF_BYTES, 0);
    head = buffer.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
  if (!head.length) throw new InputError('standard input (-) was empty: nothing to read');
  if (!isGzip(head) && (await isSyslog(raw))) return { file: raw, syslog: true };
  const kind = sniffKind(head);
  if (!kind) {
    throw new InputError(
      'standard input (-) does not look like ha.log, sms-info.log, mysqld.err, tpt_sms.txt, ha.state or syslog: none of their usual phrases is in its first 64 KiB; save it under its own name and give that file',
    );
  }
  const named = path.join(dir, fileNameOf(kind) + (isGzip(head) ? '.gz' : ''));
  await fs.rename(raw, named);
  return { file: named, syslog: false };
}
