import { Later } from "@/features/placeholders/Later";

// Being built: replaced by the real page.
export default function SchedulesPage() {
  return <Later title="SchedulesPage" text="This page is being built." />;
}
