// First run: the link `gathering serve` prints carries a one-time token in its fragment
// (never sent to the server in a URL); this page creates the first admin with it.
import { useEffect, useState, type FormEvent } from "react";
import { Link, useNavigate } from "react-router";
import { completeSetup } from "@/lib/auth/session";
import { ApiError, describeError } from "@/lib/api/errors";
import { Button, TextInput } from "@/components/ui";
import { Loading } from "@/components/states";

function tokenFromHash(hash: string): string | null {
  return new URLSearchParams(hash.replace(/^#/, "")).get("token");
}

export default function SetupPage() {
  const navigate = useNavigate();
  const [token] = useState(() => tokenFromHash(location.hash));
  const [open, setOpen] = useState<boolean | null>(null);
  const [form, setForm] = useState({ email: "", display_name: "", password: "", confirm: "" });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    // Keep the token out of the address bar and history once read.
    if (location.hash) history.replaceState(null, "", location.pathname);
    fetch("/api/setup")
      .then((r) => r.json() as Promise<{ open: boolean }>)
      .then((body) => setOpen(body.open && token !== null))
      .catch(() => setOpen(false));
  }, [token]);

  if (open === null) return <Loading what="Checking first-run setup" />;
  if (!open || !token)
    return (
      <main className="flex min-h-full items-center justify-center p-6">
        <div className="max-w-md rounded-lg border border-slate-200 bg-white p-6 dark:border-slate-800 dark:bg-slate-900">
          <h1 className="text-lg font-semibold">Setup is not available</h1>
          <p className="mt-2 text-sm text-slate-600 dark:text-slate-400">This server already has an administrator, or this link is not the one `gathering serve` printed. Sign in instead.</p>
          <Link to="/signin" className="mt-3 inline-block text-sm text-indigo-600 underline">
            Sign in
          </Link>
        </div>
      </main>
    );

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (form.password !== form.confirm) {
      setErrors({ confirm: "The passwords differ." });
      return;
    }
    setBusy(true);
    setErrors({});
    try {
      await completeSetup({ token: token ?? "", email: form.email, password: form.password, ...(form.display_name ? { display_name: form.display_name } : {}) });
      void navigate("/", { replace: true });
    } catch (err) {
      const field = err instanceof ApiError ? err.field : undefined;
      setErrors({ [field ?? "form"]: describeError(err) });
    } finally {
      setBusy(false);
    }
  }

  const set = (key: keyof typeof form) => (e: React.ChangeEvent<HTMLInputElement>) => setForm({ ...form, [key]: e.target.value });
  return (
    <main className="flex min-h-full items-center justify-center p-6">
      <form onSubmit={(e) => void submit(e)} className="flex w-full max-w-sm flex-col gap-4 rounded-lg border border-slate-200 bg-white p-6 shadow dark:border-slate-800 dark:bg-slate-900" aria-labelledby="setup-title">
        <h1 id="setup-title" className="text-xl font-semibold">
          Create the first administrator
        </h1>
        <p className="text-sm text-slate-600 dark:text-slate-400">This one-time link works until it is used or an administrator exists.</p>
        <TextInput label="Email" type="email" required value={form.email} onChange={set("email")} error={errors["email"]} />
        <TextInput label="Display name" value={form.display_name} onChange={set("display_name")} error={errors["display_name"]} />
        <TextInput label="Password" type="password" autoComplete="new-password" required minLength={12} hint="12 characters or more." value={form.password} onChange={set("password")} error={errors["password"]} />
        <TextInput label="Confirm password" type="password" autoComplete="new-password" required value={form.confirm} onChange={set("confirm")} error={errors["confirm"]} />
        {errors["form"] && (
          <p role="alert" className="text-sm text-red-600">
            {errors["form"]}
          </p>
        )}
        <Button type="submit" variant="primary" disabled={busy}>
          {busy ? "Creating…" : "Create administrator and sign in"}
        </Button>
      </form>
    </main>
  );
}
