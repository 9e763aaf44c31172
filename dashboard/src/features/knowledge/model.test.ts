import { describe, expect, it } from "vitest";
import { ApiError } from "@/lib/api/errors";
import { collectionBody, collectionErrors, emptyCollection, highlight, parseIds, queryTerms, size, uploadError } from "./model";

const marked = (text: string, query: string) =>
  highlight(text, query)
    .filter((s) => s.match)
    .map((s) => s.text);

describe("highlight", () => {
  it("marks the query's words, case-insensitively, and the words they start", () => {
    expect(marked("Deploys happen after the deployment review. deploy!", "deploy")).toEqual(["Deploys", "deployment", "deploy"]);
  });

  it("keeps the text whole: the segments join back to it", () => {
    const text = "Rollback: run `gathering rollback` within 10 minutes.\nThen tell #ops.";
    expect(
      highlight(text, "rollback ops minutes")
        .map((s) => s.text)
        .join(""),
    ).toBe(text);
  });

  it("does not mark inside words, stopwords or single letters", () => {
    expect(marked("the redeploy of a deploy", "the deploy a")).toEqual(["deploy"]);
    expect(queryTerms("What is the Rollback plan?")).toEqual(["rollback", "plan"]);
  });

  it("treats regular-expression characters in the query as text", () => {
    expect(marked("cost (usd) is $5.00", "(usd) $5.00 .*")).toEqual(["usd", "5", "00"]);
  });

  it("handles letters beyond ASCII", () => {
    expect(marked("Die Größe der Übersicht", "größe übersicht")).toEqual(["Größe", "Übersicht"]);
  });

  it("returns the text unmarked when the query has no words", () => {
    expect(highlight("plain", "   ")).toEqual([{ text: "plain", match: false }]);
    expect(highlight("", "x y")).toEqual([]);
  });
});

describe("uploads", () => {
  it("says why a file was refused", () => {
    expect(uploadError(new ApiError(413, "payload_too_large", "the limit is 10 MiB"))).toBe("Too large: the limit is 10 MiB");
    expect(uploadError(new ApiError(415, "unsupported_media_type", "image/png is not supported"))).toMatch(/^Unsupported file type: image\/png/);
    expect(uploadError(new ApiError(422, "invalid_document", "the PDF is damaged"))).toBe("Could not read the document: the PDF is damaged");
    expect(uploadError(new ApiError(403, "forbidden", "not yours"))).toBe("Not allowed: not yours");
  });

  it("writes sizes for people", () => {
    expect(size(512)).toBe("512 B");
    expect(size(1536)).toBe("1.5 KB");
    expect(size(5 * 1024 * 1024)).toBe("5.0 MB");
    expect(size(300 * 1024)).toBe("300 KB");
  });
});

describe("the collection form", () => {
  it("checks the name as the server does", () => {
    expect(collectionErrors({ ...emptyCollection, name: "team-handbook.v2" })).toEqual({});
    expect(collectionErrors({ ...emptyCollection, name: "Team" }).name).toBeDefined();
    expect(collectionErrors({ ...emptyCollection, name: "-x" }).name).toBeDefined();
    expect(collectionErrors({ ...emptyCollection, name: "a".repeat(64) }).name).toBeDefined();
  });

  it("shares only a user collection", () => {
    expect(collectionBody({ name: " docs ", description: "", scope: "user", sharedWith: ["u2"] })).toEqual({ name: "docs", scope: "user", shared_with: ["u2"] });
    expect(collectionBody({ name: "docs", description: "All of it", scope: "global", sharedWith: ["u2"] })).toEqual({ name: "docs", scope: "global", description: "All of it" });
  });

  it("reads typed ids", () => {
    expect(parseIds("a, b\nb  c")).toEqual(["a", "b", "c"]);
  });
});
