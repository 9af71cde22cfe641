/**
 * The program: oclif with every command compiled in. scripts/build.mjs bundles this file into
 * dist/smsdiag.js, which bin/run.js starts from a checkout or an npm install and which is the whole
 * of the single executable (scripts/package.mjs), so all three run the same code.
 */
import { execute, settings, type Interfaces } from '@oclif/core';
import * as path from 'node:path';
// Only what oclif reads; the bundle then changes with these fields and not with the scripts or deps.
import { description, name, oclif, version } from '../package.json';
import { COMMANDS } from '../commands';
import { isSingleExecutable } from '../src/cli/runtime';
import { EXIT } from '../src/errors';
import commandNotFound from '../commands/hooks/not-found';

// package.json's "oclif" section names the command table and the hook by path; oclif asks for
// them with require(), which the bundle's prologue (scripts/build.mjs) answers from here.
(globalThis as Record<symbol, unknown>)[Symbol.for('smsdiag.bundled')] = {
  'smsdiag:commands': { COMMANDS },
  'smsdiag:hooks/not-found': { default: commandNotFound },
};

// Commands are compiled in; oclif must never look for TypeScript sources or a tsconfig.json.
settings.enableAutoTranspile = false;

/** Runs one command line; `root` is where oclif keeps its notion of the install (never read for code). */
export function main(argv: string[], root: string): Promise<unknown> {
  const pjson = { name, version, description, oclif } as unknown as Interfaces.PJSON;
  // Node ends a process whose event loop has nothing left to wait on with status 0, even while a
  // command awaits something that can no longer happen: a success that did nothing, said by no one.
  const stranded = (): void => {
    process.stderr.write('smsdiag: internal error: the command stopped before it finished, with nothing left to wait for; please report this\n');
    process.exitCode = EXIT.bug;
  };
  process.once('beforeExit', stranded);
  return execute({ args: argv, loadOptions: { root, pjson } }).finally(() => process.removeListener('beforeExit', stranded));
}

// The single executable has no bin/run.js in front of it: start here.
if (isSingleExecutable()) void main(process.argv.slice(2), path.dirname(process.execPath));
