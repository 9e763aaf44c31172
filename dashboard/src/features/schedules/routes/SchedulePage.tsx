import { Later } from "@/features/placeholders/Later";

// Being built: replaced by the real page.
export default function SchedulePage() {
  return <Later title="SchedulePage" text="This page is being built." />;
}
