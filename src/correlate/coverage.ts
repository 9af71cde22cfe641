import type { LogKind, NotChecked } from '../types';
import { CONDITIONS } from '../rules/conditions';

/**
 * The conditions a node's evidence could not show: those none of whose kinds of file held a line
 * there. "Not checked" must not read like "checked, clean", so reports list these.
 */
export function notChecked(present: ReadonlySet<LogKind>): NotChecked[] {
  const groups = new Map<string, NotChecked>();
  for (const c of CONDITIONS) {
    // A condition that needs no kind of file (a collection's own failures) is always checked.
    if (!c.needs.length || c.needs.some((k) => present.has(k))) continue;
    const key = c.needs.join(',');
    const g = groups.get(key) ?? { conditions: [], missing: [...c.needs] };
    g.conditions.push(c.id);
    groups.set(key, g);
  }
  return [...groups.values()];
}
