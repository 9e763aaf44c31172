import { Later } from "@/features/placeholders/Later";

// Being built: replaced by the real page.
export default function UsersPage() {
  return <Later title="UsersPage" text="This page is being built." />;
}
