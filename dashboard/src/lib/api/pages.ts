// Lists of the API are paged (`?limit=&cursor=`, docs/api.md); the dashboard's small lists read them whole.

type Page<T> = { items: T[]; next_cursor?: string | null };

/** Follows `next_cursor` to the end (lists here are small: at most `max` pages of 200). */
export async function allPages<T>(fetchPage: (cursor: string | undefined) => Promise<Page<T>>, max = 20): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < max; i++) {
    const page = await fetchPage(cursor);
    items.push(...page.items);
    if (!page.next_cursor) break;
    cursor = page.next_cursor;
  }
  return items;
}
