import { isIPv6 } from 'node:net';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as zlib from 'node:zlib';

/** What a value is, which decides the shape of its pseudonym. */
export type RedactKind = 'ipv4' | 'ipv6' | 'mac' | 'host' | 'user' | 'email' | 'word';

export const REDACT_KINDS: readonly RedactKind[] = ['ipv4', 'ipv6', 'mac', 'host', 'user', 'email', 'word'];

/** `<name>.map.json`: original value → pseudonym per kind, keys sorted. */
export interface RedactionMap {
  format: 'smsdiag-redaction-map';
  version: 1;
  mappings: Record<RedactKind, Record<string, string>>;
}

export interface Redactor {
  /** Replace every sensitive value in one piece of text (best given whole lines). */
  redactText(s: string): string;
  /** Make a value known before text is redacted (a node's host name, a user name, a word). */
  register(kind: RedactKind, value: string): string;
  /** Everything replaced so far. */
  mapping(): RedactionMap;
  /** A Transform redacting a byte stream line by line, whatever its chunk boundaries. */
  stream(): Transform;
}

export interface RedactorOptions {
  /** `--redact-word` values: replaced wherever they occur, case-insensitively. */
  words?: string[];
}

const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const IPV4 = `${OCTET}(?:\\.${OCTET}){3}`;
/** Four octets, not inside a longer dotted run of digits (versions like 10.11.6.1.2 stay). */
const IPV4_TOKEN = `(?<![\\w.]|\\d\\.)${IPV4}(?![\\w]|\\.\\d)`;
/**
 * What makes four numbers a version, not an address, when it stands right before them: checked
 * case-sensitively and as whole words (`Upgrade to 5.0.1.34`, `patch sms-5.0.1.34`, `v5.0.1.2`),
 * so `server 10.20.30.40` or `receiver 10.…` are addresses.
 */
const VERSION_BEFORE = /(?:\b(?:[Vv]ersion:?|[Uu]pgrade to|[Pp]atch|[Rr]elease|[Bb]uild)\s+['"]?|\bsms-|(?<![A-Za-z])[Vv])$/;
const H16 = '[0-9A-Fa-f]{1,4}';
const IPV6_TOKEN =
  `(?<![\\w:.])(?:(?:${H16}:){7}${H16}|(?:${H16}:){0,7}(?:${H16})?::(?:${H16}:){0,6}(?:${IPV4}|${H16})?|(?:${H16}:){6}${IPV4})` +
  '(?:%[\\w.-]+)?(?![\\w:]|\\.\\d)';
const MAC_TOKEN =
  '(?<![\\w:.-])(?:[0-9A-Fa-f]{2}(?<macsep>[:-])[0-9A-Fa-f]{2}(?:\\k<macsep>[0-9A-Fa-f]{2}){4}|[0-9A-Fa-f]{4}\\.[0-9A-Fa-f]{4}\\.[0-9A-Fa-f]{4})(?![\\w:-])';
const EMAIL_TOKEN = "(?<![\\w.%+'-])[A-Za-z0-9._%+-]+@(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\\.)+[A-Za-z]{2,63}(?![\\w-]|\\.[A-Za-z0-9])";
/** Host labels; `_` is not allowed in DNS names but is common in real host names (sms_b). */
const LABEL = '[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?';
const FQDN_TOKEN = `(?:(?<=\\\\[nrt])|(?<![\\w.@\\\\-]))(?:${LABEL}\\.)+[A-Za-z][A-Za-z0-9-]{1,62}(?![\\w-]|\\.[A-Za-z0-9])`;
/**
 * user=NAME, user: NAME, user 'NAME' / "NAME", MySQL's 'NAME'@'host', and NAME@ before an address
 * or a host with a port (`repl@10.0.0.1:3306`, `'repl@sms-a:3306'`): the name goes, the rest is
 * matched on its own.
 */
const USER_TOKEN =
  `(?<![\\w])(?<uprefix>user(?:name)?\\s*[=:]\\s*['"]?|user\\s+['"]|['"](?=[A-Za-z_][\\w.$-]{0,63}['"]@)|(?=[A-Za-z_][\\w.$-]{0,63}@(?:\\d|\\[|[\\w.-]+:\\d)))` +
  `(?<uname>[A-Za-z_][\\w.$-]{0,63})(?![\\w.$-]|@(?![\\d\\[\\w]))`;

/** Generic and local-network top-level labels; 2-letter country codes are handled below. */
const TLDS = new Set([
  'com', 'net', 'org', 'edu', 'gov', 'mil', 'int', 'biz', 'info', 'name', 'pro', 'mobi', 'aero', 'coop', 'museum',
  'local', 'localdomain', 'lan', 'corp', 'internal', 'intranet', 'home', 'priv', 'private', 'arpa', 'example', 'test',
  'cloud', 'online', 'site', 'tech', 'global', 'group', 'company', 'solutions', 'services', 'network', 'systems',
]);
/** Two-letter endings that are far likelier file extensions than country codes in these logs. */
const NOT_CC = new Set(['gz', 'sh', 'py', 'js', 'pl', 'so', 'rb', 'ps', 'md', 'cs', 'go', 'rs', 'ts', 'db', 'pm', 'mo', 'po', 'el', 'hs', 'ml', 'ko', 'xz', 'bz', 'lz', 'jar', 'ok']);
/** Java packages start with a reversed domain: com.tippingpoint.sms is not a host. */
const JAVA_ROOTS = new Set(['com', 'org', 'net', 'java', 'javax', 'sun', 'jdk', 'io', 'oracle', 'edu']);
/** Accounts whose names say nothing about the customer and matter for diagnosis. */
const SYSTEM_USERS = new Set(['root', 'mysql', 'nobody', 'daemon', 'localhost', 'sms', 'tomcat', 'postgres', 'admin']);

/**
 * Public names that identify nobody and help support: vendors' and projects' domains (and their
 * sub-domains), and file names that look like host names.
 */
const PUBLIC_DOMAINS = [
  'mariadb.com', 'mariadb.org', 'mysql.com', 'oracle.com', 'percona.com', 'tippingpoint.com', 'trendmicro.com', 'hpe.com', 'hp.com',
  'w3.org', 'apache.org', 'java.com', 'openjdk.org', 'openjdk.java.net', 'debian.org', 'ubuntu.com', 'redhat.com', 'centos.org',
  'kernel.org', 'gnu.org', 'github.com', 'openssh.com', 'openssl.org',
];
const FILE_NAMES = new Set(['master.info', 'relay-log.info', 'multi-master.info', 'relay_log.info', 'ib_buffer_pool.info']);

export function isPublicName(token: string): boolean {
  const t = token.toLowerCase();
  return FILE_NAMES.has(t) || t.endsWith('.example') || PUBLIC_DOMAINS.some((d) => t === d || t.endsWith(`.${d}`));
}

/**
 * The HOSTNAME of a syslog header: RFC 5424 (`<PRI>1 TIMESTAMP HOST APP`) or RFC 3164 (`[<PRI>]Mmm dd
 * HH:MM:SS HOST TAG[pid]:`), both with their time field's shape, so that a line such as
 * `1 row in set` teaches nothing.
 */
const SYSLOG_HOST =
  /^(?:<\d{1,3}>1 \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\S* ([A-Za-z_][\w.-]*) \S|(?:<\d{1,3}>)?(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ \d]\d \d\d:\d\d:\d\d ([A-Za-z_][\w.-]*) [\w./-]+(?:\[\d+\])?: )/gm;

function looksLikeHost(token: string): boolean {
  if (isPublicName(token)) return false;
  const labels = token.split('.');
  const tld = labels[labels.length - 1].toLowerCase();
  if (/\d/.test(tld)) return false;
  if (JAVA_ROOTS.has(labels[0].toLowerCase())) return false;
  if (TLDS.has(tld)) return true;
  return tld.length === 2 && !NOT_CC.has(tld);
}

function keepIPv4(ip: string): boolean {
  if (ip === '0.0.0.0' || ip.startsWith('127.')) return true;
  // Netmasks (contiguous ones) carry no identity and matter for diagnosis.
  const n = ip.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
  const inv = 0xffffffff - n;
  return n !== 0 && (inv & (inv + 1)) === 0 && ip.startsWith('255.');
}

function keepIPv6(ip: string): boolean {
  const l = ip.toLowerCase();
  return l === '::' || l === '::1';
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function lowerKey(kind: RedactKind, v: string): string {
  return kind === 'word' || kind === 'host' || kind === 'email' || kind === 'mac' || kind === 'ipv6' ? v.toLowerCase() : v;
}

class PseudonymRedactor implements Redactor {
  private readonly maps = new Map<RedactKind, Map<string, string>>(REDACT_KINDS.map((k) => [k, new Map()]));
  private readonly issued = new Set<string>();
  private readonly counters = new Map<RedactKind, number>();
  /** Literal values (registered hosts/users, words) matched anywhere; rebuilt when one is added. */
  private literals: Array<{ kind: RedactKind; value: string }> = [];
  /** Domains of registered hosts: any name under one is a host, whatever its top-level label. */
  private readonly domains = new Set<string>();
  private re: RegExp | null = null;

  constructor(opts: RedactorOptions) {
    for (const w of opts.words ?? []) if (w.trim()) this.register('word', w.trim());
  }

  register(kind: RedactKind, value: string): string {
    const v = value.trim();
    if (!v) return v;
    const pseudo = this.pseudonym(kind, v);
    if (kind === 'host' || kind === 'user' || kind === 'word') {
      if (!this.literals.some((l) => l.kind === kind && l.value.toLowerCase() === v.toLowerCase())) {
        this.literals.push({ kind, value: v });
        this.re = null;
      }
      // A registered FQDN's short name is the same host, and its domain holds the customer's hosts.
      if (kind === 'host' && v.includes('.') && !/^[\d.]+$/.test(v)) {
        const domain = v.slice(v.indexOf('.') + 1).toLowerCase();
        if (domain.includes('.') && !isPublicName(domain)) this.domains.add(domain);
        const short = v.split('.')[0];
        if (short && !this.maps.get('host')!.has(short.toLowerCase())) {
          this.maps.get('host')!.set(short.toLowerCase(), pseudo);
          this.literals.push({ kind, value: short });
          this.re = null;
        }
      }
    }
    return pseudo;
  }

  private pseudonym(kind: RedactKind, value: string): string {
    if (this.issued.has(value)) return value;
    const map = this.maps.get(kind)!;
    const key = lowerKey(kind, value);
    const known = map.get(key);
    if (known !== undefined) return known;
    const n = (this.counters.get(kind) ?? 0) + 1;
    this.counters.set(kind, n);
    const p = this.make(kind, n);
    map.set(key, p);
    this.issued.add(p);
    return p;
  }

  private make(kind: RedactKind, n: number): string {
    switch (kind) {
      // Documentation ranges (RFC 5737, 3849, 7042, 2606): a pseudonym can never be a real address.
      case 'ipv4': {
        if (n <= 254) return `192.0.2.${n}`;
        if (n <= 508) return `198.51.100.${n - 254}`;
        if (n <= 762) return `203.0.113.${n - 508}`;
        // Past the 762 documentation addresses: the benchmarking range 198.18.0.0/15, never routed.
        const k = n - 762;
        return `198.${18 + Math.floor(k / 65536) % 2}.${Math.floor(k / 256) % 256}.${k % 256}`;
      }
      case 'ipv6':
        return `2001:db8::${n.toString(16)}`;
      case 'mac': {
        if (n <= 255) return `00:00:5e:00:53:${n.toString(16).padStart(2, '0')}`;
        const hex = n.toString(16).padStart(8, '0').slice(-8);
        return `02:00:${hex.match(/../g)!.join(':')}`;
      }
      case 'host':
        return `host-${n}.example`;
      case 'user':
        return `user-${n}`;
      case 'email':
        return `email-${n}@mail.example`;
      case 'word':
        return `word-${n}`;
    }
  }

  private regex(): RegExp {
    if (this.re) return this.re;
    const lits = [...this.literals].sort((a, b) => b.value.length - a.value.length);
    const named = lits.filter((l) => l.kind !== 'word').map((l) => escapeRe(l.value));
    const parts = [
      `(?<email>${EMAIL_TOKEN})`,
      `(?<mac>${MAC_TOKEN})`,
      `(?<ipv6>${IPV6_TOKEN})`,
      `(?<ipv4>${IPV4_TOKEN})`,
      // After a JSON/C escape (`\\n`, `\\t`) a name starts too, though a letter precedes it.
      ...(named.length ? [`(?<named>(?:(?<=\\\\[nrt])|(?<![\\w.\\\\-]))(?:${named.join('|')})(?![\\w-]|\\.[A-Za-z0-9]))`] : []),
      `(?<fqdn>${FQDN_TOKEN})`,
      `(?<user>${USER_TOKEN})`,
    ];
    this.re = new RegExp(parts.join('|'), 'gi');
    return this.re;
  }

  /** --redact-word values, anywhere — also inside tokens such as com.example.sms that the main pass keeps whole. */
  private wordRegex(): RegExp | null {
    const words = this.literals.filter((l) => l.kind === 'word').map((l) => escapeRe(l.value));
    return words.length ? new RegExp(words.sort((a, b) => b.length - a.length).join('|'), 'gi') : null;
  }

  redactText(s: string): string {
    // A syslog header names its host (RFC 3164 after the time, RFC 5424 after version and time):
    // short names such as sms-b look like nothing else, so they are learnt here.
    SYSLOG_HOST.lastIndex = 0;
    for (let m = SYSLOG_HOST.exec(s); m; m = SYSLOG_HOST.exec(s)) {
      const host = m[1] ?? m[2];
      if (host !== '-' && !this.issued.has(host) && !/^[\d.:]+$/.test(host) && !isPublicName(host) && !SYSTEM_USERS.has(host.toLowerCase())) this.register('host', host);
    }
    const re = this.regex();
    re.lastIndex = 0;
    const text = s.replace(re, (...args: unknown[]) => {
      const m = args[0] as string;
      const g = args[args.length - 1] as Record<string, string | undefined>;
      if (this.issued.has(m)) return m;
      if (g.email !== undefined) return this.pseudonym('email', m);
      if (g.mac !== undefined) return this.pseudonym('mac', m);
      if (g.ipv6 !== undefined) {
        const bare = m.replace(/%.*$/, '');
        if (!isIPv6(bare) || keepIPv6(bare)) return m;
        const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare);
        if (mapped) return m.slice(0, bare.length - mapped[1].length) + (keepIPv4(mapped[1]) ? mapped[1] : this.pseudonym('ipv4', mapped[1])) + m.slice(bare.length);
        return this.pseudonym('ipv6', bare) + m.slice(bare.length);
      }
      if (g.ipv4 !== undefined) {
        const at = args[args.length - 3] as number;
        const whole = args[args.length - 2] as string;
        if (keepIPv4(m) || VERSION_BEFORE.test(whole.slice(Math.max(0, at - 20), at))) return m;
        return this.pseudonym('ipv4', m);
      }
      if (g.named !== undefined) {
        const lit = this.literals.find((l) => l.value.toLowerCase() === m.toLowerCase());
        return this.pseudonym(lit?.kind ?? 'host', m);
      }
      if (g.fqdn !== undefined) return looksLikeHost(m) || this.inKnownDomain(m) ? this.pseudonym('host', m) : m;
      if (g.user !== undefined && g.uprefix !== undefined && g.uname !== undefined) {
        if (SYSTEM_USERS.has(g.uname.toLowerCase())) return m;
        return g.uprefix + this.pseudonym('user', g.uname);
      }
      return m;
    });
    // Words last: also inside tokens the pass above keeps whole (com.example.sms), never inside a host it named.
    const wre = this.wordRegex();
    return wre ? text.replace(wre, (m) => this.pseudonym('word', m)) : text;
  }

  private inKnownDomain(name: string): boolean {
    const l = name.toLowerCase();
    for (const d of this.domains) if (l === d || l.endsWith(`.${d}`)) return true;
    return false;
  }

  mapping(): RedactionMap {
    const mappings = {} as Record<RedactKind, Record<string, string>>;
    for (const k of REDACT_KINDS) {
      const entries = [...this.maps.get(k)!.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
      mappings[k] = Object.fromEntries(entries);
    }
    return { format: 'smsdiag-redaction-map', version: 1, mappings };
  }

  stream(): Transform {
    return new LineRedactStream(this);
  }
}

/** Longest run kept waiting for a newline before it is cut at a space (bounded memory). */
const MAX_PENDING = 1024 * 1024;

/**
 * Redacts by line: bytes are decoded as latin1 so any byte sequence round-trips exactly, lines
 * are redacted whole, a partial last line waits for the next chunk. A line longer than
 * MAX_PENDING is cut after its last space within the first MAX_PENDING bytes.
 */
class LineRedactStream extends Transform {
  private pending = '';

  constructor(private readonly r: Redactor) {
    super();
  }

  _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.pending += chunk.toString('latin1');
    const nl = this.pending.lastIndexOf('\n');
    let out = '';
    if (nl >= 0) {
      out = this.r.redactText(this.pending.slice(0, nl + 1));
      this.pending = this.pending.slice(nl + 1);
    }
    while (this.pending.length > MAX_PENDING) {
      const head = this.pending.slice(0, MAX_PENDING);
      const sp = Math.max(head.lastIndexOf(' '), head.lastIndexOf('\t'));
      const cut = sp > 0 ? sp + 1 : MAX_PENDING;
      out += this.r.redactText(this.pending.slice(0, cut));
      this.pending = this.pending.slice(cut);
    }
    if (out) this.push(Buffer.from(out, 'latin1'));
    cb();
  }

  _flush(cb: TransformCallback): void {
    if (this.pending) this.push(Buffer.from(this.r.redactText(this.pending), 'latin1'));
    this.pending = '';
    cb();
  }
}

export function createRedactor(opts: RedactorOptions = {}): Redactor {
  return new PseudonymRedactor(opts);
}

/**
 * The bytes of a log redacted, handed to `write` as they come (its promise holds the flow back): a
 * gzip file (told by its first bytes) is unpacked, redacted by line and packed again; anything
 * else is redacted by line.
 */
export async function redactBytes(data: AsyncIterable<Buffer>, redactor: Redactor, write: (chunk: Buffer) => Promise<void>): Promise<void> {
  const it = data[Symbol.asyncIterator]();
  const first = await it.next();
  const head: Buffer = first.done ? Buffer.alloc(0) : first.value;
  const source = Readable.from(
    (async function* () {
      if (head.length) yield head;
      for (let r = await it.next(); !r.done; r = await it.next()) yield r.value;
    })(),
  );
  const drain = async (src: AsyncIterable<Buffer | string>): Promise<void> => {
    for await (const c of src) await write(Buffer.isBuffer(c) ? c : Buffer.from(c));
  };
  const gz = head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
  if (gz) await pipeline(source, zlib.createGunzip(), redactor.stream(), zlib.createGzip({ level: 6 }), drain);
  else await pipeline(source, redactor.stream(), drain);
}
