import { Command, Flags } from '@oclif/core';

/** Any error carrying the cli.md exit code it should end the process with. */
interface CodedError extends Error {
  exitCode: number;
}

/** Exit status for bugs, outside cli.md's 0–5 so scripts never mistake one for a finding. */
export const INTERNAL_ERROR = 70;

function isCoded(err: unknown): err is CodedError {
  return err instanceof Error && typeof (err as Partial<CodedError>).exitCode === 'number';
}

/**
 * Shared flags and error policy: expected failures print one sentence and exit with their
 * cli.md code; a stack trace only with --debug or DEBUG=smsdiag*.
 */
export abstract class SmsdiagCommand extends Command {
  static baseFlags = {
    debug: Flags.boolean({ description: 'Print stack traces of errors.', helpGroup: 'GLOBAL' }),
  };

  protected debugEnabled(): boolean {
    return this.argv.includes('--debug') || /(^|,)smsdiag/.test(process.env.DEBUG ?? '');
  }

  protected async catch(err: Error & { exitCode?: number; oclif?: { exit?: number } }): Promise<unknown> {
    if (err.oclif && typeof err.oclif.exit === 'number' && !isCoded(err)) {
      // oclif's own parse errors (unknown flag, missing arg) are usage errors: exit 2.
      if (err.oclif.exit === 0) return super.catch(err);
      if (this.debugEnabled()) process.stderr.write(`${err.stack}\n`);
      return super.catch(err);
    }
    if (this.debugEnabled()) process.stderr.write(`${err.stack ?? err.message}\n`);
    if (isCoded(err)) {
      process.stderr.write(`smsdiag: ${err.message}\n`);
      return this.exit(err.exitCode);
    }
    // Not an expected failure: a bug. Say so, and how to get the details for a report.
    process.stderr.write(`smsdiag: internal error: ${err.message} (run again with --debug and report the output)\n`);
    return this.exit(INTERNAL_ERROR);
  }
}
