import { Flags } from '@oclif/core';
import Table from 'cli-table3';
import { SmsdiagCommand } from '../src/cli/base';
import { loadRules } from '../src/rules/engine';
import { CONDITIONS, conditionById } from '../src/rules/conditions';
import { BORDERLESS, trimRight } from '../src/report/format';

export default class Rules extends SmsdiagCommand {
  static summary = 'The rule catalogue: what smsdiag looks for, in which files.';

  static description = `Lists every rule of the pack (id, severity, kinds of file, title, the condition it reports) and the conditions found across nodes by code rather than by a single line.

The pack is data: copy it with --json, adjust a pattern or an anchor for the logs you hold, and use it with --rules FILE on analyze, timeline, explain and state.`;

  static examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --json > my-pack.json'];

  static flags = {
    json: Flags.boolean({ description: 'Print the rule pack itself (usable with --rules).' }),
    rules: Flags.string({ description: 'Show this pack instead of the built-in one.' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Rules);
    const set = loadRules(flags.rules);
    if (flags.json) {
      const rules = set.rules.map(({ regex: _regex, ...spec }) => spec);
      process.stdout.write(`${JSON.stringify({ version: 1, rules }, null, 2)}\n`);
      return;
    }
    const t = new Table({ head: ['RULE', 'SEVERITY', 'KINDS', 'REPORTS', 'TITLE'], ...BORDERLESS });
    for (const r of set.rules) {
      const severity = r.severity ?? (r.condition ? conditionById(r.condition).severity : '-');
      t.push([r.id, severity, r.kinds.join(','), r.condition ?? `event:${r.event}`, r.title]);
    }
    const crossNode = CONDITIONS.filter((c) => c.detectedBy !== 'rule').map((c) => `  ${c.id.padEnd(22)}${c.severity.padEnd(10)}${c.title}`);
    process.stdout.write(`${trimRight(t.toString())}\n\nFound from event sequences and both nodes together:\n${crossNode.join('\n')}\n`);
  }
}
