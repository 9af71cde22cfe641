'use strict';
// Loads dist/smsdiag.js as require() would, but keeps V8's compiled code between runs. Compiling
// the 2.2 MB bundle is about a third of a short command's start (measured in bench/RESULTS.md);
// V8 can hand back what it compiled and take it again next time. Node 22 offers this as
// module.enableCompileCache(); Node 20, which we support, has no such switch, so the launcher asks
// V8 itself through vm.Script. The single executable does not come here: it carries its own cache
// (useCodeCache in scripts/package.mjs).
//
// The cache is only ever a shortcut. Every failure to find, read, trust or write it falls back to
// compiling, silently: start-up must not depend on a file in the user's home.
const crypto = require('node:crypto');
const fs = require('node:fs');
const Module = require('node:module');
const os = require('node:os');
const path = require('node:path');
const vm = require('node:vm');

/** Caches kept per Node version: a checkout and an installed copy used in turn keep theirs. */
const KEEP = 3;
/** The digest in front of the cached data. V8 checks only the header of what it is given. */
const DIGEST = 'sha1';
const DIGEST_BYTES = 20;
const uid = typeof process.getuid === 'function' ? process.getuid() : undefined;

/** This user's, and writable by no one else (V8 runs what the file holds). */
function ours(st) {
  return (uid === undefined || st.uid === uid) && (st.mode & 0o022) === 0;
}

/**
 * The directory for cache files, or undefined when there is none to use: switched off, or not
 * private to this user. The directory and the one it is in must both be ours, so that no one else
 * can put a file there or put another directory in its place (root with another user's HOME
 * finds that user's directory and uses none).
 */
function cacheDir() {
  const off = process.env.SMSDIAG_NO_CODE_CACHE;
  if (off && off !== '0') return undefined;
  try {
    // As the XDG rules say, a relative XDG_CACHE_HOME is ignored.
    const xdg = process.env.XDG_CACHE_HOME;
    const base = xdg && path.isAbsolute(xdg) ? xdg : path.join(os.homedir(), '.cache');
    const dir = path.join(base, 'smsdiag');
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = fs.lstatSync(dir);
    return st.isDirectory() && ours(st) && ours(fs.statSync(base)) ? dir : undefined;
  } catch {
    return undefined;
  }
}

/** The cached data in `file`, if it is a plain file of ours whose digest matches; else undefined. */
function readCache(file) {
  let fd;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
    const st = fs.fstatSync(fd);
    if (!st.isFile() || !ours(st) || st.nlink !== 1 || st.size <= DIGEST_BYTES) return undefined;
    const all = fs.readFileSync(fd);
    const data = all.subarray(DIGEST_BYTES);
    return crypto.createHash(DIGEST).update(data).digest().equals(all.subarray(0, DIGEST_BYTES)) ? data : undefined;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** Runs `file` (a CommonJS bundle) and returns its exports, with the code cache when there is one. */
exports.load = function load(file) {
  const dir = cacheDir();
  // Without a cache to read or write, Node's own loader is a little faster than the way round.
  if (dir === undefined) return require(file);
  const bytes = fs.readFileSync(file);
  // V8 checks its own version and flags, but of the source only the length: the name carries a
  // digest of the bundle so that a rebuilt bundle never meets the code of the one before.
  const prefix = `${process.version}-${process.arch}-`;
  const name = `${prefix}${crypto.createHash(DIGEST).update(bytes).digest('hex').slice(0, 20)}.v8cache`;
  const cached = readCache(path.join(dir, name));
  const script = new vm.Script(Module.wrap(bytes.toString('utf8')), {
    filename: file,
    cachedData: cached,
    // oclif imports ES-module plugins with import(); a vm.Script has no loader for it unless asked.
    importModuleDynamically: vm.constants && vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  if (cached === undefined || script.cachedDataRejected) {
    // Written at exit, so that it also holds the functions this run compiled on the way.
    process.once('exit', () => save(dir, name, prefix, script));
  }
  const mod = new Module(file, module);
  mod.filename = file;
  mod.paths = Module._nodeModulePaths(path.dirname(file));
  script.runInThisContext()(mod.exports, Module.createRequire(file), mod, file, path.dirname(file));
  mod.loaded = true;
  return mod.exports;
};

/**
 * Writes the cache under a name of its own (created, never opened if it is there) and renames it,
 * so a reader never sees half a file; keeps this Node's KEEP newest caches, and drops what a run
 * that died while writing left.
 */
function save(dir, name, prefix, script) {
  // Code compiled after smsdiag changed V8's flags (src/heap.ts, for many files) carries them, and
  // an ordinary run would refuse it: such a run leaves the cache as it was.
  if (globalThis[Symbol.for('smsdiag.v8FlagsChanged')]) return;
  const partial = path.join(dir, `${name}.${process.pid}.${crypto.randomBytes(6).toString('hex')}.partial`);
  try {
    const data = script.createCachedData();
    fs.writeFileSync(partial, Buffer.concat([crypto.createHash(DIGEST).update(data).digest(), data]), { mode: 0o600, flag: 'wx' });
    fs.renameSync(partial, path.join(dir, name));
    const now = Date.now();
    const ofThisNode = [];
    for (const other of fs.readdirSync(dir)) {
      const at = path.join(dir, other);
      if (other.endsWith('.partial') && now - fs.lstatSync(at).mtimeMs > 3600_000) fs.rmSync(at, { force: true });
      else if (other.startsWith(prefix) && other.endsWith('.v8cache')) ofThisNode.push({ at, mtimeMs: other === name ? Infinity : fs.lstatSync(at).mtimeMs });
    }
    ofThisNode.sort((a, b) => b.mtimeMs - a.mtimeMs);
    for (const old of ofThisNode.slice(KEEP)) fs.rmSync(old.at, { force: true });
  } catch {
    fs.rmSync(partial, { force: true });
  }
}
