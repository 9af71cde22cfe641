import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import * as zlib from 'node:zlib';
import type { Manifest, ManifestFile } from '../../src/sources/bundle/manifest';
import type { Redactor } from '../../src/bundle/redact';
import { createBundleWriter } from '../../src/bundle/writer';
import { encodeMember } from '../../src/sources/bundle/block-gzip';

export const NAME = 'smsdiag-sms-a-20171012T134501Z';
export const CREATED = '2017-10-12T13:45:01.000Z';

/** A manifest that lists no files: `nodes` as given (none by default), no analysis. */
export function bareManifest(nodes: Manifest['nodes'] = []): Manifest {
  return { format: 'smsdiag-bundle', version: 1, tool: { name: 'smsdiag', version: '0' }, commandLine: [], createdAt: CREATED, redacted: false, nodes, analysis: [] };
}

export function tempDir(prefix = 'smsdiag-bundle-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function sha256(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}

export function run(cmd: string, args: string[], cwd?: string): string {
  return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/**
 * A plain tar file (GNU tar's) as smsdiag's block-gzip: gzip members of `block` bytes, each saying
 * its lengths, which the reader takes for its block index. Any gzip reader reads it as one file.
 */
export function blockGzip(tarFile: string, block = 512): Buffer {
  const raw = readFileSync(tarFile);
  const members: Buffer[] = [];
  for (let k = 0; k < raw.length; k += block) {
    const part = raw.subarray(k, k + block);
    members.push(encodeMember(part, zlib.deflateRawSync(part)));
  }
  return Buffer.concat(members);
}

/** A Readable that keeps delivering bytes past `size`, like a log being appended while read. */
export function growing(first: Buffer, more: Buffer, chunk = 7): Readable {
  const all = Buffer.concat([first, more]);
  const parts: Buffer[] = [];
  for (let i = 0; i < all.length; i += chunk) parts.push(all.subarray(i, i + chunk));
  return Readable.from(parts, { objectMode: false });
}

export function haLines(node: string, from: number, n: number): string {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const s = from + i;
    const hh = String(Math.floor(s / 3600) % 24).padStart(2, '0');
    const mm = String(Math.floor(s / 60) % 60).padStart(2, '0');
    const ss = String(s % 60).padStart(2, '0');
    out.push(`2017-10-12 ${hh}:${mm}:${ss},123 INFO [HA] ${node} heartbeat from 192.168.10.${node === 'primary' ? 2 : 1} seq=${s}`);
  }
  return `${out.join('\n')}\n`;
}

export interface SampleFile {
  node: string;
  kind: string;
  source: string;
  path: string;
  /** The bytes the bundle must hold (after the size cut). */
  bytes: Buffer;
  body: () => Readable | Buffer;
  size: number;
  mtime: Date;
}

/** The sample collection: two nodes, rotations (one gzip), facts, a growing file, an analysis file. */
export function sampleFiles(): SampleFile[] {
  const files: SampleFile[] = [];
  const add = (node: string, kind: string, source: string, rel: string, bytes: Buffer, body?: () => Readable | Buffer, mtime = '2017-10-12T13:40:00Z'): void => {
    files.push({ node, kind, source, path: rel, bytes, body: body ?? (() => Readable.from([bytes], { objectMode: false })), size: bytes.length, mtime: new Date(mtime) });
  };
  for (const node of ['primary', 'secondary']) {
    const old = zlib.gzipSync(Buffer.from(haLines(node, 0, 200)));
    add(node, 'ha', '/var/log/ha.log.2.gz', `nodes/${node}/logs/ha.log.2.gz`, old, undefined, '2017-10-10T00:00:00Z');
    add(node, 'ha', '/var/log/ha.log.1', `nodes/${node}/logs/ha.log.1`, Buffer.from(haLines(node, 200, 300)), undefined, '2017-10-11T00:00:00Z');
    const current = Buffer.from(haLines(node, 500, 100));
    const extra = Buffer.from(haLines(node, 600, 20));
    add(node, 'ha', '/var/log/ha.log', `nodes/${node}/logs/ha.log`, current, () => growing(current, extra));
    add(node, 'sms-info', '/var/log/sms-info.log', `nodes/${node}/logs/sms-info.log`, Buffer.from('2017-10-12 13:44:00,001 INFO sms started version 5.0.1\n'));
    add(node, 'state', '/etc/ha.state', `nodes/${node}/facts/ha.state`, Buffer.from(node === 'primary' ? 'Active\n' : 'Passive\n'), (): Buffer => Buffer.from(node === 'primary' ? 'Active\n' : 'Passive\n'));
    add(node, 'fact', 'date', `nodes/${node}/facts/date.txt`, Buffer.from('Thu Oct 12 13:45:01 UTC 2017\n'));
  }
  // Big enough to span several 1 MiB gzip blocks, not a multiple of 512.
  const big = Buffer.alloc(3 * 1024 * 1024 + 777);
  for (let i = 0; i < big.length; i++) big[i] = (i * 2654435761) >>> 24;
  add('primary', 'mysqld', '/var/lib/mysql/dbdatadir/mysqld.err', 'nodes/primary/logs/mysqld.err', big);
  return files;
}

export interface WrittenSample {
  bundle: string;
  sha256File: string;
  mapFile?: string;
  manifest: Manifest;
  files: SampleFile[];
  stored: Map<string, { sha256: string; size: number; path: string }>;
}

/** Write the sample collection as a bundle in `outDir`. */
export async function writeSample(outDir: string, opts: { name?: string; redactor?: Redactor } = {}): Promise<WrittenSample> {
  const files = sampleFiles();
  if (opts.redactor) opts.redactor.register('host', 'sms-a.corp.example.com');
  const w = await createBundleWriter({ outDir, name: opts.name ?? NAME, redactor: opts.redactor });
  const stored = new Map<string, { sha256: string; size: number; path: string }>();
  const nodes = new Map<string, ManifestFile[]>();
  for (const f of files) {
    const r = await w.addFile({ path: f.path, size: f.size, mtime: f.mtime, body: f.body(), source: f.source });
    stored.set(f.path, r);
    const list = nodes.get(f.node) ?? [];
    list.push({ kind: f.kind, source: f.source, path: f.path, size: r.size, mtime: f.mtime.toISOString(), sha256: r.sha256 });
    nodes.set(f.node, list);
  }
  const findings = Buffer.from('{"version":1,"nodes":[],"findings":[],"incidents":[],"warnings":[]}\n');
  const a = await w.addFile({ path: 'analysis/findings.json', size: findings.length, mtime: new Date(CREATED), body: findings });
  const manifest: Manifest = {
    format: 'smsdiag-bundle',
    version: 1,
    tool: { name: 'smsdiag', version: '0.1.0' },
    commandLine: ['collect', '--peer', '--case', '1234'],
    createdAt: CREATED,
    case: '1234',
    description: 'Secondary took over at 13:48 while the primary was up.',
    incident: '2017-10-12T13:48:00.000Z',
    redacted: false,
    nodes: [...nodes].map(([name, fl]) => ({
      name,
      host: name === 'primary' ? 'sms-a.corp.example.com' : '192.168.10.1',
      role: name,
      facts: { hostname: name === 'primary' ? 'sms-a.corp.example.com' : 'sms-b', utcOffsetMinutes: name === 'primary' ? 0 : 120, clockOffsetMs: name === 'primary' ? 0 : 1500, clockUncertaintyMs: 12 },
      files: fl,
      errors: name === 'secondary' ? [{ source: '/var/log/tpt_sms.txt', message: 'permission denied' }] : [],
    })),
    analysis: [{ path: a.path, size: a.size, sha256: a.sha256 }],
  };
  const done = await w.finish(manifest);
  return { bundle: done.path, sha256File: done.sha256File, mapFile: done.mapFile, manifest, files, stored };
}
