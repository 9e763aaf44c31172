// The next fire times of a definition, in the reader's zone and in the schedule's: from the
// preview endpoint while editing, or from the stored schedule.
import { ApiError } from "@/lib/api/errors";
import { ErrorState, Loading } from "@/components/states";
import { fireRows, localZone } from "../time";
import type { Preview } from "../api";

export function FireTimes({ times, zone }: { times: string[]; zone: string }) {
  const reader = localZone();
  const rows = fireRows(times, zone, reader);
  if (rows.length === 0) return <p className="text-sm text-slate-500">No fire times ahead.</p>;
  return (
    <table aria-label="Next fire times" className="w-full text-left text-sm tabular-nums">
      <thead className="text-xs text-slate-500">
        <tr>
          <th className="py-1 pr-3 font-medium">#</th>
          <th className="py-1 pr-3 font-medium">Your time ({reader})</th>
          {!rows[0]?.sameZone && <th className="py-1 font-medium">Schedule's zone ({zone})</th>}
        </tr>
      </thead>
      <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
        {rows.map((row, i) => (
          <tr key={row.iso}>
            <td className="py-1 pr-3 text-slate-400">{i + 1}</td>
            <td className="py-1 pr-3">
              <time dateTime={row.iso}>{row.local}</time>
            </td>
            {!row.sameZone && <td className="py-1">{row.zoned}</td>}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

type PreviewQuery = { data: Preview | undefined; error: unknown; isFetching: boolean; isPending: boolean; refetch: () => unknown };

/** The preview's state: waiting, the times (or what fires an event schedule), or why there are none (a 422 is shown at its field). */
export function FirePreview({ query, blocked }: { query: PreviewQuery; blocked: boolean }) {
  if (blocked) return <p className="text-sm text-slate-500">Fix the timing to see the next fire times.</p>;
  const error = query.error;
  if (error instanceof ApiError && error.status === 422)
    return <p className="text-sm text-red-600 dark:text-red-400">{error.field ? `No preview until ${error.field} is fixed (marked in the form).` : `No preview: ${error.message}`}</p>;
  if (query.isPending) return <Loading what="Previewing the next fire times" />;
  if (error) return <ErrorState error={error} retry={() => void query.refetch()} />;
  const preview = query.data;
  return (
    <div aria-busy={query.isFetching} data-testid="fire-preview" className={query.isFetching ? "opacity-70" : ""}>
      {preview?.kind === "event" ? (
        <p className="text-sm">Fires on {preview.fires_on ?? "matching events"}; an event schedule has no timetable.</p>
      ) : (
        <FireTimes times={preview?.fire_times ?? []} zone={preview?.time_zone ?? "UTC"} />
      )}
    </div>
  );
}
