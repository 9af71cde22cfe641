import { Flags } from '@oclif/core';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline/promises';
import { SmsdiagCommand } from '../src/cli/base';
import { machineOffsetMinutes, threadsFor } from '../src/cli/flags';
import { nodeFlags, nodesFrom, pathsFrom, sshFrom } from '../src/cli/nodes';
import { parseUserTime } from '../src/cli/times';
import { EXIT, UsageError } from '../src/errors';
import { collect, type CollectNode } from '../src/collect';
import { progressReporter } from '../src/report/progress';

export default class Collect extends SmsdiagCommand {
  static summary = 'Collect both nodes\' logs and facts into one verified bundle for a support case.';

  static description = `Run it on the primary soon after an incident, before log rotation removes the evidence. With --peer it also fetches the other node over SSH as the cluster does itself (user root, key /root/.ssh/sms-ha.rsa); both nodes are read in parallel, and one node failing never costs the other's data.

The bundle holds the logs with their rotations, each node's facts (ha.state, clock sampled against this machine's with its error bound, zone, uptime, disk, memory, addresses), and the analysis (findings.json, summary.txt, timeline.ndjson, report.html). It is written under a temporary name and renamed when complete, never over an existing file, mode 0600, with a .sha256 file beside it; smsdiag verify and sha256sum -c check it, and analyze reads it as it is.

Host keys are checked against known_hosts; an unknown key is refused with its fingerprint unless --accept-new-host-key, a changed key always.

On the primary after an incident, both nodes: smsdiag collect --peer 10.0.0.2 --incident "2017-10-12 13:48" --description "secondary took over". From a workstation: smsdiag collect --host primary=sms-a --host secondary=sms-b --since 7d --redact.

Exit 0: complete. 4: bundle written, but a node or file failed (listed in the manifest). 5: no node could be reached; nothing written.`;

  static examples = [
    { description: 'Practice on a shipped case: this machine named primary, its logs taken from the fixture', command: '<%= config.bin %> <%= command.id %> --local-name primary --path "ha=$PWD/fixtures/takeover-db/primary/ha.log*" --path "mysqld=$PWD/fixtures/takeover-db/primary/mysqld.err*" --incident "2017-10-12 13:48" --description "practice: the database crashed"' },
    { description: 'The same with addresses and names replaced (the map is written beside the bundle)', command: '<%= config.bin %> <%= command.id %> --local-name primary --path "ha=$PWD/fixtures/takeover-db/primary/ha.log*" --redact --description "practice, redacted"' },
  ];

  static flags = {
    ...nodeFlags,
    since: Flags.string({ helpGroup: 'SELECTION', description: 'Leave out rotated files last written before this time (ISO 8601, or 7d back from now); current files always come.' }),
    incident: Flags.string({ helpGroup: 'BUNDLE', description: 'When the problem happened; recorded in the bundle.' }),
    out: Flags.string({ helpGroup: 'BUNDLE', description: 'Directory to write the bundle to.', default: '.' }),
    description: Flags.string({ helpGroup: 'BUNDLE', description: 'What happened, TEXT or @FILE (asked for on a terminal when absent).' }),
    case: Flags.string({ helpGroup: 'BUNDLE', description: 'Support case id, recorded in the bundle.' }),
    redact: Flags.boolean({ helpGroup: 'REDACTION', description: 'Replace addresses, host and user names, e-mail addresses with consistent pseudonyms; the map is written beside the bundle only.' }),
    'redact-word': Flags.string({ helpGroup: 'REDACTION', description: 'Also replace this word everywhere (repeatable).', multiple: true }),
    quiet: Flags.boolean({ description: 'No progress output.' }),
    json: Flags.boolean({ description: 'Print the result as JSON.' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Collect);
    const nodes: CollectNode[] = nodesFrom(flags, 'collect');
    const paths = pathsFrom(flags.path);
    const now = new Date();
    const result = await collect({
      nodes,
      ssh: sshFrom(flags),
      paths,
      since: flags.since ? parseUserTime(flags.since, '--since', now) : undefined,
      outDir: flags.out,
      caseId: flags.case,
      description: await this.description(flags.description),
      incident: await this.incident(flags.incident, now),
      redact: flags.redact || !!flags['redact-word']?.length,
      redactWords: flags['redact-word'],
      commandLine: ['smsdiag', 'collect', ...this.argv],
      toolVersion: this.config.version,
      defaultOffsetMinutes: machineOffsetMinutes(),
      progress: progressReporter(process.stderr, flags.quiet),
      analysisThreads: (inv) => threadsFor(undefined, inv),
    });
    if (flags.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    else if (result.bundle) process.stdout.write(`${result.bundle}\n${result.sha256File}\n${result.mapFile ? `${result.mapFile} (the redaction map: keep it, never send it)\n` : ''}`);
    for (const n of result.nodes) for (const e of n.errors) process.stderr.write(`${n.name}: ${e}\n`);
    if (result.exitCode === EXIT.unreachable) process.stderr.write('smsdiag: no node could be reached; nothing was written\n');
    if (result.exitCode !== EXIT.ok) this.exit(result.exitCode);
  }

  /**
   * When it happened: support asks it first, and the analysis uses it (evidence rotated away before
   * it is a finding). Asked on a terminal when not given; an answer that is no time is asked again.
   */
  private async incident(value: string | undefined, now: Date): Promise<string | undefined> {
    if (value !== undefined) return new Date(parseUserTime(value, '--incident', now)).toISOString();
    if (!process.stdin.isTTY || !process.stderr.isTTY) return undefined;
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    try {
      for (;;) {
        const answer = (await rl.question('When did it happen? (UTC "2017-10-12 13:48", or 2h for two hours ago; Enter to skip): ')).trim();
        if (!answer) return undefined;
        try {
          return new Date(parseUserTime(answer, 'the time', now)).toISOString();
        } catch (err) {
          process.stderr.write(`${(err as Error).message}\n`);
        }
      }
    } finally {
      rl.close();
    }
  }

  private async description(value: string | undefined): Promise<string | undefined> {
    if (value?.startsWith('@')) {
      try {
        return readFileSync(value.slice(1), 'utf8').trim();
      } catch (err) {
        throw new UsageError(`--description ${value}: cannot read ${value.slice(1)} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
      }
    }
    if (value !== undefined || !process.stdin.isTTY || !process.stderr.isTTY) return value;
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    const answer = await rl.question('Describe the problem in a sentence (what you saw, when): ');
    rl.close();
    return answer.trim() || undefined;
  }
}
