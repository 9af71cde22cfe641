/**
 * Every exit status smsdiag ends with, and the errors that carry them (docs/spec/cli.md). An
 * expected failure is one of these classes: the user gets its one-sentence message and the status
 * that classifies it. Anything else that escapes is a bug, and ends with EXIT.bug.
 */
export const EXIT = {
  /** Ran; no finding at or above --fail-on. */
  ok: 0,
  /** Findings at or above --fail-on. */
  findings: 1,
  /** The command line is wrong: a flag, a value, a name. */
  usage: 2,
  /** The input is: no readable log, a corrupt bundle, a checksum mismatch. */
  input: 3,
  /** A bundle was written, but some node or file could not be collected. */
  incomplete: 4,
  /** A required host could not be reached, trusted or authenticated. */
  unreachable: 5,
  /** A bug: outside 0–5 so that no script mistakes it for a finding. */
  bug: 70,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An expected failure with the exit status it ends the command with. */
export abstract class SmsdiagError extends Error {
  abstract readonly exitCode: ExitCode;
}

export class UsageError extends SmsdiagError {
  readonly exitCode = EXIT.usage;
}

export class InputError extends SmsdiagError {
  readonly exitCode = EXIT.input;
}

export class UnreachableError extends SmsdiagError {
  readonly exitCode = EXIT.unreachable;
}

/** A bundle that cannot be read, is unsafe, or does not match its manifest: an input problem. */
export class BundleError extends InputError {}

/** What went wrong, as a sentence part: an Error's message, or whatever else was thrown, as text. */
export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
