import type { AnalysisReport } from '../types';

/** The `--json` document: key order is fixed by construction, so equal input gives equal bytes. */
export function renderJson(report: AnalysisReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
