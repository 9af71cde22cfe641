import * as path from 'node:path';
import type { ProblemKind, VerifyResult } from '../bundle/verify';

/** The human report: one line per problem, then a summary line. */
export function renderVerify(r: VerifyResult): string {
  const lines = r.problems.map((p) => `${p.kind.padEnd(7)} ${p.path}: ${p.detail}`);
  const name = path.basename(r.bundle);
  const sha = r.archiveChecksum === 'match' ? `; ${name}.sha256 matches` : r.archiveChecksum === 'absent' ? `; no ${name}.sha256 beside it` : '';
  if (r.ok) lines.push(`${name}: OK, all ${r.listed} listed files match the manifest${sha}`);
  else {
    const count = (k: ProblemKind): number => r.problems.filter((p) => p.kind === k).length;
    lines.push(
      `${name}: FAILED, ${r.matched} of ${r.listed} listed files match; ${count('altered')} altered, ${count('missing')} missing, ${count('extra')} extra${sha}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
