import { Args } from '@oclif/core';
import * as path from 'node:path';
import { SmsdiagCommand } from '../src/cli/base';
import { isSingleExecutable } from '../src/cli/runtime';
import { TOPICS } from '../src/knowledge/topics';
import { completionScript } from '../src/report/completion';

export default class Autocomplete extends SmsdiagCommand {
  static summary = 'Print a shell completion script for bash or zsh.';

  static description = `Completes command names, flags, the values a flag accepts (--format, --kind, …), condition and topic names after "explain", and file names for PATH arguments. Load it from your shell's start-up file:

  bash:  echo 'eval "$(smsdiag autocomplete bash)"' >> ~/.bashrc
  zsh:   echo 'eval "$(smsdiag autocomplete zsh)"' >> ~/.zshrc`;

  static examples = ['<%= config.bin %> autocomplete bash', 'eval "$(<%= config.bin %> autocomplete bash)"'];

  static args = { shell: Args.string({ description: 'the shell', options: ['bash', 'zsh'], default: 'bash' }) };

  async run(): Promise<void> {
    const { args } = await this.parse(Autocomplete);
    const commands = this.config.commands
      .filter((c) => !c.hidden)
      .map((c) => ({
        id: c.id,
        flags: Object.entries(c.flags)
          .filter(([, f]) => !f.hidden)
          .map(([name, f]) => ({ name, options: f.type === 'option' ? f.options : undefined })),
      }));
    const aliases = isSingleExecutable() ? [path.basename(process.execPath)] : [];
    const topics = TOPICS.flatMap((t) => [t.id, ...t.aliases]);
    process.stdout.write(completionScript(args.shell as 'bash' | 'zsh', { bin: this.config.bin, aliases, commands, topics }));
  }
}
