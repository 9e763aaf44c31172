import { describe, expect, it } from "vitest";
import { allPages } from "./pages";

describe("allPages", () => {
  it("follows next_cursor until a page has none", async () => {
    const pages: Record<string, { items: number[]; next_cursor: string | null }> = {
      start: { items: [1, 2], next_cursor: "a" },
      a: { items: [3], next_cursor: "b" },
      b: { items: [], next_cursor: null },
    };
    const asked: (string | undefined)[] = [];
    const items = await allPages(async (cursor) => {
      asked.push(cursor);
      return pages[cursor ?? "start"]!;
    });
    expect(items).toEqual([1, 2, 3]);
    expect(asked).toEqual([undefined, "a", "b"]);
  });

  it("stops after `max` pages", async () => {
    const items = await allPages(async () => ({ items: [0], next_cursor: "again" }), 3);
    expect(items).toEqual([0, 0, 0]);
  });
});
