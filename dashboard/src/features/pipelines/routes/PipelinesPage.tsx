import { Later } from "@/features/placeholders/Later";

// Being built: replaced by the real page.
export default function PipelinesPage() {
  return <Later title="PipelinesPage" text="This page is being built." />;
}
