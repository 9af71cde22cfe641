import { readdirSync, readFileSync, statSync, utimesSync, existsSync } from 'node:fs';
import * as path from 'node:path';
import { FIXTURES } from './cli';

/** fixtures/<name>/scenario.json: how the golden tests run a scenario. */
export interface Scenario {
  name: string;
  dir: string;
  /** Inputs relative to the scenario dir (default: the dir itself). */
  inputs: string[];
  /** Extra flags for every command (--tz, --clock, --node …). */
  args: string[];
  /** Extra flags for analyze and explain only (--incident). */
  analyzeArgs: string[];
  /** Conditions explain is run for. */
  explain: string[];
  /** mtime given to every file, since git keeps none (RFC 3164 years and timeless files use it). */
  mtime: string;
}

export function scenarios(): Scenario[] {
  if (!existsSync(FIXTURES)) return [];
  return readdirSync(FIXTURES)
    .filter((n) => existsSync(path.join(FIXTURES, n, 'scenario.json')))
    .sort()
    .map((name) => {
      const dir = path.join(FIXTURES, name);
      const spec = JSON.parse(readFileSync(path.join(dir, 'scenario.json'), 'utf8')) as Partial<Scenario>;
      return { name, dir, inputs: spec.inputs ?? ['.'], args: spec.args ?? [], analyzeArgs: spec.analyzeArgs ?? [], explain: spec.explain ?? [], mtime: spec.mtime ?? '2017-10-13T00:00:00Z' };
    });
}

/** Give every file of the scenario its fixed mtime. */
export function pinMtimes(s: Scenario): void {
  const t = new Date(s.mtime);
  const walk = (d: string): void => {
    for (const n of readdirSync(d)) {
      const p = path.join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else utimesSync(p, t, t);
    }
  };
  walk(s.dir);
}
