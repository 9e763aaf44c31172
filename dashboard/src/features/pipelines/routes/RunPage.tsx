import { Later } from "@/features/placeholders/Later";

// Being built: replaced by the real page.
export default function RunPage() {
  return <Later title="RunPage" text="This page is being built." />;
}
