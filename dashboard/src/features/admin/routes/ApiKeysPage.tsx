import { Later } from "@/features/placeholders/Later";

// Being built: replaced by the real page.
export default function ApiKeysPage() {
  return <Later title="ApiKeysPage" text="This page is being built." />;
}
