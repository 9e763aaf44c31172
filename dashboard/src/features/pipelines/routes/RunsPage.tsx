// A pipeline's runs (live), starting a new one with trigger data, and its circuit breakers.
import { Link, useParams } from "react-router";
import { PageHeader, QueryView } from "@/components/states";
import { allows, useCan, useSession } from "@/lib/auth/session";
import { usePipeline } from "../api";
import { BreakersCard } from "../runs/components/BreakersCard";
import { RunsTable } from "../runs/components/RunsTable";
import { StartRunForm } from "../runs/components/StartRunForm";

export default function RunsPage() {
  const { id = "" } = useParams();
  const pipeline = usePipeline(id);
  const canRun = useCan("member");
  const user = useSession((s) => s.user);
  // Only the pipeline's owner and admins get its events; anyone else sees runs by polling.
  const seesEvents = allows(user, "admin") || (pipeline.data !== undefined && pipeline.data.owner_id === user?.id);

  return (
    <QueryView query={pipeline} what="Loading the pipeline">
      {(p) => (
        <>
          <PageHeader
            title={`Runs of ${p.name}`}
            description={`Version ${p.version} runs when you start one. Runs appear and change here as they happen.`}
            actions={
              <Link to={`/pipelines/${id}`} className="text-sm text-indigo-600 underline dark:text-indigo-400">
                Open the pipeline
              </Link>
            }
          />
          <div className="grid grid-cols-3 gap-4">
            <div className="col-span-2 min-w-0">
              <RunsTable pipelineId={id} poll={!seesEvents} />
            </div>
            <div className="flex min-w-0 flex-col gap-4">
              {canRun && <StartRunForm pipelineId={id} />}
              <BreakersCard pipelineId={id} />
            </div>
          </div>
        </>
      )}
    </QueryView>
  );
}
