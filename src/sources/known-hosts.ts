import { createHash, createHmac, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { UnreachableError } from '../errors';
import { globToRegExp } from './glob';

/** What known_hosts says about a host's key. */
export type HostKeyVerdict =
  | { kind: 'match'; line: number }
  | { kind: 'mismatch'; line: number; knownType: string; knownKey: Buffer }
  | { kind: 'revoked'; line: number }
  | { kind: 'unknown' };

/** known_hosts cannot be read: refusing to connect unchecked, so the host cannot be reached. */
export class KnownHostsError extends UnreachableError {}

/** The name known_hosts stores: `host` on port 22, `[host]:port` otherwise. */
export function hostKeyName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/** The key type inside an SSH public key blob (its first string). */
export function keyType(blob: Buffer): string {
  if (blob.length < 4) return '';
  const n = blob.readUInt32BE(0);
  return blob.subarray(4, 4 + n).toString('latin1');
}

/** OpenSSH's fingerprint form: `SHA256:` and unpadded base64 of the blob's SHA-256. */
export function fingerprint(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

function wildcard(pattern: string, name: string): boolean {
  return globToRegExp(pattern, 'i').test(name);
}

function hashedMatch(entry: string, name: string): boolean {
  const parts = entry.split('|');
  if (parts.length !== 4 || parts[1] !== '1') return false;
  const salt = Buffer.from(parts[2], 'base64');
  const want = Buffer.from(parts[3], 'base64');
  const got = createHmac('sha1', salt).update(name).digest();
  return got.length === want.length && got.equals(want);
}

/** A host-pattern field matches when one pattern matches and no negated one does. */
export function patternsMatch(field: string, name: string): boolean {
  if (field.startsWith('|')) return hashedMatch(field, name);
  let positive = false;
  for (const p of field.split(',')) {
    if (p.startsWith('!')) {
      if (wildcard(p.slice(1), name)) return false;
    } else if (wildcard(p, name)) positive = true;
  }
  return positive;
}

/** The known_hosts entries for (host, port), with their line numbers; CA lines are not keys of a host. */
function* entriesFor(text: string, host: string, port: number): Generator<{ line: number; revoked: boolean; ktype: string; key: string }> {
  const name = hostKeyName(host, port);
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const fields = lines[i].trim().split(/\s+/);
    if (!fields[0] || fields[0].startsWith('#')) continue;
    const marker = fields[0].startsWith('@') ? fields.shift() : undefined;
    if (marker === '@cert-authority') continue;
    const [hosts, ktype, key] = fields;
    if (hosts && ktype && key && patternsMatch(hosts, name)) yield { line: i + 1, revoked: marker === '@revoked', ktype, key };
  }
}

/** Verdict for (host, port, key) from known_hosts text. */
export function checkHostKey(text: string, host: string, port: number, blob: Buffer): HostKeyVerdict {
  const type = keyType(blob);
  const b64 = blob.toString('base64');
  let match: HostKeyVerdict | undefined;
  let mismatch: HostKeyVerdict | undefined;
  for (const { line, revoked, ktype, key } of entriesFor(text, host, port)) {
    if (revoked) {
      if (key === b64) return { kind: 'revoked', line };
      continue;
    }
    // Like OpenSSH: a host known with any key, of any type, is not a new host. A key it has not
    // seen, even of another type, is a changed key, never a first sighting to record.
    if (key === b64 && ktype === type) match ??= { kind: 'match', line };
    else mismatch ??= { kind: 'mismatch', line, knownType: ktype, knownKey: Buffer.from(key, 'base64') };
  }
  return match ?? mismatch ?? { kind: 'unknown' };
}

/** The key types known_hosts holds for (host, port), in file order: the ones to ask the host for first. */
export function knownKeyTypes(text: string, host: string, port: number): string[] {
  const out: string[] = [];
  for (const { revoked, ktype } of entriesFor(text, host, port)) if (!revoked && !out.includes(ktype)) out.push(ktype);
  return out;
}

/** known_hosts text, '' when the file does not exist; any other failure is an error (fail closed). */
export async function readKnownHosts(file: string): Promise<string> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw new KnownHostsError(`cannot read ${file} (${(err as Error).message}); refusing to connect without checking host keys`);
  }
}

/** Adds the host's key in hashed form (like `ssh-keygen -H`), never rewriting existing lines. */
export async function appendHostKey(file: string, host: string, port: number, blob: Buffer): Promise<void> {
  const salt = randomBytes(20);
  const hash = createHmac('sha1', salt).update(hostKeyName(host, port)).digest();
  const line = `|1|${salt.toString('base64')}|${hash.toString('base64')} ${keyType(blob)} ${blob.toString('base64')}\n`;
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  await fs.appendFile(file, line, { mode: 0o600 });
}
