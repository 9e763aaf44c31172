// One circle: its purpose and settings, its agents and people, its discussions; owners (and
// admins) change them and archive the circle, participants start discussions.
import { useNavigate, useParams } from "react-router";
import { ConfirmButton } from "@/components/confirm";
import { notify, notifyError } from "@/components/notices";
import { useArchiveCircle } from "../api";
import { CircleFrame } from "../components/CircleFrame";
import { SettingsCard } from "../components/SettingsCard";
import { AgentMembers } from "../components/AgentMembers";
import { PeopleMembers } from "../components/PeopleMembers";
import { DiscussionsCard } from "../components/Discussions";

function ArchiveButton({ name }: { name: string }) {
  const archive = useArchiveCircle(name);
  const navigate = useNavigate();
  return (
    <ConfirmButton
      label="Archive"
      question={`Archive circle ${name}?`}
      confirmLabel="Archive"
      disabled={archive.isPending}
      // Through the promise, not mutate's callbacks: the refetched circle (archived) removes
      // this button, and mutate's callbacks are dropped when it unmounts.
      onConfirm={() =>
        void archive.mutateAsync().then(
          () => {
            notify(`Circle ${name} archived.`);
            void navigate("/circles?archived=1");
          },
          (e: unknown) => notifyError(e),
        )
      }
    />
  );
}

export default function CirclePage() {
  const { name = "" } = useParams();
  return (
    <CircleFrame name={name} actions={(c, can) => can.manage && <ArchiveButton name={c.name} />}>
      {(c, can) => (
        <div className="flex flex-col gap-4">
          <SettingsCard circle={c} canManage={can.manage} />
          <AgentMembers circle={c} canManage={can.manage} />
          <PeopleMembers circle={c} canManage={can.manage} />
          <DiscussionsCard circle={c} canStart={can.participate && c.agents.some((a) => a.role !== "observer")} />
        </div>
      )}
    </CircleFrame>
  );
}
