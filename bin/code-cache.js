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

/**
 * The directory for cache files, or undefined when there is none to use: switched off, or not
 * private to this user (V8 runs what the file holds, so a file others can write is not taken).
 */
function cacheDir() {
  if (process.env.SMSDIAG_NO_CODE_CACHE) return undefined;
  try {
    const dir = path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'smsdiag');
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = fs.statSync(dir);
    const uid = typeof process.getuid === 'function' ? process.getuid() : undefined;
    if (!st.isDirectory() || (uid !== undefined && st.uid !== uid) || (st.mode & 0o022) !== 0) return undefined;
    return dir;
  } catch {
    return undefined;
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
  const name = `${prefix}${crypto.createHash('sha1').update(bytes).digest('hex').slice(0, 20)}.v8cache`;
  let cached;
  try {
    cached = fs.readFileSync(path.join(dir, name));
  } catch {
    cached = undefined;
  }
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

/** Writes the cache under a temporary name and renames it, so a reader never sees half a file; drops this Node's caches of other builds. */
function save(dir, name, prefix, script) {
  const partial = path.join(dir, `${name}.${process.pid}.partial`);
  try {
    fs.writeFileSync(partial, script.createCachedData(), { mode: 0o600 });
    fs.renameSync(partial, path.join(dir, name));
    for (const other of fs.readdirSync(dir)) {
      if (other !== name && other.startsWith(prefix) && other.endsWith('.v8cache')) fs.rmSync(path.join(dir, other), { force: true });
    }
  } catch {
    fs.rmSync(partial, { force: true });
  }
}
