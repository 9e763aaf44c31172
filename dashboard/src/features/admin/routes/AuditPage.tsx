import { Later } from "@/features/placeholders/Later";

// Being built: replaced by the real page.
export default function AuditPage() {
  return <Later title="AuditPage" text="This page is being built." />;
}
