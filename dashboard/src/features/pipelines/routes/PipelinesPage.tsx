// The pipelines: name, status, version, owner and when each last changed, with a search, and
// "New pipeline" for members and admins. Live: pipeline.* events refresh the list.
import { useEffect, useState } from "react";
import { Link } from "react-router";
import { Badge, Button, Card, TextInput } from "@/components/ui";
import { Empty, PageHeader, QueryView } from "@/components/states";
import { useCan, useSession } from "@/lib/auth/session";
import { usePipelines, useUserEmails, type StoredPipeline } from "../api";

function when(ts: string): string {
  const d = new Date(ts);
  return Number.isNaN(d.getTime()) ? ts : d.toLocaleString();
}

export default function PipelinesPage() {
  const [search, setSearch] = useState("");
  const [q, setQ] = useState("");
  useEffect(() => {
    const timer = setTimeout(() => setQ(search.trim()), 250);
    return () => clearTimeout(timer);
  }, [search]);
  const pipelines = usePipelines(q);
  const canCreate = useCan("member");
  const isAdmin = useCan("admin");
  const me = useSession((s) => s.user?.id);
  const emails = useUserEmails(isAdmin);

  const owner = (p: StoredPipeline) => (p.owner_id === me ? "you" : (emails.data?.get(p.owner_id) ?? p.owner_id.slice(0, 8)));

  return (
    <>
      <PageHeader
        title="Pipelines"
        description="DAGs of agents, conditions, transforms and actions. Open one to edit it on the canvas."
        actions={
          canCreate && (
            <Link to="/pipelines/new" className="rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-indigo-500">
              New pipeline
            </Link>
          )
        }
      />
      <Card>
        <div className="mb-3 max-w-sm">
          <TextInput label="Search pipelines" type="search" value={search} onChange={(e) => setSearch(e.target.value)} placeholder="Name or description" />
        </div>
        <QueryView query={pipelines} what="Loading pipelines">
          {({ items, hasMore }) => {
            const shown = items;
            if (items.length === 0 && q) return <Empty>No pipeline matches “{q}”.</Empty>;
            if (items.length === 0) return <Empty>No pipelines yet.{canCreate && " Create one with “New pipeline”."}</Empty>;
            return (
              <>
                <table className="w-full text-left text-sm">
                  <thead className="border-b border-slate-200 text-xs text-slate-500 uppercase dark:border-slate-700">
                    <tr>
                      <th className="py-2 pr-3 font-medium">Name</th>
                      <th className="py-2 pr-3 font-medium">Status</th>
                      <th className="py-2 pr-3 font-medium">Version</th>
                      <th className="py-2 pr-3 font-medium">Owner</th>
                      <th className="py-2 font-medium">Updated</th>
                    </tr>
                  </thead>
                  <tbody className="divide-y divide-slate-100 dark:divide-slate-800" data-testid="pipelines">
                    {shown.map((p) => (
                      <tr key={p.id}>
                        <td className="py-2 pr-3">
                          <Link to={`/pipelines/${p.id}`} className="font-medium text-indigo-700 hover:underline dark:text-indigo-300">
                            {p.name}
                          </Link>
                          {p.description && <div className="max-w-md truncate text-xs text-slate-500">{p.description}</div>}
                        </td>
                        <td className="py-2 pr-3">
                          <Badge tone={p.status === "active" ? "completed" : undefined}>{p.status}</Badge>
                        </td>
                        <td className="py-2 pr-3 tabular-nums">v{p.version}</td>
                        <td className="py-2 pr-3">{owner(p)}</td>
                        <td className="py-2 text-slate-600 dark:text-slate-400">{when(p.updated_at)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
                {hasMore && (
                  <div className="mt-3">
                    <Button onClick={() => void pipelines.fetchNextPage()} disabled={pipelines.isFetchingNextPage}>
                      {pipelines.isFetchingNextPage ? "Loading…" : "Load more"}
                    </Button>
                  </div>
                )}
              </>
            );
          }}
        </QueryView>
      </Card>
    </>
  );
}
