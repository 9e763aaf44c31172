// The newest event's seq, where a live feed starts: `latest_event_seq` of GET /api/overview.
// A socket opened without `?since=` replays nothing, so without this a connection that drops
// before its first event would come back from "now" and lose what happened while it was down.
import { api, unwrap } from "@/lib/api/client";

/** The head, or null when it cannot be read now (the server is unreachable). */
export async function fetchHead(): Promise<number | null> {
  try {
    const { data, response } = await api.GET("/api/overview");
    if (data) return data.latest_event_seq;
    if (response.status !== 404) return null;
    // A server without the overview: walk the history to its end (bounded).
    let since = 0;
    for (let page = 0; page < 200; page++) {
      const body = await unwrap(api.GET("/api/events", { params: { query: { since, limit: 500 } } }));
      since = body.next_since;
      if (!body.more) break;
    }
    return since;
  } catch {
    return null;
  }
}
