import { Args, loadHelpClass } from '@oclif/core';
import { SmsdiagCommand } from '../src/cli/base';

export default class Help extends SmsdiagCommand {
  static summary = 'Show how to use smsdiag or one of its commands.';

  static examples = ['<%= config.bin %> help', '<%= config.bin %> help analyze'];

  static strict = false;
  static args = { command: Args.string({ description: 'the command to explain' }) };

  async run(): Promise<void> {
    const { argv } = await this.parse(Help);
    const HelpClass = await loadHelpClass(this.config);
    await new HelpClass(this.config).showHelp(argv as string[]);
  }
}
