// The two promises the pages make that a unit can check: a role below the page's gets the
// no-access message (not the page), and a new key's secret is shown once and gone on close.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { cleanup, render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { MemoryRouter } from "react-router";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { useSession, type User } from "@/lib/auth/session";
import { RequireRole } from "./Access";
import { CreateKeyDialog } from "./CreateKeyDialog";

const secret = "gk_" + "ab".repeat(32);
const post = vi.fn();

vi.mock("@/lib/api/client", () => ({
  api: { POST: (...args: unknown[]) => post(...args) },
  unwrap: async (call: Promise<{ data?: unknown; response: Response }>) => (await call).data,
}));

afterEach(cleanup);

// jsdom has <dialog> but not its modal methods.
HTMLDialogElement.prototype.showModal ??= function (this: HTMLDialogElement) {
  this.setAttribute("open", "");
};
HTMLDialogElement.prototype.close ??= function (this: HTMLDialogElement) {
  this.removeAttribute("open");
};

function signInAs(role: string) {
  const user: User = { id: "u1", email: "me@example.org", display_name: "Me", role, disabled: false, created_at: "2026-01-01T00:00:00Z" };
  useSession.setState({ status: "signed-in", user, notice: null });
}

function wrap(node: React.ReactNode) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <QueryClientProvider client={client}>
      <MemoryRouter>{node}</MemoryRouter>
    </QueryClientProvider>,
  );
}

describe("RequireRole", () => {
  it("shows the no-access message to a role below the page's", () => {
    signInAs("member");
    wrap(
      <RequireRole title="Users" needed="admin">
        <p>secret admin things</p>
      </RequireRole>,
    );
    expect(screen.getByText("You do not have access to this page")).toBeInTheDocument();
    expect(screen.getByText(/you are signed in as a member/)).toBeInTheDocument();
    expect(screen.queryByText("secret admin things")).toBeNull();
  });

  it("shows the page to the role it needs and above", () => {
    signInAs("admin");
    wrap(
      <RequireRole title="API keys" needed="member">
        <p>the page</p>
      </RequireRole>,
    );
    expect(screen.getByText("the page")).toBeInTheDocument();
  });
});

describe("CreateKeyDialog", () => {
  beforeEach(() => {
    post.mockReset();
    post.mockResolvedValue({
      data: { id: "k1", user_id: "u1", name: "ci", prefix: secret.slice(0, 11), role: "viewer", created_at: "2026-01-01T00:00:00Z", secret },
      response: new Response(null, { status: 201 }),
    });
  });

  function Harness() {
    const [open, setOpen] = useState(true);
    return open ? <CreateKeyDialog onClose={() => setOpen(false)} /> : <p>closed</p>;
  }

  it("offers no role above the creator's, shows the secret once, and forgets it on close", async () => {
    signInAs("member");
    const user = userEvent.setup();
    const { container } = wrap(<Harness />);
    const roleOptions = screen.getByLabelText("Role", { selector: "select" }).querySelectorAll("option");
    expect([...roleOptions].map((o) => o.value)).toEqual(["viewer", "member"]);

    await user.type(screen.getByLabelText("Name"), "ci");
    await user.selectOptions(screen.getByLabelText("Role", { selector: "select" }), "viewer");
    await user.click(screen.getByText("Create key"));

    expect(await screen.findByDisplayValue(secret)).toBeInTheDocument();
    expect(screen.getByText(/you will not see it again/)).toBeInTheDocument();
    expect(post).toHaveBeenCalledWith("/api/api-keys", { body: expect.objectContaining({ name: "ci", role: "viewer" }) });

    await user.click(screen.getByText("Done"));
    expect(await screen.findByText("closed")).toBeInTheDocument();
    expect(container.innerHTML).not.toContain(secret);
    expect(screen.queryByDisplayValue(secret)).toBeNull();
  });
});
