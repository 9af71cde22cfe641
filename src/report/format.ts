/** `2017-10-12 13:48:02` (UTC, to the second) for table cells; `-` when unknown. */
export function shortTime(iso: string | undefined): string {
  if (!iso) return '-';
  return iso.slice(0, 19).replace('T', ' ');
}
