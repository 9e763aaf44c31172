import { Later } from "@/features/placeholders/Later";

// Being built: replaced by the real page.
export default function ModelsPage() {
  return <Later title="ModelsPage" text="This page is being built." />;
}
