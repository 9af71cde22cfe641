/** A node name as typed on a command line: letters, digits, then also `.`, `_` and `-`. */
const NAMED = /^([A-Za-z0-9][A-Za-z0-9_.-]*)=(.*)$/s;

/**
 * `NAME=VALUE`, the form of every per-node value on the command line (`--tz secondary=+02:00`,
 * `--node primary=sms-a`, `secondary=./sms-b`, `--host primary=sms-a`); null when there is no
 * `NAME=` in front.
 */
export function splitNamed(text: string): { name: string; value: string } | null {
  const m = NAMED.exec(text);
  return m ? { name: m[1], value: m[2] } : null;
}
