import type { Analysis } from './analyze';
import type { Finding } from './types';
import type { ExplainedFinding, Explanation } from './report/explain';
import { causeAdvice, said } from './knowledge/lookup';
import type { Topic } from './knowledge/topics';

function explainFinding(topic: Topic, f: Finding, analysis: Analysis): ExplainedFinding {
  const decision = analysis.causes.find((d) => d.condition === f.id && d.node === f.node);
  const advice = f.cause ? causeAdvice(topic, f.cause) : undefined;
  const out: ExplainedFinding = {
    node: f.node,
    severity: f.severity,
    first: f.first,
    last: f.last,
    count: f.count,
    summary: f.summary,
    evidence: f.evidence,
    nextSteps: (advice?.nextSteps.length ? advice.nextSteps : topic.nextSteps).map(said),
  };
  if (f.cause) out.cause = f.cause;
  if (f.causeConfidence) out.causeConfidence = f.causeConfidence;
  const why = decision?.why ?? (advice ? said(advice.why) : undefined);
  if (why) out.why = decision ? `${why} [smsdiag]` : why;
  const others = decision?.candidates.filter((c) => c.cause !== decision.cause) ?? [];
  if (others.length) {
    out.considered = others.map((c) => ({ cause: c.cause, evidence: c.for.map((x) => x.text), against: c.against }));
  }
  return out;
}

/** The knowledge of a topic, plus — when logs were analysed — what they show of it. */
export function explain(topic: Topic, analysis?: Analysis): Explanation {
  if (!analysis) return { topic };
  const findings = analysis.report.findings.filter((f) => f.id === topic.id).map((f) => explainFinding(topic, f, analysis));
  return { topic, findings };
}
