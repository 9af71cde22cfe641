import { Args, Flags } from '@oclif/core';
import { SmsdiagCommand } from '../src/cli/base';
import { BundleError, EXIT } from '../src/errors';
import { verifyBundle } from '../src/bundle/verify';
import { renderVerify } from '../src/report/verify';

export default class Verify extends SmsdiagCommand {
  static summary = 'Check a bundle against its manifest: every file present and unaltered, nothing added.';

  static description = `Reads the bundle once, recomputes the sha256 of every file in it and compares them with the checksums its manifest.json recorded when it was collected. Prints one line per altered, missing or extra file, then a summary. When <bundle>.sha256 sits beside the bundle, the archive's own checksum is checked too.

Exit status: 0 when everything matches, 3 when anything differs or the archive is damaged, truncated or not a bundle.`;

  static examples = [
    { description: 'Check a bundle received with a support ticket', command: '<%= config.bin %> <%= command.id %> fixtures/bundle/smsdiag-sms-a-20171012T135000Z.tar.gz' },
    { description: 'The same, as JSON for a script', command: '<%= config.bin %> <%= command.id %> fixtures/bundle/smsdiag-sms-a-20171012T135000Z.tar.gz --json' },
  ];

  static args = { bundle: Args.string({ description: 'bundle written by smsdiag collect (.tar.gz)', required: true }) };

  static flags = {
    json: Flags.boolean({ description: 'Print the result as JSON: {bundle, ok, listed, matched, archiveChecksum, problems: [{kind, path, detail}]}.' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Verify);
    let result;
    try {
      result = await verifyBundle(args.bundle);
    } catch (err) {
      if (flags.json && err instanceof BundleError) {
        process.stdout.write(`${JSON.stringify({ bundle: args.bundle, ok: false, error: err.message }, null, 2)}\n`);
        this.exit(err.exitCode);
      }
      throw err;
    }
    process.stdout.write(flags.json ? `${JSON.stringify(result, null, 2)}\n` : renderVerify(result));
    if (!result.ok) this.exit(EXIT.input);
  }
}
