/** `2017-10-12 13:48:02` (UTC, to the second) for table cells; `-` when unknown. */
export function shortTime(iso: string | undefined): string {
  if (!iso) return '-';
  return iso.slice(0, 19).replace('T', ' ');
}

/** cli-table3 settings for a borderless, uncoloured table: easy to read and to grep, same bytes on a terminal or not. */
export const BORDERLESS = {
  chars: {
    top: '', 'top-mid': '', 'top-left': '', 'top-right': '', bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '',
    left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '', middle: '  ',
  },
  style: { head: [] as string[], border: [] as string[], 'padding-left': 0, 'padding-right': 0 },
};

/** Column gap of BORDERLESS tables. */
export const GAP = 2;

/** cli-table3 pads every cell; trailing blanks only make diffs noisy. */
export function trimRight(s: string): string {
  return s.replace(/[ ]+$/gm, '');
}
