import { colourize } from '../report/colour';

/** Columns to fit: the terminal's, else 80 — what a mail, a ticket or a pager shows whole. */
export function outputWidth(out: NodeJS.WriteStream = process.stdout): number {
  return out.isTTY && out.columns ? out.columns : 80;
}

/** Columns for prose (summaries, explanations): lines longer than 100 are hard to read. */
export function proseWidth(out: NodeJS.WriteStream = process.stdout): number {
  return Math.min(outputWidth(out), 100);
}

/**
 * Colour only where a person reads it: `--color`/`--no-color` decide; without them a terminal
 * gets colour unless NO_COLOR is set (no-color.org) or TERM is dumb. Pipes and files never do.
 */
export function useColour(flag: boolean | undefined, out: NodeJS.WriteStream = process.stdout, env: NodeJS.ProcessEnv = process.env): boolean {
  if (flag !== undefined) return flag;
  return !!out.isTTY && !env.NO_COLOR && env.TERM !== 'dumb';
}

/** Writes a report meant for reading, coloured when useColour says so. */
export function writeReadable(text: string, colourFlag: boolean | undefined, out: NodeJS.WriteStream = process.stdout): void {
  out.write(useColour(colourFlag, out) ? colourize(text) : text);
}
