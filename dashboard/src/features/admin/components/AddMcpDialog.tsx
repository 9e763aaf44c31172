// Registering an MCP server (POST /api/mcp-servers): a stdio command or an HTTP URL. The server
// is started or reached and its tools listed before anything is stored, so this can take a while
// and a 422 on `transport` carries the reason it could not be reached.
import { useState, type FormEvent } from "react";
import { ApiError, describeError } from "@/lib/api/errors";
import { Button, Select, TextArea, TextInput } from "@/components/ui";
import { notify } from "@/components/notices";
import { useCreateMcpServer } from "../api";
import { emptyMcpForm, mcpBody, type McpForm } from "../filters";
import { Dialog } from "./Dialog";

const serverField: Record<string, keyof McpForm> = { name: "name", timeout_ms: "timeoutMs", risk: "risk" };

export function AddMcpDialog({ onClose }: { onClose: () => void }) {
  const [form, setForm] = useState<McpForm>(emptyMcpForm);
  const [errors, setErrors] = useState<Partial<Record<keyof McpForm, string>>>({});
  const [general, setGeneral] = useState<string | null>(null);
  const create = useCreateMcpServer();
  const set = (field: keyof McpForm) => (e: { target: { value: string } }) => setForm((f) => ({ ...f, [field]: e.target.value }));

  async function submit(e: FormEvent) {
    e.preventDefault();
    setGeneral(null);
    const built = mcpBody(form);
    if (!built.ok) {
      setErrors({ [built.field]: built.message });
      return;
    }
    setErrors({});
    try {
      const server = await create.mutateAsync(built.body);
      notify(`Added ${server.name} with ${server.tools.length} tool(s).`);
      onClose();
    } catch (err) {
      const field = err instanceof ApiError ? err.field : undefined;
      if (field && serverField[field]) setErrors({ [serverField[field]]: describeError(err) });
      else if (err instanceof ApiError && err.status === 409) setErrors({ name: "This name is taken" });
      else setGeneral(describeError(err));
    }
  }

  return (
    <Dialog title="Add an MCP server" onClose={onClose}>
      <form onSubmit={(e) => void submit(e)} className="flex flex-col gap-3" noValidate>
        <TextInput label="Name" value={form.name} onChange={set("name")} error={errors.name} hint="Lower-case letters, digits and -; its tools are named name__tool." autoFocus />
        <Select label="Transport" value={form.kind} onChange={(e) => setForm((f) => ({ ...f, kind: e.target.value === "http" ? "http" : "stdio" }))}>
          <option value="stdio">stdio: a command the server starts</option>
          <option value="http">http: a URL it calls</option>
        </Select>
        {form.kind === "stdio" ? (
          <>
            <TextInput label="Command" value={form.command} onChange={set("command")} error={errors.command} placeholder="/usr/local/bin/mcp-files" />
            <TextArea label="Arguments" rows={3} value={form.args} onChange={set("args")} error={errors.args} hint="One per line, at most 20." />
            <TextArea label="Environment" rows={2} value={form.env} onChange={set("env")} error={errors.env} hint="NAME=value, one per line. Values are never shown again." />
          </>
        ) : (
          <TextInput label="URL" type="url" value={form.url} onChange={set("url")} error={errors.url} placeholder="https://mcp.example.org/" />
        )}
        <div className="grid grid-cols-2 gap-3">
          <Select label="Risk" value={form.risk} onChange={set("risk")} error={errors.risk}>
            <option value="">side_effects (default)</option>
            <option value="read_only">read_only</option>
            <option value="side_effects">side_effects</option>
            <option value="dangerous">dangerous</option>
          </Select>
          <TextInput label="Timeout (ms)" inputMode="numeric" value={form.timeoutMs} onChange={set("timeoutMs")} error={errors.timeoutMs} placeholder="30000" />
        </div>
        {general && (
          <p role="alert" className="text-sm text-red-600 dark:text-red-400">
            {general}
          </p>
        )}
        <div className="flex justify-end gap-2">
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" disabled={create.isPending}>
            {create.isPending ? "Connecting…" : "Add server"}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
