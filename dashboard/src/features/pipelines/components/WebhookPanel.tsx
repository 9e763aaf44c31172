// The pipeline's webhook (owners and admins): its URL, and a new secret on demand, shown once
// with a copy button (POST /api/pipelines/{id}/webhook-secret).
import { useState } from "react";
import { Badge, Button } from "@/components/ui";
import { notify, notifyError } from "@/components/notices";
import { useRotateWebhook, type StoredPipeline } from "../api";

async function copy(text: string, what: string): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
    notify(`${what} copied`);
  } catch (error) {
    notifyError(error);
  }
}

export function WebhookPanel({ pipeline }: { pipeline: StoredPipeline }) {
  const rotate = useRotateWebhook(pipeline.id);
  const [secret, setSecret] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const url = `${location.origin}/api/pipelines/${pipeline.id}/webhook`;

  const make = () => {
    setConfirming(false);
    rotate.mutate(undefined, {
      onSuccess: (s) => {
        setSecret(s.secret);
        notify("New webhook secret made");
      },
      onError: notifyError,
    });
  };

  return (
    <div className="flex flex-col gap-3 text-sm">
      <div>
        <div className="text-xs font-medium text-slate-500">Webhook URL (POST, secret in X-Gathering-Webhook-Secret)</div>
        <div className="flex items-center gap-2">
          <code className="min-w-0 flex-1 truncate rounded bg-slate-100 px-1 py-0.5 text-xs dark:bg-slate-800" data-testid="webhook-url">
            {url}
          </code>
          <Button className="px-2 py-1 text-xs" aria-label="Copy webhook URL" onClick={() => void copy(url, "URL")}>
            Copy
          </Button>
        </div>
      </div>
      <p className="flex items-center gap-2">
        <Badge tone={pipeline.webhook_enabled || secret ? "completed" : undefined}>{pipeline.webhook_enabled || secret ? "secret set" : "no secret"}</Badge>
        <span className="text-xs text-slate-500">{pipeline.webhook_enabled || secret ? "Calls with the secret start runs." : "The webhook refuses every call until a secret is made."}</span>
      </p>
      {secret && (
        <div role="status" className="rounded-md border border-amber-300 bg-amber-50 p-2 dark:border-amber-700 dark:bg-amber-950">
          <div className="text-xs font-medium">The secret, shown only now:</div>
          <div className="flex items-center gap-2">
            <code className="min-w-0 flex-1 truncate text-xs" data-testid="webhook-secret">
              {secret}
            </code>
            <Button className="px-2 py-1 text-xs" aria-label="Copy webhook secret" onClick={() => void copy(secret, "Secret")}>
              Copy
            </Button>
          </div>
        </div>
      )}
      {confirming ? (
        <div role="alertdialog" aria-label="Replace the webhook secret" className="flex flex-col gap-2 rounded-md border border-slate-300 p-2 dark:border-slate-600">
          <p className="text-xs">The current secret stops working at once. Make a new one?</p>
          <div className="flex gap-2">
            <Button variant="danger" onClick={make}>
              Replace secret
            </Button>
            <Button onClick={() => setConfirming(false)}>Cancel</Button>
          </div>
        </div>
      ) : (
        <Button variant="secondary" disabled={rotate.isPending} onClick={() => (pipeline.webhook_enabled || secret ? setConfirming(true) : make())}>
          {pipeline.webhook_enabled || secret ? "Rotate secret" : "Make a secret"}
        </Button>
      )}
    </div>
  );
}
