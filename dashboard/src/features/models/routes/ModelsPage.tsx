// Models: the registry (providers and models; admins edit it, everyone else reads it) and the
// usage ledger as a chart over a range.
import { useCan } from "@/lib/auth/session";
import { PageHeader } from "@/components/states";
import { useModels, useProviders } from "../api";
import { ProvidersCard } from "../components/ProvidersCard";
import { ModelsCard } from "../components/ModelsCard";
import { UsageCard } from "../components/UsageCard";

export default function ModelsPage() {
  const admin = useCan("admin");
  const providers = useProviders();
  const models = useModels();
  const count = (provider: string) => models.data?.filter((m) => m.provider === provider).length ?? 0;
  return (
    <>
      <PageHeader
        title="Models"
        description={admin ? "Where models run, what clients may call, and what it costs." : "Where models run and what clients may call (read-only: admins change the registry)."}
      />
      <div className="flex flex-col gap-4">
        <ModelsCard admin={admin} providers={providers.data ?? []} />
        <ProvidersCard admin={admin} modelCount={count} />
        <UsageCard admin={admin} />
      </div>
    </>
  );
}
