import { Args, Flags } from '@oclif/core';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { SmsdiagCommand } from '../src/cli/base';
import { inputFlags, machineOffsetMinutes } from '../src/cli/flags';
import { nodeFlags, nodesFrom, pathsFrom, sshFrom } from '../src/cli/nodes';
import { useColour } from '../src/cli/output';
import { parseDuration, parseNodeClocks, parseNodeOffsets, parseThresholds, parseUserTime } from '../src/cli/times';
import { EXIT, UsageError } from '../src/errors';
import { checkOutputDirectory } from '../src/bundle/writer';
import { colourize } from '../src/report/colour';
import { watchLine, type WatchEvent } from '../src/report/watch';
import { loadRules } from '../src/rules/engine';
import { isConditionId } from '../src/rules/conditions';
import { classifyFileName, fileNameOf } from '../src/sources/catalog';
import type { LogKind } from '../src/types';
import { FOLLOWED_KINDS, watch, type WatchNode } from '../src/watch';

const DEFAULT_TRIGGERS = 'ha-failed,passive-takeover,split-brain,db-crash';
/** After SIGINT/SIGTERM: what the watch gets to stop (a collection removes its half-written bundle). */
const STOP_GRACE_MS = 4000;

export default class Watch extends SmsdiagCommand {
  static summary = 'Follow both nodes\' logs live, print each finding as it happens, and collect a bundle when an incident starts.';

  static description = `Follows this node's logs and, with --peer, the other node's over SSH (the same access and host-key checks as collect), like tail -F: through rotation (rename, copytruncate, gzip of the old file), truncation, and files that appear later. It starts at the end of each file; the lines before are read as context only. --from TIME also prints what the kept lines (the last --context MiB of each file) show from TIME on.

Each time a new line is one the rules look for, the kept lines of both nodes are analysed again with analyze's rules and cross-node logic. A finding is printed when it first shows, and again only after a quiet spell longer than the incident gap (10 min; --threshold incident-gap=…). A finding about both nodes (a takeover, split brain, no node Active) is printed once it has held for 3 s, and waits up to a minute for a node whose logs are not read up to now (the peer unreachable); after that it is printed saying so. Findings go to stdout, one line each (or one JSON object each with --format ndjson, the fields of analyze --json plus type and time); notices (a file rotated, the peer lost and found again) go to stderr.

When a finding's id is in --collect-on, a bundle is collected into --out, as collect writes it, with the finding's time as the incident time and its summary as the description: one per incident (triggers within the incident gap of each other are one), one at a time; another incident within --cooldown of the last collection is collected when the cool-down ends.

On the active node, both nodes, bundles into /var/tmp when a failure or takeover starts: smsdiag watch --peer 10.0.0.2 --out /var/tmp (README: a systemd unit for it).

SIGINT and SIGTERM end the watch with exit 0 (a collection under way is stopped and its temporary file removed); SIGHUP reopens the files. It reads /etc/ha.state only through the bundles it collects: the logs say the state as it changes.`;

  static examples = [
    { description: 'Practice on a shipped case for five seconds: what its kept lines show from 13:40 on, no bundle', command: 'timeout --preserve-status -s INT 5 <%= config.bin %> <%= command.id %> fixtures/takeover-db/primary --local-name primary --from "2017-10-12 13:40" --no-collect' },
    { description: 'The same as JSON lines, for a script', command: 'timeout --preserve-status -s INT 5 <%= config.bin %> <%= command.id %> fixtures/takeover-db/primary --local-name primary --from "2017-10-12 13:40" --no-collect --format ndjson' },
  ];

  static strict = false;
  static args = { path: Args.string({ description: "this node's log file, or a directory holding its logs (default: the usual locations, or --path)" }) };

  static flags = {
    ...nodeFlags,
    from: Flags.string({ description: 'Also print findings from this time on, as far as the kept lines reach (ISO 8601, "YYYY-MM-DD HH:MM" UTC, or 2h back).' }),
    format: Flags.string({ description: 'text: one line per finding (colour on a terminal); ndjson: one JSON object per finding or bundle.', options: ['text', 'ndjson'], default: 'text' }),
    'collect-on': Flags.string({ helpGroup: 'BUNDLE', description: 'Finding ids that start a collection, comma-separated.', default: DEFAULT_TRIGGERS }),
    collect: Flags.boolean({ helpGroup: 'BUNDLE', description: 'Collect bundles at all (--no-collect: only print).', allowNo: true, default: true }),
    out: Flags.string({ helpGroup: 'BUNDLE', description: 'Directory the bundles are written to.', default: '.' }),
    cooldown: Flags.string({ helpGroup: 'BUNDLE', description: 'After a collection starts, no other for this long (one bundle per incident).', default: '30m' }),
    case: Flags.string({ helpGroup: 'BUNDLE', description: 'Support case id, recorded in each bundle.' }),
    poll: Flags.integer({ description: 'Seconds between looks at the files.', default: 1, min: 1, max: 60 }),
    context: Flags.integer({ description: 'MiB of each file kept for the analysis (its latest lines): how far back a finding can reach.', default: 4, min: 1, max: 16 }),
    tz: inputFlags.tz,
    clock: inputFlags.clock,
    threshold: inputFlags.threshold,
    rules: inputFlags.rules,
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(Watch);
    const nodes: WatchNode[] = nodesFrom(flags, 'watch');
    const files = await localFiles(argv as string[]);
    if (files) {
      const local = nodes.find((n) => !n.host);
      if (!local) throw new UsageError('PATH names files of this machine, but --host without --local leaves it out; add --local');
      local.files = files;
    }
    const collectOn = new Set(flags['collect-on'].split(',').map((s) => s.trim()).filter(Boolean));
    for (const id of collectOn) if (!isConditionId(id)) throw new UsageError(`--collect-on ${id}: no such finding id; \`smsdiag explain\` lists them`);
    if (flags.collect) await checkOutputDirectory(flags.out);
    const format = flags.format as 'text' | 'ndjson';
    const colour = format === 'text' && useColour(flags.color);
    const emit = (e: WatchEvent): void => {
      const { out, err } = watchLine(e, format);
      if (out) process.stdout.write(colour ? colourize(out) : out);
      if (err) process.stderr.write(err);
    };
    const stop = new AbortController();
    const w = watch({
      nodes,
      ssh: sshFrom(flags),
      paths: pathsFrom(flags.path),
      rules: loadRules(flags.rules),
      thresholds: parseThresholds(flags.threshold),
      from: flags.from ? parseUserTime(flags.from, '--from', new Date()) : undefined,
      tz: parseNodeOffsets(flags.tz),
      clock: parseNodeClocks(flags.clock),
      defaultOffsetMinutes: machineOffsetMinutes(),
      contextBytes: flags.context << 20,
      pollMs: flags.poll * 1000,
      collectOn,
      outDir: flags.collect ? flags.out : undefined,
      cooldownMs: parseDuration(flags.cooldown, '--cooldown'),
      caseId: flags.case,
      commandLine: ['smsdiag', 'watch', ...this.argv],
      toolVersion: this.config.version,
      signal: stop.signal,
      emit,
    });
    const end = (why: string): void => {
      if (stop.signal.aborted) return;
      process.stderr.write(`smsdiag watch: ${why}: stopping\n`);
      stop.abort();
      // A stop must not hang on a host that does not answer: what could not finish in time is left.
      setTimeout(() => process.exit(EXIT.ok), STOP_GRACE_MS).unref();
    };
    const onInt = (): void => end('SIGINT');
    const onTerm = (): void => end('SIGTERM');
    const onHup = (): void => {
      emit({ type: 'notice', message: 'SIGHUP: opening the files again' });
      w.reopen();
    };
    // Whoever read the findings has gone (a pipe closed): nothing printed from now on would reach anyone.
    const onOutError = (err: NodeJS.ErrnoException): void => end(err.code === 'EPIPE' ? 'standard output closed' : `cannot write standard output (${err.code ?? err.message})`);
    process.stdout.on('error', onOutError);
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
    process.on('SIGHUP', onHup);
    try {
      await w.done;
    } finally {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      process.off('SIGHUP', onHup);
      process.stdout.off('error', onOutError);
    }
  }
}

/** PATH arguments as this machine's files to follow: a log file as itself, a directory as its current logs. */
async function localFiles(argv: string[]): Promise<Array<{ kind: LogKind; path: string }> | undefined> {
  if (!argv.length) return undefined;
  const out: Array<{ kind: LogKind; path: string }> = [];
  for (const a of argv) {
    const p = path.resolve(a);
    const st = await fs.stat(p).catch((err: NodeJS.ErrnoException) => {
      throw new UsageError(`${a}: ${err.code === 'ENOENT' ? 'no such file or directory' : `cannot read it (${err.code ?? err.message})`}`);
    });
    if (st.isDirectory()) {
      for (const kind of FOLLOWED_KINDS) out.push({ kind, path: path.join(p, fileNameOf(kind)) });
      continue;
    }
    const c = classifyFileName(path.basename(p));
    if (!c || !FOLLOWED_KINDS.includes(c.kind) || c.rotation.group !== 2) {
      throw new UsageError(`${a}: not a log watch follows; give ha.log, sms-info.log, mysqld.err or tpt_sms.txt (not a rotation), or a directory holding them`);
    }
    out.push({ kind: c.kind, path: p });
  }
  return out;
}
