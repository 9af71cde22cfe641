/** Levenshtein distance: how many single-character edits turn `a` into `b`. */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length];
}

/**
 * Up to `max` candidates a mistyped word probably meant: within two edits, or starting with it
 * (three letters at least), nearest first, then alphabetically.
 */
export function closest(input: string, candidates: Iterable<string>, max = 3): string[] {
  const q = input.trim().toLowerCase();
  return [...new Set(candidates)]
    .map((k) => ({ k, d: k.startsWith(q) && q.length >= 3 ? 0 : editDistance(q, k.toLowerCase()) }))
    .filter((x) => x.d <= 2)
    .sort((a, b) => a.d - b.d || (a.k < b.k ? -1 : a.k > b.k ? 1 : 0))
    .slice(0, max)
    .map((x) => x.k);
}
