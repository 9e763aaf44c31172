import { Later } from "@/features/placeholders/Later";

// Being built: replaced by the real page.
export default function PersonaPage() {
  return <Later title="PersonaPage" text="This page is being built." />;
}
