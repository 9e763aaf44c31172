//! Following a run: its `pipeline_node.*` events become one progress line per node change, its
//! `pipeline_run.{completed,failed,cancelled,timeout}` event ends the wait, and the final state
//! is then read once (`GET /api/pipeline-runs/{id}`, or the service in `--local` mode) for the
//! output, the error and any node change no event showed (an approval's decision).
//!
//! The events come from a [`Feed`]: the server's WebSocket or the in-process bus, subscribed to
//! before the run was started. The state is read besides, and only then:
//! - when the bus lagged (skipped events): once, then the events go on;
//! - when nothing came for [`IDLE_CHECK`]: once, in case the run ended with an event this feed
//!   does not carry (a run that could not start has only its `run_id` in scope, so it is not
//!   on the pipeline's topic);
//! - when there is no feed (the socket could not be opened, e.g. `wss://` in this build) or it
//!   is gone (it closed and could not be reopened with `since`): every [`POLL_INTERVAL`] until
//!   the run ends, which its own `timeout_seconds` bounds. A note on stderr says so.

use std::collections::HashMap;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use serde::Deserialize;
use uuid::Uuid;

use super::socket::Socket;
use super::{RunState, Target};
use crate::events::bus::{Delivery, Subscription};

/// How often the state is read once the events cannot be followed.
pub(super) const POLL_INTERVAL: Duration = Duration::from_millis(500);
/// Silence after which the state is read once.
pub(super) const IDLE_CHECK: Duration = Duration::from_secs(10);

/// Where the run's events come from.
pub(super) enum Feed {
    /// The in-process bus (`--local`).
    Bus(Subscription),
    /// The server's `/ws`, subscribed to the pipeline's topic.
    Socket(Box<Socket>),
}

/// What a feed says next.
pub(super) enum Item {
    Event(RunEvent),
    /// Events were skipped.
    Lagged,
    /// No more events will come; why.
    Gone(String),
}

/// An event, as far as following a run needs it.
#[derive(Debug)]
pub(super) struct RunEvent {
    /// The dotted type, e.g. `pipeline_node.completed`.
    pub(super) kind: String,
    pub(super) run_id: Option<Uuid>,
    pub(super) data: EventData,
}

/// The fields of a `pipeline_node.*` event's `data` that progress shows.
#[derive(Debug, Default, Deserialize)]
pub(super) struct EventData {
    pub(super) node_id: Option<String>,
    pub(super) attempt: Option<i64>,
    pub(super) error: Option<String>,
}

impl Feed {
    async fn next(&mut self) -> Item {
        match self {
            Self::Bus(subscription) => match subscription.recv().await {
                Some(Delivery::Event(event)) => Item::Event(RunEvent {
                    kind: event.event_type.as_str().to_owned(),
                    run_id: event.scope.run_id,
                    data: EventData::deserialize(&event.data).unwrap_or_default(),
                }),
                Some(Delivery::Lagged { .. }) => Item::Lagged,
                None => Item::Gone("the event bus stopped".to_owned()),
            },
            Self::Socket(socket) => socket.next().await,
        }
    }
}

/// Shows the progress of run `run_id` until it ends; its final state.
pub(super) async fn follow(
    target: &Target,
    feed: Option<Feed>,
    run_id: Uuid,
    progress: &mut Progress,
) -> Result<RunState, String> {
    let Some(mut feed) = feed else {
        return poll(target, run_id, progress).await;
    };
    loop {
        let item = match tokio::time::timeout(IDLE_CHECK, feed.next()).await {
            Ok(item) => item,
            Err(_) => {
                let run = target.run(run_id).await?;
                progress.snapshot(&run);
                if run.status.is_final() {
                    return Ok(run);
                }
                continue;
            }
        };
        match item {
            Item::Event(event) if event.run_id == Some(run_id) => {
                if progress.event(&event) == Step::Ended {
                    break;
                }
            }
            Item::Event(_) => {}
            Item::Lagged => {
                // What was skipped is in the state; later events follow as before.
                let run = target.run(run_id).await?;
                progress.snapshot(&run);
                if run.status.is_final() {
                    return Ok(run);
                }
            }
            Item::Gone(why) => {
                eprintln!("note: lost the run's events ({why}); reading its state instead");
                return poll(target, run_id, progress).await;
            }
        }
    }
    let run = target.run(run_id).await?;
    progress.snapshot(&run);
    Ok(run)
}

/// Reads the run every [`POLL_INTERVAL`] until it ends: the fallback when its events cannot be
/// followed.
async fn poll(target: &Target, run_id: Uuid, progress: &mut Progress) -> Result<RunState, String> {
    loop {
        let run = target.run(run_id).await?;
        progress.snapshot(&run);
        if run.status.is_final() {
            return Ok(run);
        }
        tokio::time::sleep(POLL_INTERVAL).await;
    }
}

/// Whether the run goes on after an event.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Step {
    Going,
    Ended,
}

/// The progress lines on stderr: one per change of a node's status or attempt.
pub(super) struct Progress {
    started: Instant,
    /// The status and attempt last shown for each node.
    seen: HashMap<String, (String, i64)>,
}

impl Progress {
    pub(super) fn new() -> Self {
        Self {
            started: Instant::now(),
            seen: HashMap::new(),
        }
    }

    /// Shows what `event` changed; whether the run ended with it.
    pub(super) fn event(&mut self, event: &RunEvent) -> Step {
        if let Some(kind) = event.kind.strip_prefix("pipeline_run.") {
            return match kind {
                "completed" | "failed" | "cancelled" | "timeout" => Step::Ended,
                _ => Step::Going,
            };
        }
        let Some(kind) = event.kind.strip_prefix("pipeline_node.") else {
            return Step::Going;
        };
        // The node's status after the event, as the run's nodes show it.
        let status = match kind {
            "started" | "retrying" => "running",
            "completed" => "completed",
            "failed" => "failed",
            "skipped" => "skipped",
            "waiting" => "waiting",
            "cancelled" => "cancelled",
            // `decided`: the node's completion (or failure) follows as its own event.
            _ => return Step::Going,
        };
        let Some(node) = &event.data.node_id else {
            return Step::Going;
        };
        let attempts = event
            .data
            .attempt
            .or_else(|| self.seen.get(node).map(|(_, attempts)| *attempts))
            .unwrap_or(1);
        let error = if status == "failed" {
            event.data.error.as_deref()
        } else {
            None
        };
        self.show(node, status, attempts, error);
        Step::Going
    }

    /// Shows every node whose status or attempt differs from what was last shown.
    pub(super) fn snapshot(&mut self, run: &RunState) {
        for n in &run.nodes {
            self.show(&n.node_id, &n.status, n.attempts, n.error.as_deref());
        }
    }

    fn show(&mut self, node: &str, status: &str, attempts: i64, error: Option<&str>) {
        let shown = self.seen.get(node);
        if status == "pending" || shown.is_some_and(|(s, a)| s == status && *a == attempts) {
            return;
        }
        let mut line = format!(
            "{:>7.2}s  {node:<24} {status}",
            self.started.elapsed().as_secs_f64()
        );
        if attempts > 1 {
            line.push_str(&format!(" (attempt {attempts})"));
        }
        if let Some(error) = error {
            line.push_str(&format!(": {error}"));
        }
        eprintln!("{line}");
        self.seen
            .insert(node.to_owned(), (status.to_owned(), attempts));
    }

    /// Prints how the run ended (stderr) and its output (stdout); exit 0 when it completed.
    pub(super) fn finish(&self, run: &RunState) -> ExitCode {
        eprintln!(
            "run {} {} in {:.2}s",
            run.id,
            run.status.as_str(),
            self.started.elapsed().as_secs_f64()
        );
        if let Some(error) = &run.error {
            eprintln!("error: {error}");
        }
        println!(
            "{}",
            serde_json::to_string_pretty(&run.output).unwrap_or_default()
        );
        if run.status == super::RunStatus::Completed {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(kind: &str, node: Option<&str>, attempt: Option<i64>) -> RunEvent {
        RunEvent {
            kind: kind.to_owned(),
            run_id: None,
            data: EventData {
                node_id: node.map(str::to_owned),
                attempt,
                error: None,
            },
        }
    }

    #[test]
    fn node_events_become_statuses_and_a_final_run_event_ends_the_wait() {
        let mut progress = Progress::new();
        let started = event("pipeline_node.started", Some("fetch"), Some(1));
        assert_eq!(progress.event(&started), Step::Going);
        assert_eq!(progress.seen["fetch"], ("running".to_owned(), 1));
        progress.event(&event("pipeline_node.retrying", Some("fetch"), Some(2)));
        progress.event(&event("pipeline_node.completed", Some("fetch"), None));
        assert_eq!(progress.seen["fetch"], ("completed".to_owned(), 2));
        progress.event(&event("pipeline_node.decided", Some("ok"), None));
        assert!(!progress.seen.contains_key("ok"));
        assert_eq!(
            progress.event(&event("pipeline_run.running", None, None)),
            Step::Going
        );
        for end in ["completed", "failed", "cancelled", "timeout"] {
            let kind = format!("pipeline_run.{end}");
            assert_eq!(progress.event(&event(&kind, None, None)), Step::Ended);
        }
    }
}
