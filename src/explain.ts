import type { Analysis } from './analyze';
import type { Finding } from './types';
import type { ExplainedFinding, Explanation } from './report/explain';
import { causeAdvice } from './knowledge/lookup';
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
    nextSteps: advice?.nextSteps.length ? advice.nextSteps : topic.nextSteps,
  };
  if (f.cause) out.cause = f.cause;
  const why = decision?.why ?? advice?.why;
  if (why) out.why = why;
  return out;
}

/** The knowledge of a topic, plus — when logs were analysed — what they show of it. */
export function explain(topic: Topic, analysis?: Analysis): Explanation {
  if (!analysis) return { topic };
  const findings = analysis.report.findings.filter((f) => f.id === topic.id).map((f) => explainFinding(topic, f, analysis));
  return { topic, findings };
}
