import { Flags } from '@oclif/core';
import { readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createInterface } from 'node:readline/promises';
import { SmsdiagCommand } from '../src/cli/base';
import { machineOffsetMinutes } from '../src/cli/flags';
import { parseUserTime } from '../src/cli/times';
import { EXIT, UsageError } from '../src/errors';
import { collect, type CollectNode } from '../src/collect';
import { progressReporter } from '../src/report/progress';
import { DEFAULT_LOCATIONS } from '../src/sources/catalog';
import { roleOf } from '../src/sources/local';
import { splitNamed } from '../src/text/named';
import type { LogKind } from '../src/types';

/** What a node may be called: it names a directory in the spool and in the bundle. */
const NODE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** The kinds that live in files on a node, and so can be given a --path. */
const KINDS = Object.keys(DEFAULT_LOCATIONS) as LogKind[];

/** `[NAME=]HOST` as a node; without NAME=, `fallback`. */
function named(v: string, fallback: string): { name: string; host: string } {
  const n = splitNamed(v);
  return n?.value ? { name: n.name, host: n.value } : { name: fallback, host: v };
}

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
    peer: Flags.string({ helpGroup: 'NODES', description: 'The other node, [NAME=]HOST (default name: secondary, and this node is primary).' }),
    host: Flags.string({ helpGroup: 'NODES', description: 'A node to collect over SSH, [NAME=]HOST (repeatable); this machine is then left out unless --local.', multiple: true }),
    local: Flags.boolean({ helpGroup: 'NODES', description: 'Collect this machine too (default: yes, unless --host is given).', allowNo: true }),
    'local-name': Flags.string({ helpGroup: 'NODES', description: 'Name of this machine in the bundle (default: primary with --peer, else its host name).' }),
    user: Flags.string({ helpGroup: 'CONNECTION', description: 'SSH user.', default: 'root' }),
    key: Flags.string({ helpGroup: 'CONNECTION', description: 'SSH private key.', default: '/root/.ssh/sms-ha.rsa' }),
    port: Flags.integer({ helpGroup: 'CONNECTION', description: 'SSH port.', default: 22, min: 1, max: 65535 }),
    'known-hosts': Flags.string({ helpGroup: 'CONNECTION', description: 'known_hosts file to check host keys against.', default: path.join(os.homedir(), '.ssh', 'known_hosts') }),
    'connect-timeout': Flags.integer({ helpGroup: 'CONNECTION', description: 'Seconds a host may take to answer and log in before it counts as unreachable.', default: 10, min: 1 }),
    'stall-timeout': Flags.integer({ helpGroup: 'CONNECTION', description: 'Seconds without a byte before a file transfer is abandoned (and recorded as failed).', default: 30, min: 1 }),
    'accept-new-host-key': Flags.boolean({ helpGroup: 'CONNECTION', description: 'Record the key of a host not yet in known_hosts (a changed key is still refused).' }),
    path: Flags.string({ helpGroup: 'SELECTION', description: 'Where a kind of log lives, [NODE:]KIND=GLOB, e.g. ha=/var/log/ha.log* (repeatable; replaces the built-in locations).', multiple: true }),
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
    const nodes: CollectNode[] = [];
    const remote = [...(flags.peer ? [named(flags.peer, 'secondary')] : []), ...(flags.host ?? []).map((h) => named(h, h))];
    const withLocal = flags.local ?? !flags.host?.length;
    if (withLocal) {
      const name = flags['local-name'] ?? (flags.peer ? 'primary' : os.hostname());
      nodes.push({ name, role: roleOf(name) });
    }
    for (const r of remote) nodes.push({ name: r.name, role: roleOf(r.name), host: r.host });
    // A node's name becomes a directory in the spool and the bundle: a plain name, never a path.
    for (const n of nodes) {
      if (!NODE_NAME.test(n.name)) throw new UsageError(`node name ${JSON.stringify(n.name)} (--local-name or NAME=HOST): use letters, digits, '.', '_' and '-' only, starting with a letter or digit`);
    }
    if (!nodes.length) throw new UsageError('nothing to collect: give --peer HOST or --host HOST, or leave out --no-local');
    if (new Set(nodes.map((n) => n.name)).size !== nodes.length) throw new UsageError(`two nodes share a name (${nodes.map((n) => n.name).join(', ')}); name them with NAME=HOST`);
    const paths = (flags.path ?? []).map((p) => {
      const m = /^(?:([A-Za-z0-9_.-]+):)?([a-z-]+)=(.+)$/.exec(p);
      if (!m || !KINDS.includes(m[2] as LogKind)) throw new UsageError(`--path ${JSON.stringify(p)}: expected [NODE:]KIND=GLOB with KIND one of ${KINDS.join(', ')}`);
      return { node: m[1], glob: { kind: m[2] as LogKind, glob: m[3] } };
    });
    const now = new Date();
    const result = await collect({
      nodes,
      ssh: { port: flags.port, user: flags.user, keyFile: flags.key, knownHosts: flags['known-hosts'], acceptNewHostKey: flags['accept-new-host-key'], stallMs: flags['stall-timeout'] * 1000, readyTimeoutMs: flags['connect-timeout'] * 1000 },
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
