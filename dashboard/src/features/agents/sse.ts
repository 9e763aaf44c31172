// A Server-Sent Events parser as a pure function: the text received so far that did not yet
// make a whole message, plus a new chunk, gives the whole messages and what is left over.
// Chunks may split anywhere (inside a field, a line ending, or a multi-byte character: decode
// with TextDecoder's `stream: true` before calling this). Follows the HTML event-stream rules:
// `data:` lines join with "\n", one space after the colon is dropped, lines starting with ":"
// are comments, a message without data is not dispatched, CR, LF and CRLF all end a line.

export type SseMessage = { event: string; data: string; id?: string };

export type SseParse = { messages: SseMessage[]; rest: string };

/**
 * Parses `rest + chunk`. With `done` (the stream ended), a last message not followed by a blank
 * line is dispatched too, instead of being kept for later.
 */
export function parseSse(rest: string, chunk: string, done = false): SseParse {
  let text = rest + chunk;
  // A CR at the very end may be the first half of a CRLF: keep it until the next chunk.
  let held = "";
  if (!done && text.endsWith("\r")) {
    held = "\r";
    text = text.slice(0, -1);
  }
  text = text.replace(/\r\n?/g, "\n");
  const blocks = text.split("\n\n");
  // The last block has not seen its blank line yet (it is "" when the text ended with one).
  const pending = blocks.pop() ?? "";
  const messages: SseMessage[] = [];
  for (const block of blocks) {
    const message = parseBlock(block);
    if (message) messages.push(message);
  }
  if (done) {
    const last = parseBlock(pending);
    if (last) messages.push(last);
    return { messages, rest: "" };
  }
  return { messages, rest: pending + held };
}

function parseBlock(block: string): SseMessage | null {
  let event = "message";
  let id: string | undefined;
  const data: string[] = [];
  let sawData = false;
  for (const line of block.split("\n")) {
    if (line === "" || line.startsWith(":")) continue;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "data") {
      data.push(value);
      sawData = true;
    } else if (field === "event") {
      event = value;
    } else if (field === "id") {
      id = value;
    }
    // `retry` and unknown fields are ignored.
  }
  if (!sawData) return null;
  return id === undefined ? { event, data: data.join("\n") } : { event, data: data.join("\n"), id };
}

/** Every message of a response body, as it arrives. */
export async function* readSse(body: ReadableStream<Uint8Array>): AsyncGenerator<SseMessage> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let rest = "";
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) {
        const parsed = parseSse(rest, decoder.decode(), true);
        yield* parsed.messages;
        return;
      }
      const parsed = parseSse(rest, decoder.decode(value, { stream: true }));
      rest = parsed.rest;
      yield* parsed.messages;
    }
  } finally {
    reader.releaseLock();
  }
}
