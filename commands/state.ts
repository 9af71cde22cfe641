import { Args, Flags } from '@oclif/core';
import { SmsdiagCommand } from '../src/cli/base';
import { inputFlags, jsonOrFormat, loadInventory, threadsFor } from '../src/cli/flags';
import { analyzeInventory } from '../src/analyze';
import { parseThresholds } from '../src/cli/times';
import { loadRules } from '../src/rules/engine';
import { renderStates } from '../src/report/states';
import { outputWidth, writeReadable } from '../src/cli/output';

export default class State extends SmsdiagCommand {
  static summary = "Each node's HA state now, and since when.";

  static description = `Like the SMS CLI's "get HA": the content of /etc/ha.state when it was collected, else the last "Local state:" the node logged, with the time the node entered it and the states before it.`;

  static examples = [
    '<%= config.bin %> <%= command.id %> fixtures/takeover-db',
    '<%= config.bin %> <%= command.id %> fixtures/bundle/smsdiag-sms-a-20171012T135000Z.tar.gz --json',
  ];

  static strict = false;
  static args = { path: Args.string({ description: 'node directory, NAME=DIR, directory of node directories, bundle, or syslog file' }) };
  static flags = {
    ...inputFlags,
    json: Flags.boolean({ description: 'Print the states as JSON (same as --format json).' }),
    format: Flags.string({ description: 'table: a row per node, or below 110 columns a line per node with its history under it; json: for scripts.', options: ['table', 'json'] }),
    history: Flags.integer({ description: 'How many earlier states to list per node.', default: 5, min: 0 }),
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(State);
    const inventory = await loadInventory(argv as string[], flags);
    const analysis = await analyzeInventory(inventory, { rules: loadRules(flags.rules), thresholds: parseThresholds(flags.threshold), threads: threadsFor(flags.threads, inventory) });
    const json = jsonOrFormat(flags.json, flags.format, 'table') === 'json';
    const out = renderStates(analysis, { json, history: flags.history, width: outputWidth() });
    if (json) process.stdout.write(out);
    else writeReadable(out, flags.color);
  }
}
