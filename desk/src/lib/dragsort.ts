// Reordering lists by dragging a row's handle with a pointer (mouse, touch
// or pen); the keyboard paths live with each list.

/** Where a dragged row lands: how many of the list's other rows have their middle above y. */
export function dropIndex(list: Element | null, y: number, dragged: number): number {
  let n = 0;
  Array.from(list?.children ?? []).forEach((row, i) => {
    if (i === dragged) return;
    const r = row.getBoundingClientRect();
    if (r.top + r.height / 2 < y) n++;
  });
  return n;
}
