import { Later } from "@/features/placeholders/Later";

// Being built: replaced by the real page.
export default function PersonasPage() {
  return <Later title="PersonasPage" text="This page is being built." />;
}
