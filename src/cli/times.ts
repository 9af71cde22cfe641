import { UsageError } from '../errors';
import { splitNamed } from '../text/named';
import { THRESHOLD_SPECS, type Thresholds } from '../knowledge/thresholds';
import { parseOffset } from '../ingest/timestamp';


const RELATIVE = /^(\d+)\s*(s|m|h|d|w)$/i;
const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
const MAX_DATE_MS = 8.64e15;

/**
 * A time typed by a user: ISO 8601, `YYYY-MM-DD HH:MM[:SS]` (UTC unless a zone is given), or a
 * span back from `now` such as `2h` or `7d`. Returns epoch ms.
 */
export function parseUserTime(text: string, flag: string, now: Date): number {
  const t = text.trim();
  const rel = RELATIVE.exec(t);
  if (rel) {
    const ms = now.getTime() - Number(rel[1]) * UNIT_MS[rel[2].toLowerCase() as keyof typeof UNIT_MS];
    // JavaScript dates end 275,760 years either side of 1970; a span reaching past that is a typo.
    if (!Number.isFinite(ms) || Math.abs(ms) > MAX_DATE_MS) throw new UsageError(`${flag} ${JSON.stringify(text)} reaches back further than any log; give a span such as 2h or 7d, or a date`);
    return ms;
  }
  const m = /^(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?))?\s*(Z|[+-]\d{2}:?\d{2})?$/i.exec(t);
  if (m) {
    const zone = !m[3] || m[3].toUpperCase() === 'Z' ? 'Z' : m[3].replace(/^([+-]\d{2})(\d{2})$/, '$1:$2');
    const ms = Date.parse(`${m[1]}T${m[2] ?? '00:00'}${zone}`);
    if (!Number.isNaN(ms)) return ms;
  }
  throw new UsageError(`${flag} ${JSON.stringify(text)} is not a time: use ISO 8601 (2017-10-12T13:45:00Z), "2017-10-12 13:45" (UTC) or a span back from now such as 2h or 7d`);
}

/** A span such as `10m`, `90s`, `2h`, in ms. */
export function parseDuration(text: string, flag: string): number {
  const rel = RELATIVE.exec(text.trim());
  if (!rel) throw new UsageError(`${flag} ${JSON.stringify(text)} is not a duration: use e.g. 90s, 10m, 2h, 1d`);
  return Number(rel[1]) * UNIT_MS[rel[2].toLowerCase() as keyof typeof UNIT_MS];
}

/** `--tz NODE=+02:00` values into minutes east of UTC per node. */
export function parseNodeOffsets(values: readonly string[] | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values ?? []) {
    const named = splitNamed(v);
    const off = named ? parseOffset(named.value) : null;
    if (!named || off === null) throw new UsageError(`--tz ${JSON.stringify(v)}: expected NODE=±HH:MM, e.g. --tz secondary=+02:00`);
    out[named.name] = off;
  }
  return out;
}

/** `--clock NODE=+95` (seconds the node's clock ran ahead) into ms per node. */
export function parseNodeClocks(values: readonly string[] | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values ?? []) {
    const named = splitNamed(v);
    const seconds = named && /^[+-]?\d+(?:\.\d+)?s?$/.test(named.value) ? Number.parseFloat(named.value) : NaN;
    // A clock a year off is not a skew to correct but a wrong argument (and would overflow dates).
    if (named && Math.abs(seconds) > 366 * 86_400) throw new UsageError(`--clock ${JSON.stringify(v)}: ${named.value} s is more than a year; give the seconds the node's clock ran ahead, e.g. --clock secondary=+95`);
    if (!named || Number.isNaN(seconds)) throw new UsageError(`--clock ${JSON.stringify(v)}: expected NODE=±SECONDS, e.g. --clock secondary=+95`);
    out[named.name] = Math.round(seconds * 1000);
  }
  return out;
}

const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)$/i;
const DURATION_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

/** `--threshold NAME=VALUE` values (`replication-delay=5m`, `heartbeat-misses=4`) as thresholds. */
export function parseThresholds(values: readonly string[] | undefined): Partial<Thresholds> {
  const out: Partial<Thresholds> = {};
  const known = THRESHOLD_SPECS.map((s) => s.name).join(', ');
  for (const v of values ?? []) {
    const named = splitNamed(v);
    const spec = THRESHOLD_SPECS.find((s) => s.name === named?.name);
    if (!named || !spec) throw new UsageError(`--threshold ${JSON.stringify(v)}: expected NAME=VALUE with NAME one of ${known}`);
    if (spec.unit === 'count') {
      if (!/^\d+$/.test(named.value) || Number(named.value) < 1) throw new UsageError(`--threshold ${v}: ${spec.name} is a count, e.g. ${spec.name}=${spec.default}`);
      out[spec.key] = Number(named.value);
    } else {
      const m = DURATION.exec(named.value.trim());
      if (!m) throw new UsageError(`--threshold ${v}: ${spec.name} is a duration such as 300ms, 90s, 5m or 1h`);
      out[spec.key] = Math.round(Number(m[1]) * DURATION_MS[m[2].toLowerCase() as keyof typeof DURATION_MS]);
    }
  }
  return out;
}
