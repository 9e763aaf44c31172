import { Later } from "@/features/placeholders/Later";

// Being built: replaced by the real page.
export default function McpPage() {
  return <Later title="McpPage" text="This page is being built." />;
}
