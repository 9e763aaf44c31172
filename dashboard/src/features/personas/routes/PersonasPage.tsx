// Personas: every persona (the ten shipped and those made here), searchable; members create one.
import { Link, useSearchParams } from "react-router";
import { useCan } from "@/lib/auth/session";
import { Card, TextInput } from "@/components/ui";
import { Empty, PageHeader, QueryView } from "@/components/states";
import { usePersonas } from "../api";
import { useDebounced } from "@/lib/useDebounced";

export default function PersonasPage() {
  const canCreate = useCan("member");
  const [params, setParams] = useSearchParams();
  const q = params.get("q") ?? "";
  const personas = usePersonas(useDebounced(q));

  return (
    <>
      <PageHeader
        title="Personas"
        description="Who an agent is: its role, traits, style and prompt, written as Markdown with YAML front matter."
        actions={
          canCreate && (
            <Link to="/personas/new" className="rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-indigo-500">
              New persona
            </Link>
          )
        }
      />
      <Card>
        <div className="mb-3 w-80">
          <TextInput
            label="Search personas"
            type="search"
            placeholder="Name or role"
            value={q}
            onChange={(e) =>
              setParams(
                (p) => {
                  if (e.target.value) p.set("q", e.target.value);
                  else p.delete("q");
                  return p;
                },
                { replace: true },
              )
            }
          />
        </div>
        <QueryView query={personas} what="Loading personas">
          {(list) => {
            const shown = list;
            if (list.length === 0 && q.trim()) return <Empty>No persona matches “{q}”.</Empty>;
            if (list.length === 0) return <Empty>No personas yet.</Empty>;
            return (
              <ul className="grid grid-cols-2 gap-3 xl:grid-cols-3" aria-label="Personas">
                {shown.map((p) => (
                  <li key={p.id} className="rounded-md border border-slate-200 p-3 dark:border-slate-800">
                    <Link to={`/personas/${p.id}`} className="font-medium text-indigo-700 underline-offset-2 hover:underline dark:text-indigo-300">
                      {p.display_name}
                    </Link>
                    <span className="ml-2 font-mono text-xs text-slate-500">{p.name}</span>
                    <p className="mt-1 line-clamp-2 text-sm text-slate-600 dark:text-slate-400">{p.role}</p>
                    <p className="mt-1 text-xs text-slate-500">{p.source_path ? `shipped: ${p.source_path}` : "made here"}</p>
                  </li>
                ))}
              </ul>
            );
          }}
        </QueryView>
      </Card>
    </>
  );
}
