// The form that creates a user (POST /api/users): all four fields are required; a 422 names
// the field it refuses, shown under that field.
import { useState, type FormEvent } from "react";
import { ApiError, describeError } from "@/lib/api/errors";
import type { Role } from "@/lib/auth/session";
import { Button, Select, TextInput } from "@/components/ui";
import { notify } from "@/components/notices";
import { roles } from "../access";
import { useCreateUser } from "../api";
import { Dialog } from "./Dialog";

type Form = { email: string; display_name: string; role: Role; password: string };
type FieldName = keyof Form;

export function CreateUserDialog({ onClose }: { onClose: () => void }) {
  const [form, setForm] = useState<Form>({ email: "", display_name: "", role: "member", password: "" });
  const [errors, setErrors] = useState<Partial<Record<FieldName, string>>>({});
  const [general, setGeneral] = useState<string | null>(null);
  const create = useCreateUser();

  const set = (field: FieldName) => (e: { target: { value: string } }) => setForm((f) => ({ ...f, [field]: e.target.value }));

  async function submit(e: FormEvent) {
    e.preventDefault();
    const local: Partial<Record<FieldName, string>> = {};
    if (!form.email.trim()) local.email = "An email is required";
    if (!form.display_name.trim()) local.display_name = "A display name is required";
    if (form.password.length < 12) local.password = "At least 12 characters";
    setErrors(local);
    setGeneral(null);
    if (Object.keys(local).length) return;
    try {
      const user = await create.mutateAsync({ ...form, email: form.email.trim(), display_name: form.display_name.trim() });
      notify(`Created ${user.email} (${user.role}).`);
      onClose();
    } catch (err) {
      const field = err instanceof ApiError ? err.field : undefined;
      if (field && field in form) setErrors({ [field]: describeError(err) });
      else if (err instanceof ApiError && err.status === 409) setErrors({ email: "A user with this email exists" });
      else setGeneral(describeError(err));
    }
  }

  return (
    <Dialog title="New user" onClose={onClose}>
      <form onSubmit={(e) => void submit(e)} className="flex flex-col gap-3" noValidate>
        <TextInput label="Email" type="email" autoComplete="off" required value={form.email} onChange={set("email")} error={errors.email} autoFocus />
        <TextInput label="Display name" required value={form.display_name} onChange={set("display_name")} error={errors.display_name} />
        <Select label="Role" value={form.role} onChange={set("role")} error={errors.role}>
          {roles.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </Select>
        <TextInput
          label="Initial password"
          type="password"
          autoComplete="new-password"
          required
          value={form.password}
          onChange={set("password")}
          error={errors.password}
          hint="12 characters or more. Give it to them privately; they can sign in with it at once."
        />
        {general && (
          <p role="alert" className="text-sm text-red-600 dark:text-red-400">
            {general}
          </p>
        )}
        <div className="flex justify-end gap-2">
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" disabled={create.isPending}>
            {create.isPending ? "Creating…" : "Create user"}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
