// Trigger data is checked in the page: what is not a JSON object is never sent; a good one
// starts the run with exactly that data and opens it.
import { afterEach, describe, expect, it, vi } from "vitest";
import { cleanup, render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { MemoryRouter, Route, Routes } from "react-router";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { StartRunForm } from "./StartRunForm";

const post = vi.fn();

vi.mock("@/lib/api/client", () => ({
  api: { POST: (...args: unknown[]) => post(...args) },
  unwrap: async (call: Promise<{ data?: unknown }>) => (await call).data,
}));

afterEach(() => {
  cleanup();
  post.mockReset();
});

function wrap() {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <QueryClientProvider client={client}>
      <MemoryRouter initialEntries={["/pipelines/p1/runs"]}>
        <Routes>
          <Route path="/pipelines/:id/runs" element={<StartRunForm pipelineId="p1" />} />
          <Route path="/pipelines/:id/runs/:runId" element={<p>the run page</p>} />
        </Routes>
      </MemoryRouter>
    </QueryClientProvider>,
  );
}

describe("StartRunForm", () => {
  it("refuses what is not a JSON object without sending it", async () => {
    wrap();
    const field = screen.getByLabelText("Trigger data (JSON)");
    await userEvent.clear(field);
    await userEvent.type(field, "[[1, 2]");
    await userEvent.click(screen.getByRole("button", { name: "Start run" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("must be a JSON object");
    expect(field).toHaveAttribute("aria-invalid", "true");
    expect(post).not.toHaveBeenCalled();
  });

  it("sends the object and opens the new run", async () => {
    post.mockResolvedValue({ data: { id: "r1" } });
    wrap();
    const field = screen.getByLabelText("Trigger data (JSON)");
    await userEvent.clear(field);
    await userEvent.type(field, '{{"n": 7}');
    await userEvent.click(screen.getByRole("button", { name: "Start run" }));
    expect(await screen.findByText("the run page")).toBeInTheDocument();
    expect(post).toHaveBeenCalledWith("/api/pipelines/{id}/runs", { params: { path: { id: "p1" } }, body: { trigger_data: { n: 7 } } });
  });
});
