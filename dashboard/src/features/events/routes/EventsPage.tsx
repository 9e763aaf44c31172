import { Later } from "@/features/placeholders/Later";

// Being built: replaced by the real page.
export default function EventsPage() {
  return <Later title="EventsPage" text="This page is being built." />;
}
