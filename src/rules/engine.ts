import { readFileSync } from 'node:fs';
import { UsageError } from '../errors';
import { LOG_KINDS, type LogKind, type Severity } from '../types';
import { isConditionId } from './conditions';
import builtinPack from './pack.json';
import { firstFew } from '../text/list';
import { alternationOrder, alternationSource, anchorSearch, escapeRegex, type AnchorSearch } from '../text/anchor-search';

/** A rule as written in a pack file. */
export interface RuleSpec {
  id: string;
  title: string;
  kinds: LogKind[];
  /** Literal phrases (case-insensitive); a line is only examined when it holds one of them. */
  anchors: string[];
  pattern: string;
  condition?: string;
  severity?: Severity;
  event?: string;
  when?: { field: string; op: 'gt' | 'lt' | 'eq' | 'contains'; value: number | string };
  /** Occurrences on one node closer than this count as one (a crash report spans many lines). */
  mergeWithinMs?: number;
  /**
   * Lines the rule must report (`match`) and lines holding its anchor that it must not
   * (`nomatch`): real lines wherever a real program writes them (fixtures/real/SOURCES.md).
   */
  samples?: { match: string[]; nomatch?: string[] };
}

export interface RulePack {
  version: 1;
  rules: RuleSpec[];
}

export interface Rule extends RuleSpec {
  regex: RegExp;
  /**
   * The anchor (lower case) the pattern begins with, if it does, and the pattern as a sticky regex:
   * where that anchor is the first in a line, the pattern can first match only there.
   */
  lead?: { anchor: string; sticky: RegExp };
  /** The pattern's named groups in order, each with the field it fills (`table__2` fills `table`). */
  groups: Array<[group: string, field: string]>;
}

export interface Match {
  rule: Rule;
  fields: Record<string, string>;
}

/** A rule pack given with --rules that cannot be used: a usage error naming the file and rule. */
export class RulePackError extends UsageError {}

function check(spec: RuleSpec, where: string): void {
  const bad = (what: string): never => {
    throw new RulePackError(`${where}: rule ${spec.id ?? '(no id)'}: ${what}`);
  };
  if (!spec.id || typeof spec.id !== 'string') bad('needs a string "id"');
  if (!Array.isArray(spec.kinds) || spec.kinds.length === 0) bad('needs "kinds", a non-empty list');
  for (const k of spec.kinds) if (!LOG_KINDS.includes(k)) bad(`unknown kind "${k}" (known: ${LOG_KINDS.join(', ')})`);
  if (!Array.isArray(spec.anchors) || spec.anchors.length === 0 || spec.anchors.some((a) => typeof a !== 'string' || !a)) {
    bad('needs "anchors", a non-empty list of phrases');
  }
  if (typeof spec.pattern !== 'string') bad('needs a "pattern"');
  if (spec.condition !== undefined && !isConditionId(spec.condition)) bad(`unknown condition "${spec.condition}"`);
  if (!spec.condition && !spec.event) bad('needs a "condition" or an "event"');
  const s = spec.samples;
  const lines = (xs: unknown): boolean => Array.isArray(xs) && xs.every((l) => typeof l === 'string');
  if (s !== undefined && (!lines(s.match) || (s.nomatch !== undefined && !lines(s.nomatch)))) bad('"samples" must be {"match": [lines], "nomatch": [lines]}');
}

/**
 * Whether every match of `pattern` begins with the literal `prefix`: the pattern starts with it,
 * no quantifier follows it (`errors?` may match `error`), and no top-level `|` offers another way
 * to match (`disk full|volume … at 100%`).
 */
function leadsWith(pattern: string, prefix: string): boolean {
  const next = pattern[prefix.length];
  if (!pattern.toLowerCase().startsWith(prefix.toLowerCase()) || (next !== undefined && '?*+{'.includes(next))) return false;
  let depth = 0;
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') i++;
    else if (inClass) inClass = c !== ']';
    else if (c === '[') inClass = true;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '|' && depth === 0) return false;
  }
  return true;
}

function compile(spec: RuleSpec, where: string): Rule {
  check(spec, where);
  let regex: RegExp;
  try {
    regex = new RegExp(spec.pattern, 'i');
  } catch (err) {
    throw new RulePackError(`${where}: rule ${spec.id}: bad pattern: ${(err as Error).message}`);
  }
  // The pattern or nothing, matched against nothing: every named group, in order, undefined.
  const names = Object.keys(new RegExp(`(?:${spec.pattern})|`, 'i').exec('')?.groups ?? {});
  const groups = names.map((g): [string, string] => [g, g.includes('__') ? g.slice(0, g.indexOf('__')) : g]);
  const first = spec.anchors.find((a) => leadsWith(spec.pattern, escapeRegex(a)));
  return { ...spec, regex, groups, ...(first ? { lead: { anchor: first.toLowerCase(), sticky: new RegExp(spec.pattern, 'iy') } } : {}) };
}

function passes(when: RuleSpec['when'], fields: Record<string, string>): boolean {
  if (!when) return true;
  const v = fields[when.field];
  if (v === undefined) return false;
  switch (when.op) {
    case 'gt':
      return Number(v) > Number(when.value);
    case 'lt':
      return Number(v) < Number(when.value);
    case 'eq':
      return v.toLowerCase() === String(when.value).toLowerCase();
    case 'contains':
      return v.toLowerCase().includes(String(when.value).toLowerCase());
  }
}

/** The rules of a pack grouped by log kind, each kind with one combined literal prefilter. */
export class RuleSet {
  readonly rules: readonly Rule[];
  /** The pack as given: what a worker thread builds the same set from. */
  readonly pack: RulePack;
  private readonly byKind = new Map<LogKind, Rule[]>();
  private readonly prefilters = new Map<LogKind, RegExp>();
  /** The same per kind, for raw bytes: what a file's scan searches. */
  private readonly searches = new Map<LogKind, AnchorSearch>();
  /** Per kind, by an anchor's place in its alternationOrder (what a search reports): the anchor (lower case) and its rules. */
  private readonly byPlace = new Map<LogKind, Array<{ anchor: string; rules: Rule[] }>>();
  /** Per kind: lower-cased anchor → the rules that declare it. */
  private readonly byAnchor = new Map<LogKind, Map<string, Rule[]>>();
  /** Anchors as the rules write them → lower case: a line mostly spells an anchor so. */
  private readonly lowered = new Map<string, string>();

  constructor(pack: RulePack, where = 'built-in rule pack') {
    if (!pack || !Array.isArray(pack.rules)) throw new RulePackError(`${where}: expected {"version": 1, "rules": [...]}`);
    this.pack = pack;
    this.rules = pack.rules.map((r) => compile(r, where));
    const seen = new Set<string>();
    for (const r of this.rules) {
      if (seen.has(r.id)) throw new RulePackError(`${where}: rule id ${r.id} appears twice`);
      seen.add(r.id);
      for (const k of r.kinds) {
        const list = this.byKind.get(k) ?? [];
        list.push(r);
        this.byKind.set(k, list);
      }
    }
    for (const [kind, rules] of this.byKind) {
      const anchors = rules.flatMap((r) => r.anchors);
      this.prefilters.set(kind, new RegExp(alternationSource(anchors), 'gi'));
      this.searches.set(kind, anchorSearch(anchors));
      const own = new Map<string, Rule[]>();
      for (const r of rules) for (const a of r.anchors) own.set(a.toLowerCase(), [...(own.get(a.toLowerCase()) ?? []), r]);
      // Of two anchors that start at one place a search reports the first in the alternation, the
      // shorter ("local state" before "local state: failed"): where one is found, the rules of the
      // longer ones it begins are tried too. Each rule's pattern still decides.
      const index = new Map<string, Rule[]>();
      for (const a of own.keys()) {
        const tried = [...own.keys()].filter((b) => b.startsWith(a)).flatMap((b) => own.get(b)!);
        index.set(a, [...new Set(tried)].sort((x, y) => this.rules.indexOf(x) - this.rules.indexOf(y)));
      }
      this.byAnchor.set(kind, index);
      this.byPlace.set(kind, alternationOrder(anchors).map((a) => ({ anchor: a.toLowerCase(), rules: index.get(a.toLowerCase())! })));
      for (const a of anchors) this.lowered.set(a, a.toLowerCase());
    }
  }

  /**
   * Each rule's sample lines run through the whole matching path (prefilter, anchors, pattern,
   * condition): a `match` line the rule does not report, or a `nomatch` line it does, is a problem.
   */
  sampleProblems(): string[] {
    const out: string[] = [];
    for (const r of this.rules) {
      const reports = (line: string): boolean => r.kinds.some((k) => this.match(k, line).some((m) => m.rule === r));
      for (const line of r.samples?.match ?? []) if (!reports(line)) out.push(`rule ${r.id} does not match its sample ${JSON.stringify(line)}`);
      for (const line of r.samples?.nomatch ?? []) if (reports(line)) out.push(`rule ${r.id} matches ${JSON.stringify(line)}, which its samples say it must not`);
    }
    return out;
  }

  /** Prefilter for a kind's lines as text; one that never matches when no rule reads that kind. */
  prefilter(kind: LogKind): RegExp {
    return this.prefilters.get(kind) ?? /(?!)/g;
  }

  /** The prefilter for a kind's raw bytes (a file's scan); one that finds nothing when no rule reads that kind. */
  search(kind: LogKind): AnchorSearch {
    return this.searches.get(kind) ?? anchorSearch([]);
  }

  /**
   * Every rule of the kind whose pattern (and condition) the line satisfies. Only rules with an
   * anchor in the line are tried: on a busy ha.log that is one or two patterns instead of twenty.
   * `hint`, from the file's scan (a Hit): the line's one anchor, as its place in the kind's
   * alternationOrder, and where it starts in `text`; it is then not looked for again.
   */
  match(kind: LogKind, text: string, hint?: { anchor?: number; anchorAt?: number }): Match[] {
    const out: Match[] = [];
    const index = this.byAnchor.get(kind);
    const re = this.prefilters.get(kind);
    if (!index || !re) return out;
    let candidates: Rule[] = [];
    /** The line's first anchor and where it starts: no anchor occurs before it. */
    let first: string | undefined;
    let firstAt = 0;
    const known = hint?.anchor === undefined ? undefined : this.byPlace.get(kind)?.[hint.anchor];
    if (known) {
      candidates = known.rules;
      first = known.anchor;
      firstAt = hint!.anchorAt ?? 0;
    } else {
      re.lastIndex = 0;
      // From the next character on, not from the end of the one found: an anchor that overlaps it
      // ("state" within "local state") is a line's anchor too.
      for (let m = re.exec(text); m; re.lastIndex = m.index + 1, m = re.exec(text)) {
        const anchor = this.lowered.get(m[0]) ?? m[0].toLowerCase();
        const rules = index.get(anchor);
        if (!rules) continue;
        if (first === undefined) {
          first = anchor;
          firstAt = m.index;
        }
        // Usually one anchor per line: keep its list as is; merge only when a second one shows up.
        candidates = candidates.length === 0 ? rules : [...new Set([...candidates, ...rules])].sort((a, b) => this.rules.indexOf(a) - this.rules.indexOf(b));
      }
    }
    for (const rule of candidates) {
      let m: RegExpExecArray | null = null;
      const lead = rule.lead;
      if (lead && lead.anchor === first) {
        // A pattern that begins with the line's first anchor cannot match before it: try there first.
        lead.sticky.lastIndex = firstAt;
        m = lead.sticky.exec(text);
      }
      m ??= rule.regex.exec(text);
      if (!m) continue;
      const fields = groupFields(rule.groups, m.groups);
      if (passes(rule.when, fields)) out.push({ rule, fields });
    }
    return out;
  }
}

/**
 * A match's named groups as fields. Alternatives of one pattern cannot repeat a group name, so
 * `table__2` is another spelling of `table`: the first alternative that matched gives the value.
 * The names come from the rule (Rule.groups), not from walking the match's object: this runs for
 * every matching line.
 */
function groupFields(names: Rule['groups'], groups: Record<string, string | undefined> | undefined): Record<string, string> {
  const fields: Record<string, string> = {};
  if (!groups) return fields;
  for (const [group, k] of names) {
    const v = groups[group];
    if (v === undefined || k in fields) continue;
    fields[k] = isSpace(v.charCodeAt(0)) || isSpace(v.charCodeAt(v.length - 1)) ? v.trim() : v;
  }
  return fields;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9;
}

/** The anchors of the given rules as one regex alternation (also what the benchmark hands grep -E). */
export function anchorAlternation(rules: readonly RuleSpec[]): string {
  return alternationSource(rules.flatMap((r) => r.anchors));
}

export function builtinRules(): RuleSet {
  return new RuleSet(builtinPack as RulePack);
}

/** Load a pack file given with --rules; errors name the file. */
export function loadRules(file?: string): RuleSet {
  if (!file) return builtinRules();
  let parsed: RulePack;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8')) as RulePack;
  } catch (err) {
    throw new RulePackError(`cannot read rule pack ${file}: ${(err as Error).message}`);
  }
  const set = new RuleSet(parsed, file);
  const problems = set.sampleProblems();
  if (problems.length) throw new RulePackError(`${file}: ${firstFew(problems)}`);
  return set;
}
