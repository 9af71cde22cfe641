import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Analysis } from '../correlate/analysis';
import { adviceFor } from '../knowledge/lookup';
import { UsageError } from '../errors';
import { renderHtml } from './html';

/** Writes the HTML report (0600) to a temporary name beside it and links it into place: never over an existing file. */
export async function writeHtmlReport(analysis: Analysis, file: string): Promise<void> {
  const html = renderHtml(analysis, { explain: adviceFor });
  // An unpredictable name, created exclusively (a link planted there is refused, not written
  // through), 0600: the report quotes log lines.
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.partial-${randomBytes(8).toString('hex')}`);
  try {
    await fs.writeFile(tmp, html, { flag: 'wx', mode: 0o600 });
    await fs.link(tmp, file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(code === 'EEXIST' ? `${file} already exists; give another name or remove it first` : `cannot write ${file}: ${(err as Error).message}`);
  } finally {
    await fs.rm(tmp, { force: true });
  }
}
