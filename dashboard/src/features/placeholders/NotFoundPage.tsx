import { Link } from "react-router";
import { PageHeader } from "@/components/states";

export default function NotFoundPage() {
  return (
    <>
      <PageHeader title="Not found" description="There is no page at this address." />
      <Link to="/" className="text-sm text-indigo-600 underline">
        Back to the overview
      </Link>
    </>
  );
}
