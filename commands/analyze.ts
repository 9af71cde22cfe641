import { Args, Flags } from '@oclif/core';
import { SmsdiagCommand } from '../src/cli/base';
import { parseNodeClocks, parseNodeOffsets, parseUserTime } from '../src/cli/times';
import { resolveInputs } from '../src/sources/inputs';
import { analyzeInventory } from '../src/analyze';
import { loadRules } from '../src/rules/engine';
import { renderJson } from '../src/report/json';
import { renderTable } from '../src/report/table';
import { failsOn, filterBySeverity } from '../src/report/severity-filter';
import { SEVERITIES, type Severity } from '../src/types';

export default class Analyze extends SmsdiagCommand {
  static summary = 'Find what went wrong in an SMS HA cluster from both nodes\' logs.';

  static description = `Reads ha.log*, sms-info.log*, mysqld.err*, tpt_sms.txt and ha.state of each node (rotations and gzip included) and reports the HA conditions it finds: one row per condition and node with first/last time, count and a summary, then each node's current HA state.

PATH is a directory of one node's files (named after the directory, or NAME=DIR), a directory with one sub-directory per node, or a single log file. Without PATH, this machine's usual log locations are read.

Times without a zone are the node's local time: give each node's offset with --tz when it differs from this machine's.`;

  static examples = [
    { description: 'Both nodes from a directory with primary/ and secondary/ inside', command: '<%= config.bin %> <%= command.id %> ./case-1234' },
    { description: 'Two directories named explicitly, the secondary two hours ahead of UTC', command: '<%= config.bin %> <%= command.id %> primary=./sms-a secondary=./sms-b --tz secondary=+02:00' },
    { description: 'Only the last day, as JSON for a script; exit 1 if anything critical', command: '<%= config.bin %> <%= command.id %> ./case-1234 --since 1d --json --fail-on critical' },
  ];

  static strict = false;
  static args = { path: Args.string({ description: 'node directory, NAME=DIR, directory of node directories, or log file' }) };

  static flags = {
    json: Flags.boolean({ description: 'Print the report as JSON (see cli.md for the contract).' }),
    since: Flags.string({ description: 'Only count evidence at or after this time (ISO 8601, "YYYY-MM-DD HH:MM" UTC, or 2h/7d back from now).' }),
    until: Flags.string({ description: 'Only count evidence at or before this time.' }),
    'min-severity': Flags.string({ description: 'Hide findings below this severity.', options: [...SEVERITIES], default: 'info' }),
    'fail-on': Flags.string({ description: 'Exit 1 when a finding at or above this severity is reported.', options: [...SEVERITIES, 'never'], default: 'never' }),
    tz: Flags.string({ description: 'UTC offset of a node\'s zone-less times, NODE=±HH:MM (repeatable).', multiple: true }),
    clock: Flags.string({ description: 'Seconds a node\'s clock ran ahead of true time, NODE=±SECONDS (repeatable); subtracted.', multiple: true }),
    rules: Flags.string({ description: 'Use this rule pack (JSON) instead of the built-in one; see `smsdiag rules --json`.' }),
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(Analyze);
    const now = new Date();
    const inventory = await resolveInputs(argv as string[], { tz: parseNodeOffsets(flags.tz), clock: parseNodeClocks(flags.clock) });
    const analysis = await analyzeInventory(inventory, {
      rules: loadRules(flags.rules),
      window: {
        since: flags.since ? parseUserTime(flags.since, '--since', now) : undefined,
        until: flags.until ? parseUserTime(flags.until, '--until', now) : undefined,
      },
      defaultOffsetMinutes: -now.getTimezoneOffset(),
    });
    const report = filterBySeverity(analysis.report, flags['min-severity'] as Severity);
    if (flags.json) process.stdout.write(renderJson(report));
    else process.stdout.write(renderTable(report, { width: process.stdout.isTTY ? process.stdout.columns : 120 }));
    if (failsOn(report, flags['fail-on'] as Severity | 'never')) this.exit(1);
  }
}
