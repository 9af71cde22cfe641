import { createWriteStream, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';

/** The conditions planted in every generated set: the benchmark fails if smsdiag reports other ones. */
export const PLANTED: ReadonlyArray<[string, string]> = [
  ['db-crash', 'primary'],
  ['java-oom', 'primary'],
  ['ha-failed', 'primary'],
  ['passive-takeover', 'secondary'],
  ['db-corruption', 'secondary'],
];

/** Deterministic PRNG (mulberry32): the same seed gives the same bytes. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const START = Date.UTC(2017, 9, 1, 0, 0, 0);

export function stamp(ms: number, sep = ','): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${sep}${iso.slice(20, 23)}`;
}

const INFO = [
  'Polled device ips-%d (segment group %d): 0 new events',
  'Distributed DV 3.2.0.%d to %d devices',
  'Report scheduler finished job %d in %d ms',
  'Client session %d refreshed device list (%d devices)',
  'Event archive rolled partition %d (%d rows)',
];

type Plant = [fraction: number, text: (t: number) => string];

/**
 * Writes about `bytes` through `line(i, t)` into `file`. Time advances with the share of bytes
 * written, so a plant at the same fraction lands at the same time on both nodes.
 */
async function writeLines(file: string, bytes: number, from: number, spanMs: number, line: (i: number, t: number) => string, plants: Plant[] = []): Promise<void> {
  const out = createWriteStream(file);
  const pending = [...plants].sort((a, b) => a[0] - b[0]);
  let written = 0;
  let i = 0;
  while (written < bytes) {
    const parts: string[] = [];
    let chunk = 0;
    while (chunk < 1 << 20 && written + chunk < bytes) {
      const fraction = (written + chunk) / bytes;
      const t = from + Math.floor(fraction * spanMs);
      const s = pending.length && fraction >= pending[0][0] ? pending.shift()![1](t) : line(i++, t);
      parts.push(s);
      chunk += s.length;
    }
    written += chunk;
    if (!out.write(parts.join(''))) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  for (const [, text] of pending) out.write(text(from + spanMs));
  await new Promise<void>((r) => out.end(r));
}

const OOM = (t: number): string =>
  `${stamp(t)} ERROR [com.tippingpoint.sms.server] (worker-3) Event correlation worker stopped\njava.lang.OutOfMemoryError: Java heap space\n\tat java.util.Arrays.copyOf(Arrays.java:3512)\n\tat com.tippingpoint.sms.Correlator.add(Correlator.java:88)\n`;

export function smsInfoLine(rand: () => number): (i: number, t: number) => string {
  return (i, t) => {
    if (rand() < 0.002) {
      return `${stamp(t)} WARN  [com.tippingpoint.sms.db] (pool-2) Retrying query\ncom.tippingpoint.sms.DbRetryException: lock wait timeout\n\tat com.tippingpoint.sms.db.Pool.run(Pool.java:212)\n\tat java.lang.Thread.run(Thread.java:829)\n`;
    }
    const f = INFO[Math.floor(rand() * INFO.length)];
    return `${stamp(t)} INFO  [com.tippingpoint.sms.server] (pool-${i % 8}) ${f.replace('%d', String(i % 997)).replace('%d', String(i % 13))}\n`;
  };
}

export function haLine(node: 'primary' | 'secondary'): (i: number, t: number) => string {
  const peer = node === 'primary' ? '10.0.0.2' : '10.0.0.1';
  return (i, t) => {
    if (node === 'primary') return `${stamp(t)} DEBUG [com.tippingpoint.sms.ha] Peer state: Passive; replication in sync\n`;
    return i % 2 === 0
      ? `${stamp(t)} DEBUG [com.tippingpoint.sms.ha] Heartbeat sent to peer ${peer} via primary interface\n`
      : `${stamp(t)} DEBUG [com.tippingpoint.sms.ha] Heartbeat reply from peer ${peer} in ${60 + (i % 50)} ms\n`;
  };
}

const haPlant = (fraction: number, msg: string): Plant => [fraction, (t) => `${stamp(t)} INFO  [com.tippingpoint.sms.ha] ${msg}\n`];

function mysqldLine(i: number, t: number): string {
  const s = stamp(t, '').slice(0, 19);
  return `${s} ${i % 40} [Note] InnoDB: Buffer pool(s) dump completed, ${i % 9000} pages\n`;
}

const dbPlant = (fraction: number, body: string): Plant => [fraction, (t) => `${stamp(t, '').slice(0, 19)} ${body}\n`];

/**
 * A two-node log set of about `total` bytes: per node sms-info.log (70 %, the older part as a
 * gzip rotation), ha.log (20 %) and mysqld.err (10 %), with the PLANTED conditions at known places.
 */
export async function generate(dir: string, total: number, seed = 42): Promise<void> {
  rmSync(dir, { recursive: true, force: true });
  const spanMs = 30 * 86_400_000;
  for (const node of ['primary', 'secondary'] as const) {
    const d = path.join(dir, node);
    mkdirSync(d, { recursive: true });
    const rand = prng(seed + (node === 'primary' ? 0 : 1));
    const share = total / 2;
    const rotated = path.join(d, 'sms-info.log.1');
    await writeLines(rotated, share * 0.2, START, spanMs * 0.3, smsInfoLine(rand));
    writeFileSync(`${rotated}.gz`, gzipSync(readFileSync(rotated), { level: 1 }));
    rmSync(rotated);
    await writeLines(path.join(d, 'sms-info.log'), share * 0.5, START + spanMs * 0.3, spanMs * 0.7, smsInfoLine(rand), node === 'primary' ? [[0.9, OOM]] : []);
    const ha: Plant[] = node === 'primary'
      ? [haPlant(0, 'Local state: Active'), haPlant(0.95, 'Local state: Failed')]
      : [haPlant(0, 'Local state: Passive'), haPlant(0.9499, 'considering cluster takeover'), haPlant(0.9501, 'Local state: Active')];
    await writeLines(path.join(d, 'ha.log'), share * 0.2, START, spanMs, haLine(node), ha);
    const db: Plant[] = [dbPlant(0, '0 [Note] mariadbd: ready for connections.')];
    db.push(node === 'primary' ? dbPlant(0.5, '0 [ERROR] mariadbd got signal 11 ;') : dbPlant(0.5, "7 [ERROR] mariadbd: Table './sms/alerts' is marked as crashed and should be repaired"));
    await writeLines(path.join(d, 'mysqld.err'), share * 0.1, START, spanMs, mysqldLine, db);
  }
}
