import type { Hook } from '@oclif/core';
import { EXIT } from '../../src/errors';
import { closest } from '../../src/text/closest';

/**
 * A mistyped command is a usage error (exit 2) that says what was probably meant. Unlike oclif's
 * plugin-not-found this never prompts, so a script gets the same sentence a person does.
 */
const commandNotFound: Hook.CommandNotFound = async function (opts) {
  const typed = opts.id.split(':')[0];
  const visible = opts.config.commands.filter((c) => !c.hidden).map((c) => c.id);
  const near = closest(typed, visible, 1);
  process.stderr.write(`smsdiag: "${typed}" is not a smsdiag command${near.length ? `; did you mean "${near[0]}"?` : ''} (smsdiag help lists them)\n`);
  this.exit(EXIT.usage);
};

export default commandNotFound;
