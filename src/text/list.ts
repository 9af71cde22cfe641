/** The first `max` items joined by `; `, and how many more there were: for one-sentence messages. */
export function firstFew(items: readonly string[], max = 3): string {
  return items.slice(0, max).join('; ') + (items.length > max ? `; and ${items.length - max} more` : '');
}
