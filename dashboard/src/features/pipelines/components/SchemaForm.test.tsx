import { afterEach, describe, expect, it, vi } from "vitest";
import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { SchemaForm } from "./SchemaForm";

const schema = {
  type: "object",
  required: ["task"],
  properties: {
    mode: { enum: ["fast", "slow"] },
    limit: { type: "integer" },
    wait: { type: "boolean" },
    approvers: { type: "array", items: { type: "string" } },
    headers: { type: "object", additionalProperties: { type: "string" } },
    task: { type: "string", description: "what to do" },
  },
};

afterEach(cleanup);

describe("SchemaForm", () => {
  it("renders a control per property, required first, and reports typed values", () => {
    const onChange = vi.fn();
    render(<SchemaForm schema={schema} value={{ task: "x", extra: 1 }} onChange={onChange} />);
    const labels = [...document.querySelectorAll("label")].map((l) => l.textContent);
    expect(labels).toEqual(["task", "mode", "limit", "wait", "approvers", "headers", "extra (not in the schema)"]);
    expect(screen.getByText(/required · what to do/)).toBeInTheDocument();

    fireEvent.change(screen.getByLabelText("mode"), { target: { value: "slow" } });
    expect(onChange).toHaveBeenLastCalledWith({ task: "x", extra: 1, mode: "slow" });
    fireEvent.change(screen.getByLabelText("limit"), { target: { value: "3" } });
    expect(onChange).toHaveBeenLastCalledWith({ task: "x", extra: 1, limit: 3 });
    fireEvent.change(screen.getByLabelText("wait"), { target: { value: "false" } });
    expect(onChange).toHaveBeenLastCalledWith({ task: "x", extra: 1, wait: false });
    fireEvent.change(screen.getByLabelText("approvers"), { target: { value: "a@x.org\nb@x.org" } });
    expect(onChange).toHaveBeenLastCalledWith({ task: "x", extra: 1, approvers: ["a@x.org", "b@x.org"] });
    fireEvent.change(screen.getByLabelText("headers"), { target: { value: '{"a": "b"}' } });
    expect(onChange).toHaveBeenLastCalledWith({ task: "x", extra: 1, headers: { a: "b" } });
    fireEvent.change(screen.getByLabelText("task"), { target: { value: "" } });
    expect(onChange).toHaveBeenLastCalledWith({ extra: 1 });
  });

  it("keeps a bad number or JSON out of the value and says why", () => {
    const onChange = vi.fn();
    render(<SchemaForm schema={schema} value={{}} onChange={onChange} />);
    fireEvent.change(screen.getByLabelText("limit"), { target: { value: "1.5" } });
    fireEvent.change(screen.getByLabelText("headers"), { target: { value: "{" } });
    expect(onChange).not.toHaveBeenCalled();
    expect(screen.getByText("a whole number")).toBeInTheDocument();
    expect(screen.getByText("not valid JSON yet")).toBeInTheDocument();
  });

  it("is read only when asked", () => {
    render(<SchemaForm schema={schema} value={{ mode: "fast" }} readOnly onChange={() => {}} />);
    expect(screen.getByLabelText("mode")).toBeDisabled();
    expect(screen.getByLabelText("task")).toHaveAttribute("readonly");
  });
});
