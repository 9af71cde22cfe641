import { BundleError } from '../../errors';
import { ownSlice } from '../../text/own-string';

/** One tar entry as smsdiag sees it, after pax / GNU long-name records are applied. */
export interface TarEntry {
  /** Full name in the archive, e.g. smsdiag-x/nodes/primary/logs/ha.log (no trailing slash). */
  name: string;
  type: 'file' | 'directory';
  size: number;
  mtime: Date;
}

/** Raw header fields (typeflag as the character in the header). */
export interface RawHeader {
  name: string;
  typeflag: string;
  size: number;
  mtime: number;
  linkname: string;
}

function str(b: Buffer, off: number, len: number): string {
  const end = b.indexOf(0, off);
  return b.toString('utf8', off, end === -1 || end > off + len ? off + len : end);
}

function num(b: Buffer, off: number, len: number, field: string): number {
  if (b[off] & 0x80) {
    // GNU base-256 (only positive values make sense for sizes/times).
    let v = b[off] & 0x7f;
    for (let i = off + 1; i < off + len; i++) v = v * 256 + b[i];
    return v;
  }
  const s = str(b, off, len).trim();
  if (s === '') return 0;
  if (!/^[0-7]+$/.test(s)) throw new Error(`bad ${field} field`);
  return parseInt(s, 8);
}

/** Decode one 512-byte header block; null for an all-zero block (end of archive). */
export function decodeHeader(b: Buffer): RawHeader | null {
  if (b.length < 512) throw new Error('short header block');
  let zero = true;
  for (let i = 0; i < 512; i++) {
    if (b[i] !== 0) {
      zero = false;
      break;
    }
  }
  if (zero) return null;
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : b[i];
  const stored = num(b, 148, 8, 'checksum');
  if (stored !== sum) throw new Error('header checksum mismatch');
  let name = str(b, 0, 100);
  const magic = b.toString('latin1', 257, 263);
  if (magic === 'ustar\u0000' || magic === 'ustar ') {
    const prefix = magic === 'ustar\u0000' ? str(b, 345, 155) : '';
    if (prefix) name = `${prefix}/${name}`;
  }
  return {
    name,
    typeflag: b[156] === 0 ? '0' : String.fromCharCode(b[156]),
    size: num(b, 124, 12, 'size'),
    mtime: num(b, 136, 12, 'mtime'),
    linkname: str(b, 157, 100),
  };
}

/** pax extended header records: "LEN key=value\n". */
export function decodePax(buf: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let off = 0;
  while (off < buf.length) {
    const sp = buf.indexOf(0x20, off);
    if (sp === -1) break;
    const len = parseInt(buf.toString('utf8', off, sp), 10);
    if (!len || off + len > buf.length) break;
    const rec = buf.toString('utf8', sp + 1, off + len - 1);
    const eq = rec.indexOf('=');
    if (eq > 0) out[rec.slice(0, eq)] = rec.slice(eq + 1);
    off += len;
  }
  return out;
}

const TYPE_NAMES: Record<string, string> = {
  '1': 'a hard link',
  '2': 'a symbolic link',
  '3': 'a character device',
  '4': 'a block device',
  '6': 'a FIFO',
  link: 'a hard link',
  symlink: 'a symbolic link',
  'character-device': 'a character device',
  'block-device': 'a block device',
  fifo: 'a FIFO',
};

/**
 * Check one entry against the bundle rules and return its TarEntry. `typeflag` is a header
 * character ('0', '5', ...) or a tar-stream type name. Throws a BundleError naming the entry.
 */
export function safeEntry(bundle: string, rawName: string, typeflag: string, size: number, mtime: Date): TarEntry {
  const shown = JSON.stringify(rawName);
  const bad = (why: string): never => {
    throw new BundleError(`${bundle} holds an unsafe entry ${shown}: ${why}; it was not read (a bundle written by smsdiag never has one)`);
  };
  let type: 'file' | 'directory';
  if (typeflag === '0' || typeflag === '7' || typeflag === 'file' || typeflag === 'contiguous-file') type = 'file';
  else if (typeflag === '5' || typeflag === 'directory') type = 'directory';
  else return bad(`it is ${TYPE_NAMES[typeflag] ?? `of tar type ${JSON.stringify(typeflag)}`}, not a regular file or directory`);
  if (rawName.startsWith('/')) bad('its path is absolute');
  if (rawName.includes('\\')) bad('its path contains a backslash');
  if (rawName.includes('\0')) bad('its path contains a NUL byte');
  const name = rawName.replace(/\/+$/, '');
  const segs = name.split('/');
  if (segs.some((s) => s === '..')) bad('its path has a ".." segment');
  if (!name || segs.some((s) => s === '' || s === '.')) bad('its path has an empty or "." segment');
  return { name, type, size: type === 'file' ? size : 0, mtime };
}

/**
 * Tracks the single top directory every entry must sit in, and duplicate names.
 */
export class EntryRules {
  top: string | null = null;
  private readonly seen = new Set<string>();

  /**
   * `files`: the caller's table of files, to which it adds each file accepted here. A file's path
   * is then looked up there, not kept here as well (a set of 200,000 paths is 10 MB to build).
   */
  constructor(
    private readonly bundle: string,
    private readonly files?: { has(rel: string): boolean },
  ) {}

  /**
   * Validate and register one entry; returns its path relative to the top directory ('' for the
   * top itself), a string of its own (ownSlice; 200,000 members: 18 MB, here and in the reader's
   * table of entries).
   */
  accept(e: TarEntry): string {
    const slash = e.name.indexOf('/');
    const first = slash === -1 ? e.name : e.name.slice(0, slash);
    if (this.top === null) this.top = first;
    if (first !== this.top || (slash === -1 && e.type !== 'directory')) {
      throw new BundleError(
        `${this.bundle} holds an unsafe entry ${JSON.stringify(e.name)}: it is outside the bundle's top directory "${this.top}/"; it was not read`,
      );
    }
    const rel = slash === -1 ? '' : ownSlice(e.name, slash + 1);
    // One top directory: the path below it names the entry as well as the whole name does.
    if (this.seen.has(rel) || this.files?.has(rel)) {
      throw new BundleError(`${this.bundle} holds the entry ${JSON.stringify(e.name)} twice; the bundle is ambiguous and was not read`);
    }
    if (!this.files || e.type !== 'file') this.seen.add(rel);
    return rel;
  }
}
