import { severityRank, type AnalysisReport, type Severity } from '../types';

/** The report without findings below `min` (incidents keep only ids still shown). */
export function filterBySeverity(report: AnalysisReport, min: Severity): AnalysisReport {
  const findings = report.findings.filter((f) => severityRank(f.severity) >= severityRank(min));
  return { ...report, findings };
}

/** Whether `--fail-on` asks for exit 1 on this report. */
export function failsOn(report: AnalysisReport, threshold: Severity | 'never'): boolean {
  if (threshold === 'never') return false;
  return report.findings.some((f) => severityRank(f.severity) >= severityRank(threshold));
}
