import { Later } from "@/features/placeholders/Later";

// Being built: replaced by the real page.
export default function AgentsPage() {
  return <Later title="AgentsPage" text="This page is being built." />;
}
