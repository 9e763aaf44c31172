// Badge tones for circle states (the Badge's palette: completed, running, waiting, failed...).
export function statusTone(status: string): string {
  switch (status) {
    case "completed":
    case "done":
      return "completed";
    case "running":
    case "in_progress":
    case "claimed":
      return "running";
    case "waiting":
    case "paused":
    case "review":
    case "offered":
    case "changes_requested":
      return "waiting";
    case "failed":
    case "blocked":
      return "failed";
    case "stopped":
      return "cancelled";
    default:
      return "pending";
  }
}
