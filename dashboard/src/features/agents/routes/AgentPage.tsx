import { Later } from "@/features/placeholders/Later";

// Being built: replaced by the real page.
export default function AgentPage() {
  return <Later title="AgentPage" text="This page is being built." />;
}
