import { Args, Flags } from '@oclif/core';
import { SmsdiagCommand } from '../src/cli/base';
import { emptySelectionNote } from '../src/cli/selection';
import { renderVerbose } from '../src/report/verbose';
import { inputFlags, jsonOrFormat, loadInventory, threadsFor, windowFlags, windowFrom } from '../src/cli/flags';
import { parseThresholds, parseUserTime } from '../src/cli/times';
import { analyzeInventory } from '../src/analyze';
import { loadRules } from '../src/rules/engine';
import { jsonPieces } from '../src/report/json';
import { writeTo } from '../src/report/out';
import { renderTable } from '../src/report/table';
import { renderSummary } from '../src/report/summary';
import { writeHtmlReport } from '../src/report/html-file';
import { failsOn, filterBySeverity } from '../src/report/severity-filter';
import { EXIT } from '../src/errors';
import { outputWidth, proseWidth, writeReadable } from '../src/cli/output';
import { SEVERITIES, type Severity } from '../src/types';

export default class Analyze extends SmsdiagCommand {
  static summary = 'Find what went wrong in an SMS HA cluster from both nodes\' logs.';

  static description = `Reads ha.log*, sms-info.log*, mysqld.err*, tpt_sms.txt and ha.state of each node (rotations and gzip included) and reports the HA conditions it finds: one row per condition and node with first/last time, count and a summary, then each node's current HA state.

PATH is a directory of one node's files (named after the directory, or NAME=DIR), a directory with one sub-directory per node, a single log file, or - for one log on standard input (NAME=- names its node). Without PATH, this machine's usual log locations are read.

On a terminal the report is the one-page summary, in colour (NO_COLOR or --no-color: none); in a pipe it is the table, 80 columns wide.

Times without a zone are the node's local time: give each node's offset with --tz when it differs from this machine's.`;

  static examples = [
    { description: 'Both nodes from a directory with primary/ and secondary/ inside', command: '<%= config.bin %> <%= command.id %> fixtures/takeover-db' },
    { description: 'Two directories named explicitly, the secondary two hours ahead of UTC and its clock 95 s fast', command: '<%= config.bin %> <%= command.id %> primary=fixtures/skewed-clocks/primary secondary=fixtures/skewed-clocks/secondary --tz secondary=+02:00 --clock secondary=+95' },
    { description: 'A bundle, only from 13:40 on, as JSON for a script; exit 1 if anything critical', command: '<%= config.bin %> <%= command.id %> fixtures/bundle/smsdiag-sms-a-20171012T135000Z.tar.gz --since "2017-10-12 13:40" --json --fail-on critical' },
  ];

  static strict = false;
  static args = { path: Args.string({ description: 'node directory, NAME=DIR, directory of node directories, or log file' }) };

  static flags = {
    json: Flags.boolean({ description: 'Print the report as JSON (same as --format json).' }),
    format: Flags.string({ description: 'text: the one-page summary with what to do (the default on a terminal); table: findings, incidents, states (the default otherwise); json: the report for scripts.', options: ['table', 'text', 'json'] }),
    ...windowFlags,
    'min-severity': Flags.string({ description: 'Hide findings below this severity.', options: [...SEVERITIES], default: 'info' }),
    'fail-on': Flags.string({ description: 'Exit 1 when a finding at or above this severity is reported.', options: [...SEVERITIES, 'never'], default: 'never' }),
    ...inputFlags,
    html: Flags.string({ description: 'Also write the self-contained HTML report (state swimlanes, incidents, findings) to this file; an existing file is never replaced.' }),
    incident: Flags.string({ description: 'When the trouble happened: reports evidence lost to log rotation before it (log-rollover-gap).' }),
    verbose: Flags.boolean({ char: 'v', description: 'Also say, on stderr, what was read (each file, its kind, records and time span) and assumed (zones, incident time).' }),
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(Analyze);
    const now = new Date();
    const inventory = await loadInventory(argv as string[], flags);
    const analysis = await analyzeInventory(inventory, {
      rules: loadRules(flags.rules),
      window: windowFrom(flags, now),
      thresholds: { ...parseThresholds(flags.threshold), incident: flags.incident ? parseUserTime(flags.incident, '--incident', now) : undefined },
      threads: threadsFor(flags.threads, inventory),
    });
    const report = filterBySeverity(analysis.report, flags['min-severity'] as Severity);
    if (flags.verbose) {
      const assumed = new Set(inventory.nodes.filter((n) => n.facts.utcOffsetAssumed).map((n) => n.name));
      const incident = flags.incident ? parseUserTime(flags.incident, '--incident', now) : inventory.incident;
      process.stderr.write(renderVerbose(analysis.report, assumed, incident));
    }
    if (flags.html) await writeHtmlReport(analysis, flags.html);
    // A person at a terminal reads the summary; a pipe, a file or a script gets the table, as before.
    const format = jsonOrFormat(flags.json, flags.format, process.stdout.isTTY ? 'text' : 'table');
    if (format === 'json') {
      // In pieces, each when the reader has room: the whole document at once, with its copy on
      // the way out, was most of the peak for many files.
      await writeTo(process.stdout, async (write) => {
        for (const piece of jsonPieces(report)) await write(piece);
      });
    }
    else if (format === 'text') {
      // The knowledge base is only read for the summary's advice; table and JSON runs skip loading it.
      const { adviceFor } = await import('../src/knowledge/lookup');
      writeReadable(renderSummary(report, adviceFor, proseWidth()), flags.color);
    } else writeReadable(renderTable(report, { width: outputWidth() }), flags.color);
    const empty = report.findings.length ? undefined : emptySelectionNote(windowFrom(flags, now), report.nodes);
    if (empty) process.stderr.write(`note: ${empty}\n`);
    if (failsOn(report, flags['fail-on'] as Severity | 'never')) this.exit(EXIT.findings);
  }
}
