import { Args, Flags } from '@oclif/core';
import { SmsdiagCommand } from '../src/cli/base';
import { emptySelectionNote } from '../src/cli/selection';
import { analyzeInventory } from '../src/analyze';
import { inputFlags, jsonOrFormat, loadInventory, nodeFilter, threadsFor, windowFlags, windowFrom } from '../src/cli/flags';
import { parseDuration, parseThresholds, parseUserTime } from '../src/cli/times';
import { UsageError } from '../src/errors';
import { loadRules } from '../src/rules/engine';
import { keyEvents, ofShownFile, writeAllRecords, type TimelineFilter } from '../src/timeline';
import { writeTimeline, type TimelineFormat } from '../src/report/timeline';
import { LOG_KINDS, type LogKind } from '../src/types';
import { outputWidth, useColour } from '../src/cli/output';

export default class Timeline extends SmsdiagCommand {
  static summary = 'Both nodes\' logs as one chronological story.';

  static description = `By default shows the key events — HA state changes, heartbeat trouble, health-check failures, takeover steps, database and Java faults, maintenance — of every node in one order, after each node's zone (--tz) and clock (--clock) are corrected. With --all, every record of every file, merged as it streams (memory stays flat however large the logs).

Records in the same millisecond keep their order: node, then file rotation, then line.`;

  static examples = [
    { description: 'What happened around a failover, ten minutes either side', command: '<%= config.bin %> <%= command.id %> fixtures/takeover-db --around "2017-10-12 13:48" --window 10m' },
    { description: "Every line of the secondary's ha.log, its times two hours ahead and its clock 95 s fast", command: '<%= config.bin %> <%= command.id %> fixtures/skewed-clocks --all --node secondary --kind ha --tz secondary=+02:00 --clock secondary=+95' },
    { description: 'One rotated log from standard input, as the primary\'s', command: 'zcat fixtures/takeover-db/primary/sms-info.log.1.gz | <%= config.bin %> <%= command.id %> primary=- --all' },
    { description: 'Feed a log store', command: '<%= config.bin %> <%= command.id %> fixtures/takeover-db --all --format ndjson > timeline.ndjson' },
  ];

  static strict = false;
  static args = { path: Args.string({ description: 'node directory, NAME=DIR, directory of node directories, bundle, or syslog file' }) };

  static flags = {
    ...inputFlags,
    ...windowFlags,
    all: Flags.boolean({ description: 'Every record, not just key events.' }),
    around: Flags.string({ description: 'Centre the view on this time (with --window).' }),
    window: Flags.string({ description: 'Half-width of the --around view: 90s, 10m, 2h.', default: '10m' }),
    kind: Flags.string({ description: 'Show only this kind of file (repeatable).', multiple: true, options: [...LOG_KINDS] }),
    grep: Flags.string({ description: 'Show only records matching this regular expression (case-insensitive).' }),
    format: Flags.string({ description: 'table: key events in columns, or below 110 columns a heading line each with the message under it (the default for key events); text: a line per record (the default with --all); ndjson, json: for scripts.', options: ['table', 'text', 'ndjson', 'json'] }),
    json: Flags.boolean({ description: 'Same as --format json.' }),
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(Timeline);
    const now = new Date();
    const filter: TimelineFilter = { ...rangeOf(flags, now), nodes: nodeFilter(flags.node), kinds: flags.kind as LogKind[] | undefined };
    if (flags.grep) {
      try {
        filter.grep = new RegExp(flags.grep, 'i');
      } catch (err) {
        throw new UsageError(`--grep ${JSON.stringify(flags.grep)} is not a valid regular expression: ${(err as Error).message}`);
      }
    }
    const format = jsonOrFormat(flags.json, flags.format, flags.all ? 'text' : 'table') as TimelineFormat;
    if (flags.all && format === 'table') throw new UsageError('--all writes every record, too many for a table: use --format text, ndjson or json');
    const inventory = await loadInventory(argv as string[], flags);
    const warnings: string[] = [...inventory.warnings];
    // --all reads the files of the nodes and kinds shown; key events come of the analysis of all.
    const threads = threadsFor(flags.threads, inventory, flags.all ? (f) => ofShownFile(f, filter) : undefined);
    if (flags.all) {
      await writeAllRecords(process.stdout, inventory, filter, format as Exclude<TimelineFormat, 'table'>, threads, (m) => void warnings.push(m));
    } else {
      const key = await keyEvents(inventory, filter, { rules: loadRules(flags.rules), thresholds: parseThresholds(flags.threshold), threads });
      writeTimeline(process.stdout, key, format, inventory.nodes.map((n) => n.name), { width: outputWidth(), colour: useColour(flags.color) });
      if (!key.length && (filter.from !== undefined || filter.to !== undefined)) {
        const { nodes } = (await analyzeInventory(inventory, { rules: loadRules(flags.rules) })).report;
        const empty = emptySelectionNote({ since: filter.from, until: filter.to }, nodes);
        if (empty) warnings.push(empty);
      }
    }
    for (const w of new Set(warnings)) process.stderr.write(`warning: ${w}\n`);
  }
}

function rangeOf(flags: { around?: string; window: string; since?: string; until?: string }, now: Date): { from?: number; to?: number } {
  const w = windowFrom(flags, now);
  if (!flags.around) return { from: w.since, to: w.until };
  const centre = parseUserTime(flags.around, '--around', now);
  const half = parseDuration(flags.window, '--window');
  return { from: Math.max(centre - half, w.since ?? -Infinity), to: Math.min(centre + half, w.until ?? Infinity) };
}
