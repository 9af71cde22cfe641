import { Flags } from '@oclif/core';
import * as os from 'node:os';
import * as path from 'node:path';
import { UsageError } from '../errors';
import { DEFAULT_LOCATIONS } from '../sources/catalog';
import type { PathGlob } from '../sources/find';
import { roleOf } from '../sources/local';
import type { SshTarget } from '../sources/ssh';
import { splitNamed } from '../text/named';
import type { LogKind, Role } from '../types';

/** What a node may be called: it names a directory in the spool and in the bundle. */
const NODE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** The kinds that live in files on a node, and so can be given a --path. */
const KINDS = Object.keys(DEFAULT_LOCATIONS) as LogKind[];

/** The nodes and connection flags of the commands that reach nodes themselves (collect, watch). */
export const nodeFlags = {
  peer: Flags.string({ helpGroup: 'NODES', description: 'The other node, [NAME=]HOST (default name: secondary, and this node is primary).' }),
  host: Flags.string({ helpGroup: 'NODES', description: 'A node to reach over SSH, [NAME=]HOST (repeatable); this machine is then left out unless --local.', multiple: true }),
  local: Flags.boolean({ helpGroup: 'NODES', description: 'Include this machine (default: yes, unless --host is given).', allowNo: true }),
  'local-name': Flags.string({ helpGroup: 'NODES', description: 'Name of this machine (default: primary with --peer, else its host name).' }),
  user: Flags.string({ helpGroup: 'CONNECTION', description: 'SSH user.', default: 'root' }),
  key: Flags.string({ helpGroup: 'CONNECTION', description: 'SSH private key.', default: '/root/.ssh/sms-ha.rsa' }),
  port: Flags.integer({ helpGroup: 'CONNECTION', description: 'SSH port.', default: 22, min: 1, max: 65535 }),
  'known-hosts': Flags.string({ helpGroup: 'CONNECTION', description: 'known_hosts file to check host keys against.', default: path.join(os.homedir(), '.ssh', 'known_hosts') }),
  'connect-timeout': Flags.integer({ helpGroup: 'CONNECTION', description: 'Seconds a host may take to answer and log in before it counts as unreachable.', default: 10, min: 1 }),
  'stall-timeout': Flags.integer({ helpGroup: 'CONNECTION', description: 'Seconds without a byte before a file transfer is abandoned (and recorded as failed).', default: 30, min: 1 }),
  'accept-new-host-key': Flags.boolean({ helpGroup: 'CONNECTION', description: 'Record the key of a host not yet in known_hosts (a changed key is still refused).' }),
  path: Flags.string({ helpGroup: 'SELECTION', description: 'Where a kind of log lives, [NODE:]KIND=GLOB, e.g. ha=/var/log/ha.log* (repeatable; replaces the built-in locations).', multiple: true }),
};

export interface NodeFlagValues {
  peer?: string;
  host?: string[];
  local?: boolean;
  'local-name'?: string;
  user: string;
  key: string;
  port: number;
  'known-hosts': string;
  'connect-timeout': number;
  'stall-timeout': number;
  'accept-new-host-key'?: boolean;
  path?: string[];
}

/** `[NAME=]HOST` as a node; without NAME=, `fallback`. */
function named(v: string, fallback: string): { name: string; host: string } {
  const n = splitNamed(v);
  return n?.value ? { name: n.name, host: n.value } : { name: fallback, host: v };
}

/** The nodes the flags name: this machine (unless left out) first, then the hosts; names checked. */
export function nodesFrom(flags: NodeFlagValues, what: string): Array<{ name: string; role: Role; host?: string }> {
  const nodes: Array<{ name: string; role: Role; host?: string }> = [];
  const remote = [...(flags.peer ? [named(flags.peer, 'secondary')] : []), ...(flags.host ?? []).map((h) => named(h, h))];
  if (flags.local ?? !flags.host?.length) {
    const name = flags['local-name'] ?? (flags.peer ? 'primary' : os.hostname());
    nodes.push({ name, role: roleOf(name) });
  }
  for (const r of remote) nodes.push({ name: r.name, role: roleOf(r.name), host: r.host });
  // A node's name becomes a directory in the spool and the bundle: a plain name, never a path.
  for (const n of nodes) {
    if (!NODE_NAME.test(n.name)) throw new UsageError(`node name ${JSON.stringify(n.name)} (--local-name or NAME=HOST): use letters, digits, '.', '_' and '-' only, starting with a letter or digit`);
  }
  if (!nodes.length) throw new UsageError(`nothing to ${what}: give --peer HOST or --host HOST, or leave out --no-local`);
  if (new Set(nodes.map((n) => n.name)).size !== nodes.length) throw new UsageError(`two nodes share a name (${nodes.map((n) => n.name).join(', ')}); name them with NAME=HOST`);
  return nodes;
}

/** `--path [NODE:]KIND=GLOB` values. */
export function pathsFrom(values: readonly string[] | undefined): Array<{ node?: string; glob: PathGlob }> {
  return (values ?? []).map((p) => {
    const m = /^(?:([A-Za-z0-9_.-]+):)?([a-z-]+)=(.+)$/.exec(p);
    if (!m || !KINDS.includes(m[2] as LogKind)) throw new UsageError(`--path ${JSON.stringify(p)}: expected [NODE:]KIND=GLOB with KIND one of ${KINDS.join(', ')}`);
    return { node: m[1], glob: { kind: m[2] as LogKind, glob: m[3] } };
  });
}

/** How to reach a host, from the connection flags. */
export function sshFrom(flags: NodeFlagValues): Omit<SshTarget, 'host'> {
  return { port: flags.port, user: flags.user, keyFile: flags.key, knownHosts: flags['known-hosts'], acceptNewHostKey: !!flags['accept-new-host-key'], stallMs: flags['stall-timeout'] * 1000, readyTimeoutMs: flags['connect-timeout'] * 1000 };
}
