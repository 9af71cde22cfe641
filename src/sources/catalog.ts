import type { LogKind } from '../types';

/**
 * Where each kind of evidence lives on an SMS node. Only the mysqld and state paths are given by
 * the vendor; the rest are the usual places and can be overridden with `--path KIND=GLOB`.
 */
export const DEFAULT_LOCATIONS: Readonly<Record<Exclude<LogKind, 'syslog'>, readonly string[]>> = {
  ha: ['/var/log/ha.log*', '/var/log/tpt/ha.log*', '/opt/tpt/sms/logs/ha.log*'],
  'sms-info': ['/var/log/sms-info.log*', '/var/log/tpt/sms-info.log*', '/opt/tpt/sms/logs/sms-info.log*'],
  mysqld: ['/var/lib/mysql/dbdatadir/mysqld.err*'],
  tpt: ['/var/log/tpt_sms.txt*', '/opt/tpt/sms/logs/tpt_sms.txt*'],
  state: ['/etc/ha.state'],
};

const BASE_NAMES: ReadonlyArray<[string, LogKind]> = [
  ['ha.log', 'ha'],
  ['sms-info.log', 'sms-info'],
  ['mysqld.err', 'mysqld'],
  ['tpt_sms.txt', 'tpt'],
  ['ha.state', 'state'],
];

/** The file a kind of evidence is known by (its name without rotation suffix). */
export function fileNameOf(kind: LogKind): string {
  return BASE_NAMES.find(([, k]) => k === kind)?.[0] ?? kind;
}

/** How old a rotation is: dated copies (oldest date first), then numbered (highest first), then the live file. */
export interface Rotation {
  /** 0 dated, 1 numbered, 2 current. */
  group: 0 | 1 | 2;
  /** yyyymmdd for dated, N for numbered, 0 for current. */
  value: number;
  compressedName: boolean;
}

export interface Classified {
  kind: LogKind;
  rotation: Rotation;
}

/**
 * Rotation suffixes: `.N` (logrotate's count, any number up to 8 digits), `-YYYYMMDD` (dateext),
 * `.YYYYMMDD` and `.YYYY-MM-DD` (a dateformat that begins with a dot), each maybe `.gz`. Eight
 * digits after a dot are a date when they spell one, else a count.
 */
const SUFFIX = /^(?:\.(\d{1,8})|-(\d{8})|\.(\d{4}-\d{2}-\d{2}))?(\.gz)?$/;

/** Whether eight digits spell a calendar date, YYYYMMDD. */
function isDate(digits: string): boolean {
  const y = Number(digits.slice(0, 4));
  const m = Number(digits.slice(4, 6));
  const d = Number(digits.slice(6, 8));
  const t = new Date(Date.UTC(y, m - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
}

/** Recognise an SMS log by its base name, with any rotation suffix; null for anything else. */
export function classifyFileName(baseName: string): Classified | null {
  for (const [base, kind] of BASE_NAMES) {
    if (!baseName.startsWith(base)) continue;
    const m = SUFFIX.exec(baseName.slice(base.length));
    if (!m) continue;
    const compressedName = m[4] !== undefined;
    if (m[1] !== undefined && !(m[1].length === 8 && isDate(m[1]))) return { kind, rotation: { group: 1, value: Number(m[1]), compressedName } };
    const date = m[2] ?? m[3]?.replace(/-/g, '') ?? m[1];
    if (date !== undefined) return { kind, rotation: { group: 0, value: Number(date), compressedName } };
    return { kind, rotation: { group: 2, value: 0, compressedName } };
  }
  return null;
}

/**
 * Where each group's ranks start or end, oldest first: dated files from 0 up by their date, then
 * numbered ones down from NUMBERED_TOP by their count (either 8 digits at most), the current file last.
 */
const DATED_FROM = 0;
const NUMBERED_TOP = 200_000_000;
const CURRENT_RANK = 300_000_000;

/**
 * Where a rotation falls, oldest first, as one number (ha.log.10.gz below ha.log.9 below ha.log):
 * a small integer to keep per file, where a Rotation for each of a bundle's 200,000 members was
 * 11 MB alive while its inventory was made.
 */
export function rotationRank(r: Rotation): number {
  if (r.group === 0) return DATED_FROM + r.value;
  return r.group === 1 ? NUMBERED_TOP - r.value : CURRENT_RANK;
}
