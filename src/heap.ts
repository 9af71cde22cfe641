import { setFlagsFromString } from 'node:v8';

/**
 * An input of more log files than this is read as "many files": in one thread (cli/flags.ts,
 * threadsFor) and with the heap kept close to what is live (manyFilesHeap).
 */
export const MANY_FILES = 10_000;

/**
 * V8's collector, for many files: the old generation grows 30 % past what was live at the last
 * full collection before the next (by default up to 4 times, `--trace-gc-verbose`: "factor 4.0"),
 * and the young generation stays the size it has (by default it doubles up to 16 MiB a half).
 */
const MANY_FILES_V8_FLAGS = ['--heap-growing-percent=30', '--semi-space-growth-factor=1'];

/**
 * Set on the global object once the flags are changed: V8 stamps compiled code with its flags,
 * and code compiled under these would be refused by every ordinary run, so bin/code-cache.js
 * does not save it (the launcher is plain JavaScript, outside the bundle: a symbol in the global
 * registry is what both can see).
 */
const V8_FLAGS_CHANGED = Symbol.for('smsdiag.v8FlagsChanged');

let tightened = false;

/**
 * For an input of many files, from the moment a listing finds more than MANY_FILES. What such a
 * run holds is a record or two per file (a bundle of 200,000 one-line members: 55 MB once read,
 * 65 MB while its inventory is made), and by default V8 let the garbage around it grow to several
 * times that before collecting it: analyze peaked at 243-273 MiB, timeline --all at 402-405 MiB.
 * With these flags: 169-174 MiB and 179-192 MiB, in the same time (more collections, each short).
 *
 * Process-wide and for the rest of the run, which is why it waits for many files: on a few large
 * files the default does better (the 200 rotations' timeline in two threads ran 48 full
 * collections instead of 1 with the first flag, each promoting what was young: +30 MB), and such
 * a run reads in one thread (threadsFor). Set once, as early as the listing allows: a full
 * collection during a bundle's open sets the limit the rest lives under.
 */
export function manyFilesHeap(): void {
  if (tightened) return;
  tightened = true;
  for (const flag of MANY_FILES_V8_FLAGS) setFlagsFromString(flag);
  (globalThis as Record<symbol, unknown>)[V8_FLAGS_CHANGED] = true;
}

/** Whether manyFilesHeap has run in this process: the run reads many files. */
export function heapTightened(): boolean {
  return tightened;
}
