/** True inside the single executable (scripts/package.mjs), where no Node.js is installed. */
export function isSingleExecutable(): boolean {
  try {
    return (require('node:sea') as { isSea(): boolean }).isSea();
  } catch {
    // Node before 20.12 has no node:sea, and no single executables either.
    return false;
  }
}
