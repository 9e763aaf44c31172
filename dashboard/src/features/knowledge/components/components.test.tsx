// A citation marks the query's words with <mark> and shows its heading path, and text that looks
// like HTML stays text; an upload of several files reports each file's outcome or refusal.
import { afterEach, describe, expect, it, vi } from "vitest";
import { cleanup, render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { MemoryRouter } from "react-router";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { ApiError } from "@/lib/api/errors";
import type { KnowledgeHit } from "../api";
import { Citation } from "./Citation";
import { UploadControl } from "./UploadControl";

// jsdom's FormData and File are not Node's, so the multipart request itself is the browser
// tests' to check; here the upload function answers as the server would.
const upload = vi.fn<(collection: string, file: File) => Promise<unknown>>();

vi.mock("../api", async (original) => ({
  ...(await original<typeof import("../api")>()),
  uploadFile: (collection: string, file: File) => upload(collection, file),
}));

afterEach(() => {
  cleanup();
  upload.mockReset();
});

function wrap(node: React.ReactNode) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <QueryClientProvider client={client}>
      <MemoryRouter>{node}</MemoryRouter>
    </QueryClientProvider>,
  );
}

const hit: KnowledgeHit = {
  chunk_id: "k1",
  document_id: "d1",
  document_name: "runbook.md",
  collection_id: "c1",
  collection_name: "ops",
  position: 2,
  heading_path: ["Runbook", "Rollback"],
  content: "To roll back a <b>deploy</b>, run the Rollback script. Deployments log to #ops.",
  score: 0.0325,
  similarity: 0.71,
  semantic_rank: 1,
  keyword_rank: 3,
};

describe("Citation", () => {
  it("cites document, headings and position, and marks the query's words", () => {
    wrap(
      <ol>
        <Citation hit={hit} query="rollback deploy" />
      </ol>,
    );
    const citation = screen.getByTestId("citation");
    expect(within(citation).getByTestId("citation-document")).toHaveTextContent("runbook.md");
    expect(within(citation).getByRole("navigation", { name: "Heading path" })).toHaveTextContent("Runbook›Rollback");
    expect(citation).toHaveTextContent("chunk 3");
    expect(citation).toHaveTextContent("score 0.033");
    expect(citation).toHaveTextContent("semantic #1");
    expect(citation).toHaveTextContent("keyword #3");
    const marks = citation.querySelectorAll("mark");
    expect([...marks].map((m) => m.textContent)).toEqual(["deploy", "Rollback", "Deployments"]);
    // The chunk's markup-looking text is text, not elements.
    expect(citation.querySelector("b")).toBeNull();
    expect(citation).toHaveTextContent("<b>deploy</b>");
  });
});

const refused = (status: number, code: string, message: string) => new ApiError(status, code, message);

const doc = (name: string, chunks: number) => ({
  id: `d-${name}`,
  collection_id: "c1",
  name,
  content_type: "text/markdown",
  bytes: 10,
  sha256: "00",
  chunk_count: chunks,
  embedded_chunks: 0,
  uploaded_by: "u1",
  created_at: "2026-01-01T00:00:00Z",
  updated_at: "2026-01-01T00:00:00Z",
});

describe("UploadControl", () => {
  it("uploads each file on its own and reports each outcome or refusal", async () => {
    const names: string[] = [];
    upload.mockImplementation(async (collection, file) => {
      expect(collection).toBe("ops");
      names.push(file.name);
      if (file.name === "guide.md") return { documents: [{ document: doc("guide.md", 4), outcome: "ingested" }] };
      if (file.name === "same.txt") return { documents: [{ document: doc("same.txt", 1), outcome: "unchanged" }] };
      if (file.name === "huge.pdf") throw refused(413, "payload_too_large", "the limit is 10 MiB");
      if (file.name === "broken.pdf") throw refused(422, "invalid_document", "no text could be read");
      throw refused(415, "unsupported_media_type", "image/png is not a document type");
    });
    wrap(<UploadControl collection="ops" />);
    const files = [
      new File(["# Guide"], "guide.md", { type: "text/markdown" }),
      new File(["same"], "same.txt", { type: "text/plain" }),
      new File(["x"], "huge.pdf", { type: "application/pdf" }),
      new File(["x"], "broken.pdf", { type: "application/pdf" }),
      new File(["x"], "logo.png", { type: "image/png" }),
    ];
    const user = userEvent.setup({ applyAccept: false });
    await user.upload(screen.getByLabelText("Documents to upload"), files);
    await user.click(screen.getByRole("button", { name: "Upload 5 files" }));

    const rows = await screen.findAllByTestId("upload-row");
    const row = (name: string) => rows.find((r) => r.textContent?.includes(name)) as HTMLElement;
    await within(row("logo.png")).findByRole("alert");
    expect(row("guide.md")).toHaveTextContent("ingested · 4 chunks");
    expect(row("same.txt")).toHaveTextContent("unchanged");
    expect(within(row("huge.pdf")).getByRole("alert")).toHaveTextContent("Too large: the limit is 10 MiB");
    expect(within(row("broken.pdf")).getByRole("alert")).toHaveTextContent("Could not read the document: no text could be read");
    expect(within(row("logo.png")).getByRole("alert")).toHaveTextContent("Unsupported file type");
    expect(names).toEqual(["guide.md", "same.txt", "huge.pdf", "broken.pdf", "logo.png"]);
  });
});
