import type { Analysis } from './analyze';
import type { Evidence, Finding, Severity } from './types';
import { causeAdvice, findTopic } from './knowledge/lookup';
import type { Topic } from './knowledge/topics';

/** One finding of the explained condition, with its concluded cause and what to do about it. */
export interface ExplainedFinding {
  node: string;
  severity: Severity;
  first: string;
  last: string;
  count: number;
  summary: string;
  cause?: string;
  /** Why the cause was concluded, naming the deciding lines. */
  why?: string;
  evidence: Evidence[];
  nextSteps: string[];
}

export interface Explanation {
  topic: Topic;
  /** Undefined when no logs were given; empty when logs were given and hold no such finding. */
  findings?: ExplainedFinding[];
}

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

/** Title, meaning and next steps for a finding id and cause, for reports that print advice. */
export function adviceFor(id: string, cause?: string): { title: string; meaning: string; nextSteps: string[] } | undefined {
  const topic = findTopic(id);
  if (!topic) return undefined;
  const specific = cause ? causeAdvice(topic, cause) : undefined;
  return { title: topic.title, meaning: topic.meaning, nextSteps: specific?.nextSteps.length ? specific.nextSteps : topic.nextSteps };
}
