import { isRouteErrorResponse, Link, useRouteError } from "react-router";
import { ErrorState } from "@/components/states";

/** A page that failed to load or render: say so, offer the way back, never a blank screen. */
export function RouteError() {
  const error = useRouteError();
  const message = isRouteErrorResponse(error) ? `${error.status} ${error.statusText}` : error;
  return (
    <div className="p-6">
      <ErrorState error={message instanceof Error || typeof message === "string" ? message : "This page failed."} retry={() => location.reload()} />
      <Link to="/" className="mt-3 inline-block text-sm text-indigo-600 underline">
        Back to the overview
      </Link>
    </div>
  );
}
