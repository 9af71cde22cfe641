import { Flags } from '@oclif/core';
import { SmsdiagCommand } from '../src/cli/base';
import { loadRules } from '../src/rules/engine';
import { CONDITIONS } from '../src/rules/conditions';
import { findTopic } from '../src/knowledge/lookup';
import { renderRulePack, renderRules } from '../src/report/rules';
import { outputWidth, writeReadable } from '../src/cli/output';
import { jsonOrFormat } from '../src/cli/flags';

export default class Rules extends SmsdiagCommand {
  static summary = 'The rule catalogue: what smsdiag looks for, in which files.';

  static description = `Lists every rule of the pack (id, severity, kinds of file, title, the condition it reports) and the conditions found across nodes by code rather than by a single line.

The pack is data: copy it with --json, adjust a pattern or an anchor for the logs you hold, and use it with --rules FILE on analyze, timeline, explain and state.`;

  static examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --json > my-pack.json'];

  static flags = {
    json: Flags.boolean({ description: 'Print the rule pack itself, usable with --rules (same as --format json).' }),
    format: Flags.string({ description: 'table: a row per rule, or below 110 columns a heading line per rule with its title under it; json: the pack.', options: ['table', 'json'] }),
    rules: Flags.string({ description: 'Show this pack instead of the built-in one.' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Rules);
    const set = loadRules(flags.rules);
    if (jsonOrFormat(flags.json, flags.format, 'table') === 'json') {
      process.stdout.write(renderRulePack(set.rules));
      return;
    }
    writeReadable(renderRules(set.rules, CONDITIONS, (id) => findTopic(id)?.title ?? id, outputWidth()), flags.color);
  }
}
