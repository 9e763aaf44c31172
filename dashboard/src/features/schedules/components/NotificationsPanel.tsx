// The caller's notifications (what send_notification and runaway guards send), newest first;
// unread ones can be marked read. Live: notification.* events refresh the list.
import { Link } from "react-router";
import { notifyError } from "@/components/notices";
import { Empty, QueryView } from "@/components/states";
import { Badge, Button, Card } from "@/components/ui";
import { useMarkRead, useNotifications } from "../api";

const levelTone: Record<string, string> = { info: "running", warning: "waiting", error: "failed" };

export function NotificationsPanel() {
  const query = useNotifications();
  const markRead = useMarkRead();
  const unread = query.data?.items.filter((n) => !n.read_at).length ?? 0;
  return (
    <Card title={<span>Notifications {unread > 0 && <Badge tone="running">{unread} unread</Badge>}</span>}>
      <QueryView query={query} what="Loading notifications">
        {(page) =>
          page.items.length === 0 ? (
            <Empty>No notifications. A schedule that sends a notification delivers it here.</Empty>
          ) : (
            <ul aria-label="Notifications" className="flex max-h-[28rem] flex-col divide-y divide-slate-100 overflow-auto text-sm dark:divide-slate-800">
              {page.items.map((n) => (
                <li key={n.id} className={`flex flex-col gap-1 py-2 ${n.read_at ? "opacity-60" : ""}`}>
                  <div className="flex items-center gap-2">
                    <Badge tone={levelTone[n.level] ?? "pending"}>{n.level}</Badge>
                    <span className="font-medium">{n.title}</span>
                    <time className="ml-auto text-xs text-slate-500" dateTime={n.created_at}>
                      {new Date(n.created_at).toLocaleString()}
                    </time>
                  </div>
                  <p className="break-words text-slate-700 dark:text-slate-300">{n.message}</p>
                  <div className="flex items-center gap-2">
                    {n.schedule_id && (
                      <Link to={`/schedules/${n.schedule_id}`} className="text-xs text-indigo-600 underline dark:text-indigo-400">
                        Open schedule
                      </Link>
                    )}
                    {!n.read_at && (
                      <Button variant="ghost" className="ml-auto" disabled={markRead.isPending} onClick={() => markRead.mutate(n.id, { onError: notifyError })} aria-label={`Mark ${n.title} read`}>
                        Mark read
                      </Button>
                    )}
                  </div>
                </li>
              ))}
            </ul>
          )
        }
      </QueryView>
    </Card>
  );
}
