import { Flags } from '@oclif/core';
import { SmsdiagCommand } from '../src/cli/base';
import { isSingleExecutable } from '../src/cli/runtime';

export default class Version extends SmsdiagCommand {
  static summary = 'Show the version of smsdiag and of what it runs on.';

  static examples = ['<%= config.bin %> version', '<%= config.bin %> version --json'];

  static flags = { json: Flags.boolean({ description: 'Print the versions as JSON.' }) };

  async run(): Promise<void> {
    const { flags } = await this.parse(Version);
    const info = {
      name: this.config.name,
      version: this.config.version,
      node: process.versions.node,
      platform: process.platform,
      arch: process.arch,
      singleExecutable: isSingleExecutable(),
    };
    if (flags.json) process.stdout.write(`${JSON.stringify(info, null, 2)}\n`);
    else process.stdout.write(`${this.config.userAgent}${info.singleExecutable ? ' (single executable)' : ''}\n`);
  }
}

