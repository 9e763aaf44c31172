import { describe, expect, it } from "vitest";
import { parseSse, readSse, type SseMessage } from "./sse";

/** Feeds `chunks` one by one, as a network would, and collects every message. */
function feed(chunks: string[]): SseMessage[] {
  let rest = "";
  const out: SseMessage[] = [];
  chunks.forEach((chunk, i) => {
    const parsed = parseSse(rest, chunk, i === chunks.length - 1);
    rest = parsed.rest;
    out.push(...parsed.messages);
  });
  return out;
}

const stream =
  'event: started\ndata: {"type":"started","conversation_id":"c1","message_id":"m1"}\n\n' +
  ": keep-alive\n\n" +
  'event: delta\ndata: {"type":"delta","text":"Hel"}\n\n' +
  'event: delta\ndata: {"type":"delta","text":"lo é"}\n\n' +
  'event: completed\ndata: {"type":"completed","content":"Hello é"}\n\n';

const expected: SseMessage[] = [
  { event: "started", data: '{"type":"started","conversation_id":"c1","message_id":"m1"}' },
  { event: "delta", data: '{"type":"delta","text":"Hel"}' },
  { event: "delta", data: '{"type":"delta","text":"lo é"}' },
  { event: "completed", data: '{"type":"completed","content":"Hello é"}' },
];

describe("parseSse", () => {
  it("parses a whole stream in one chunk", () => {
    expect(feed([stream])).toEqual(expected);
  });

  it("gives the same messages whatever the split points", () => {
    for (let a = 0; a <= stream.length; a++) {
      for (let b = a; b <= stream.length; b += 7) {
        expect(feed([stream.slice(0, a), stream.slice(a, b), stream.slice(b)])).toEqual(expected);
      }
    }
  });

  it("splits one character at a time", () => {
    expect(feed([...stream])).toEqual(expected);
  });

  it("keeps a message until its blank line arrives", () => {
    const first = parseSse("", "event: delta\ndata: x\n");
    expect(first.messages).toEqual([]);
    const second = parseSse(first.rest, "\n");
    expect(second.messages).toEqual([{ event: "delta", data: "x" }]);
    expect(second.rest).toBe("");
  });

  it("joins multi-line data with newlines and drops one leading space only", () => {
    expect(feed(["data: line one\ndata:  indented\ndata:\ndata:last\n\n"])).toEqual([{ event: "message", data: "line one\n indented\n\nlast" }]);
  });

  it("skips comments, also between fields, and messages without data", () => {
    expect(feed([": hello\n\n", "event: ping\n\n", "event: a\n: note\ndata: 1\n\n"])).toEqual([{ event: "a", data: "1" }]);
  });

  it("accepts CRLF and CR line endings, even when a CRLF is split", () => {
    const crlf = "event: a\r\ndata: 1\r\n\r\nevent: b\rdata: 2\r\r";
    expect(feed([crlf])).toEqual([
      { event: "a", data: "1" },
      { event: "b", data: "2" },
    ]);
    expect(feed(["event: a\r", "\ndata: 1\r", "\n\r", "\n"])).toEqual([{ event: "a", data: "1" }]);
  });

  it("keeps the id and ignores unknown fields", () => {
    expect(feed(["id: 7\nretry: 100\nfoo: bar\ndata: x\n\n"])).toEqual([{ event: "message", data: "x", id: "7" }]);
  });

  it("dispatches the final event when the stream ends without a blank line", () => {
    const open = parseSse("", 'event: completed\ndata: {"type":"completed"}');
    expect(open.messages).toEqual([]);
    const end = parseSse(open.rest, "", true);
    expect(end.messages).toEqual([{ event: "completed", data: '{"type":"completed"}' }]);
    expect(end.rest).toBe("");
  });

  it("does not hold a lone CR at the end once the stream is done", () => {
    expect(parseSse("", "data: x\r", true).messages).toEqual([{ event: "message", data: "x" }]);
  });
});

describe("readSse", () => {
  it("reads a body whose bytes split inside a multi-byte character", async () => {
    const bytes = new TextEncoder().encode(stream);
    const cut = stream.indexOf("é") + 1; // between the two bytes of "é" (the string index is 1 less than the byte one)
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes.slice(0, cut));
        controller.enqueue(bytes.slice(cut, cut + 5));
        controller.enqueue(bytes.slice(cut + 5));
        controller.close();
      },
    });
    const out: SseMessage[] = [];
    for await (const message of readSse(body)) out.push(message);
    expect(out).toEqual(expected);
  });
});
