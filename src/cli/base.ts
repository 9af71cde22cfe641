import { Command, Errors, Flags } from '@oclif/core';
import { EXIT, SmsdiagError } from '../errors';

/**
 * Shared flags and error policy: an expected failure (SmsdiagError) prints its one sentence and
 * ends with its exit status from EXIT; anything else is a bug (EXIT.bug). A stack trace only with
 * --debug or DEBUG=smsdiag*.
 */
export abstract class SmsdiagCommand extends Command {
  static baseFlags = {
    debug: Flags.boolean({ description: 'Print stack traces of errors.', helpGroup: 'GLOBAL' }),
    color: Flags.boolean({ allowNo: true, description: 'Colour the output (--no-color: never). Default: on a terminal only, unless NO_COLOR is set.', helpGroup: 'GLOBAL' }),
  };

  protected debugEnabled(): boolean {
    return this.argv.includes('--debug') || /(^|,)smsdiag/.test(process.env.DEBUG ?? '');
  }

  protected async catch(err: Error & { oclif?: { exit?: number } }): Promise<unknown> {
    if (this.debugEnabled() && !(err instanceof Errors.ExitError)) process.stderr.write(`${err.stack ?? err.message}\n`);
    if (err instanceof SmsdiagError) {
      process.stderr.write(`smsdiag: ${err.message}\n`);
      return this.exit(err.exitCode);
    }
    // oclif's own errors: parse errors (unknown flag, missing argument) carry EXIT.usage, and
    // this.exit() throws one carrying the status asked for; oclif prints and ends with them.
    if (err.oclif && typeof err.oclif.exit === 'number') return super.catch(err);
    // Not an expected failure: a bug. Say so, and how to get the details for a report.
    process.stderr.write(`smsdiag: internal error: ${err.message} (run again with --debug and report the output)\n`);
    return this.exit(EXIT.bug);
  }
}
