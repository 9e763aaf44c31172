// Start a run with trigger data typed as JSON, checked before it is sent; then open the run.
import { useState, type FormEvent } from "react";
import { useNavigate } from "react-router";
import { Button, Card, TextArea } from "@/components/ui";
import { notify, notifyError } from "@/components/notices";
import { ApiError } from "@/lib/api/errors";
import { useStartRun } from "../api";
import { parseTriggerData } from "../format";

export function StartRunForm({ pipelineId }: { pipelineId: string }) {
  const [text, setText] = useState("{}");
  const [error, setError] = useState<string | undefined>();
  const start = useStartRun(pipelineId);
  const navigate = useNavigate();

  function submit(event: FormEvent) {
    event.preventDefault();
    const parsed = parseTriggerData(text);
    if (!parsed.ok) {
      setError(parsed.error);
      return;
    }
    setError(undefined);
    start.mutate(parsed.value, {
      onSuccess: (run) => {
        notify("Run started");
        void navigate(`/pipelines/${pipelineId}/runs/${run.id}`);
      },
      onError: (e) => {
        if (e instanceof ApiError && e.status === 422) setError(e.message);
        notifyError(e);
      },
    });
  }

  return (
    <Card title="Start a run">
      <form onSubmit={submit} className="flex flex-col gap-3" noValidate>
        <TextArea
          label="Trigger data (JSON)"
          hint="A JSON object: what the trigger node outputs."
          rows={6}
          spellCheck={false}
          value={text}
          error={error}
          onChange={(e) => {
            setText(e.target.value);
            if (error) setError(undefined);
          }}
        />
        <div>
          <Button type="submit" variant="primary" disabled={start.isPending}>
            {start.isPending ? "Starting…" : "Start run"}
          </Button>
        </div>
      </form>
    </Card>
  );
}
