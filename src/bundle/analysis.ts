import type { Inventory } from '../types';
import { analyzeInventory } from '../analyze';
import { adviceFor } from '../explain';
import { renderJson } from '../report/json';
import { renderSummary } from '../report/summary';
import { renderHtml } from '../report/html';
import { ndjsonLine } from '../report/timeline';
import { eventEntry } from '../timeline';

/**
 * The analysis/ folder of a bundle, so the engineer who opens it reads the answer first.
 * Times without a zone use each node's collected UTC offset (facts), else UTC.
 */
export async function buildAnalysisFiles(inventory: Inventory): Promise<Array<{ path: string; data: Buffer }>> {
  const analysis = await analyzeInventory(inventory, { defaultOffsetMinutes: 0 });
  const timeline = analysis.events.map((e) => ndjsonLine(eventEntry(e))).join('');
  return [
    { path: 'analysis/findings.json', data: Buffer.from(renderJson(analysis.report)) },
    { path: 'analysis/summary.txt', data: Buffer.from(renderSummary(analysis.report, adviceFor)) },
    { path: 'analysis/timeline.ndjson', data: Buffer.from(timeline) },
    { path: 'analysis/report.html', data: Buffer.from(renderHtml(analysis, { explain: adviceFor })) },
  ];
}
