import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { Transcript } from "./Transcript";
import { emptyTranscript, type LiveTranscript } from "../transcript";
import type { DiscussionMessage } from "../wire";

const message = (m: Pick<DiscussionMessage, "id" | "seq" | "kind" | "speaker" | "content" | "turn" | "status"> & Partial<DiscussionMessage>): DiscussionMessage => ({
  mentions: [],
  prompt_tokens: 0,
  completion_tokens: 0,
  cost: 0,
  created_at: "2026-01-01T00:00:00Z",
  ...m,
});

describe("the transcript", () => {
  it("shows speakers, a timed-out turn as such, tokens, and the turn streaming", () => {
    const state: LiveTranscript = {
      messages: [
        message({ id: "1", seq: 1, kind: "prompt", speaker: "", content: "Build a bridge.", turn: null, status: "ok" }),
        message({ id: "2", seq: 2, kind: "agent", speaker: "ada", content: "Steel.", turn: 1, status: "ok", prompt_tokens: 30, completion_tokens: 4 }),
        message({ id: "3", seq: 3, kind: "agent", speaker: "bo", content: "", turn: 2, status: "timed_out" }),
      ],
      speaking: { turn: 3, speaker: "ada", agentId: "a", reason: "round_robin" },
      streams: { 3: { turn: 3, speaker: "ada", agentId: "a", text: "Or wood", tools: [{ id: "t", name: "recall", arguments: "{}", ok: true, result: "x" }], recalled: 0 } },
    };
    render(<Transcript state={state} />);
    const speakers = screen.getAllByTestId("message-speaker").map((e) => e.textContent);
    expect(speakers).toEqual(["prompt", "@ada", "@bo"]);
    expect(screen.getByText("34 tokens")).toBeInTheDocument();
    expect(screen.getByText("timed out")).toBeInTheDocument();
    expect(screen.getByText("No answer in time.")).toBeInTheDocument();
    expect(screen.getByTestId("streaming-text")).toHaveTextContent("Or wood");
    expect(screen.getByRole("list", { name: "Tool steps" })).toHaveTextContent("recall({}) ✓");
  });

  it("says when nothing was said yet", () => {
    render(<Transcript state={emptyTranscript} />);
    expect(screen.getByText("Nothing said yet.")).toBeInTheDocument();
  });
});
