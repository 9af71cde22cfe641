import { Args, Flags } from '@oclif/core';
import { SmsdiagCommand } from '../src/cli/base';
import { inputFlags, jsonOrFormat, loadInventory, threadsFor } from '../src/cli/flags';
import { proseWidth, writeReadable } from '../src/cli/output';
import { parseThresholds, parseUserTime } from '../src/cli/times';
import { InputError, UsageError } from '../src/errors';
import { analyzeInventory } from '../src/analyze';
import { explain } from '../src/explain';
import { findTopic, suggestTopics } from '../src/knowledge/lookup';
import { TOPICS } from '../src/knowledge/topics';
import { loadRules } from '../src/rules/engine';
import { renderExplanation } from '../src/report/explain';
import { renderTopicList, renderTopicListJson } from '../src/report/topic';

export default class Explain extends SmsdiagCommand {
  static summary = 'What a condition means, why it happened in your logs, and what to do.';

  static description = `Without PATH: the knowledge for a condition (ha-failed, passive-takeover, split-brain, …) or a topic (upgrade, heartbeat, power-off, …). Aliases work: "failed", "takeover", "oom", "active-active".

With PATH (directories, NAME=DIR, a bundle or a syslog file): the same, plus what those logs show — each node's finding, the cause smsdiag concluded and the lines that decided it, from both nodes, and the next steps for that cause.`;

  static examples = [
    { description: 'Why did a node go to HA Failed?', command: '<%= config.bin %> <%= command.id %> failed fixtures/takeover-db' },
    { description: 'Every condition and topic', command: '<%= config.bin %> <%= command.id %> --list' },
    { description: 'How to upgrade a cluster', command: '<%= config.bin %> <%= command.id %> upgrade' },
  ];

  static strict = false;
  static args = {
    id: Args.string({ description: 'condition id, topic or alias (see --list)' }),
    path: Args.string({ description: 'logs to look for it in (optional)' }),
  };

  static flags = {
    ...inputFlags,
    list: Flags.boolean({ description: 'List every condition and topic with its aliases.' }),
    incident: Flags.string({ description: 'When the trouble happened (for log-rollover-gap: evidence lost to rotation before it).' }),
    json: Flags.boolean({ description: 'Print the explanation as JSON (same as --format json).' }),
    format: Flags.string({ description: 'text: meaning, evidence, cause and what to do; json: the same for scripts.', options: ['text', 'json'] }),
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(Explain);
    const [id, ...paths] = argv as string[];
    const json = jsonOrFormat(flags.json, flags.format, 'text') === 'json';
    const width = proseWidth();
    if (flags.list || !id) {
      if (!flags.list) throw new UsageError('explain needs a condition or topic, e.g. `smsdiag explain failed`; `smsdiag explain --list` shows them all');
      if (json) process.stdout.write(renderTopicListJson(TOPICS));
      else writeReadable(renderTopicList(TOPICS), flags.color);
      return;
    }
    const topic = findTopic(id);
    if (!topic) {
      const near = suggestTopics(id);
      throw new UsageError(`no condition or topic called "${id}"${near.length ? `; did you mean ${near.join(', ')}?` : ''} (smsdiag explain --list shows them all)`);
    }
    // With no PATH, as analyze does: this machine's own logs, when it has any (on an SMS node);
    // elsewhere the explanation alone.
    const inventory = paths.length ? await loadInventory(paths, flags) : await loadInventory([], flags).catch((err: unknown) => (err instanceof InputError ? undefined : Promise.reject(err)));
    const analysis = inventory
      ? await analyzeInventory(inventory, {
          rules: loadRules(flags.rules),
          thresholds: { ...parseThresholds(flags.threshold), incident: flags.incident ? parseUserTime(flags.incident, '--incident', new Date()) : undefined },
          threads: threadsFor(flags.threads, inventory),
        })
      : undefined;
    const x = explain(topic, analysis);
    if (json) process.stdout.write(`${JSON.stringify(x, null, 2)}\n`);
    else writeReadable(renderExplanation(x, width), flags.color);
  }
}
