//! From the outbox to the bus, on every instance. The relay holds a dedicated connection that
//! `LISTEN`s for commit notifications (payload: a seq) and publishes every event after the
//! last one it published, in seq order; after a dropped connection it reconnects with backoff
//! and catches up, so an event committed on any instance reaches every instance's subscribers.
//! [`Feed`] gives one consumer a stream with no gap and no duplicate: history from the outbox
//! after a `since`, then live events, catching up again whenever it lags.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use backon::BackoffBuilder;
use deadpool_postgres::Pool;
use futures_util::StreamExt;
use tokio_postgres::{AsyncMessage, NoTls};
use tokio_util::sync::CancellationToken;

use super::bus::{Bus, Delivery, Subscription};
use super::{Event, Filter, outbox};

/// Rows read from the outbox per query.
const PAGE: i64 = 500;
/// Polled this often even without a notification, as a safety net.
const POLL: Duration = Duration::from_secs(5);

/// Publishes committed outbox events on `bus` until `cancel`, starting after the newest event
/// that exists when it starts. Reconnects with exponential backoff; never gives up.
pub async fn run(config: tokio_postgres::Config, pool: Pool, bus: Bus, cancel: CancellationToken) {
    let backoff = backon::ExponentialBuilder::new()
        .with_min_delay(Duration::from_millis(100))
        .with_max_delay(Duration::from_secs(5))
        .without_max_times()
        .with_jitter();
    let mut delays = backoff.build();
    let mut last = None;
    loop {
        let error = match listen(&config, &pool, &bus, &mut last, &cancel).await {
            Ok(()) => return,
            Err(error) => error,
        };
        let delay = delays.next().unwrap_or(Duration::from_secs(5));
        tracing::warn!(retry_in = ?delay, "event relay lost its connection: {error:#}");
        tokio::select! {
            () = tokio::time::sleep(delay) => {}
            () = cancel.cancelled() => return,
        }
        if last.is_some() {
            delays = backoff.build();
        }
    }
}

/// One connection's life: listen, catch up, then publish on every notification. Returns
/// `Ok` only when cancelled.
async fn listen(
    config: &tokio_postgres::Config,
    pool: &Pool,
    bus: &Bus,
    last: &mut Option<i64>,
    cancel: &CancellationToken,
) -> anyhow::Result<()> {
    let mut config = config.clone();
    config.application_name("gathering-relay");
    let (client, mut connection) = config.connect(NoTls).await?;
    let wake = Arc::new(tokio::sync::Notify::new());
    // The connection must be polled for notifications to arrive; its task ends with it.
    let mut driver = tokio::spawn({
        let wake = wake.clone();
        async move {
            let mut messages = futures_util::stream::poll_fn(move |cx| connection.poll_message(cx));
            while let Some(message) = messages.next().await {
                match message {
                    Ok(AsyncMessage::Notification(_)) => wake.notify_one(),
                    Ok(_) => {}
                    Err(e) => return Err(anyhow::Error::from(e)),
                }
            }
            Ok(())
        }
    });
    let result = async {
        outbox::listen(&client).await?;
        if last.is_none() {
            let db = pool.get().await?;
            *last = Some(outbox::head(&**db).await?);
        }
        loop {
            drain(&client, bus, last).await?;
            tokio::select! {
                () = wake.notified() => {}
                () = tokio::time::sleep(POLL) => {}
                () = cancel.cancelled() => return Ok(()),
                ended = &mut driver => {
                    ended??;
                    anyhow::bail!("the connection closed");
                }
            }
        }
    }
    .await;
    driver.abort();
    result
}

/// Publishes everything after `last`, in order.
async fn drain(
    client: &tokio_postgres::Client,
    bus: &Bus,
    last: &mut Option<i64>,
) -> anyhow::Result<()> {
    loop {
        let page = outbox::page(client, last.unwrap_or(0), PAGE).await?;
        for event in page.events {
            bus.publish(event);
        }
        if page.last.is_some() {
            *last = page.last;
        }
        if page.rows < PAGE as usize {
            return Ok(());
        }
    }
}

/// Why a feed ended.
#[derive(Debug, thiserror::Error)]
pub enum FeedError {
    #[error("the event bus is gone")]
    Closed,
    #[error("reading the event history failed: {0}")]
    History(#[source] anyhow::Error),
}

/// One consumer's gap-free, duplicate-free stream of events matching a filter.
pub struct Feed {
    subscription: Subscription,
    pool: Pool,
    filter: Filter,
    /// The seq of the last durable event handed out (or the `since` asked for).
    last: Option<i64>,
    backlog: VecDeque<Arc<Event>>,
    /// History after `last` remains to be read from the outbox.
    catching_up: bool,
    /// The last lag not yet reported to the consumer: first missed seq and count.
    lag_notice: Option<(Option<i64>, u64)>,
}

impl std::fmt::Debug for Feed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Feed").field("last", &self.last).finish()
    }
}

impl Feed {
    /// Subscribes first, then (with `since`) replays history after it, so nothing committed
    /// in between is missed; live events already replayed are skipped by seq.
    pub fn open(
        bus: &Bus,
        pool: Pool,
        name: &'static str,
        filter: Filter,
        since: Option<i64>,
    ) -> Self {
        Self {
            subscription: bus.subscribe(name, filter.clone()),
            pool,
            filter,
            last: since,
            backlog: VecDeque::new(),
            catching_up: since.is_some(),
            lag_notice: None,
        }
    }

    /// Whether the feed lagged (and caught up from the outbox) since this was last asked:
    /// the first missed seq and how many events were skipped live. Ephemeral events missed
    /// then are gone; durable ones were replayed.
    pub fn take_lag_notice(&mut self) -> Option<(Option<i64>, u64)> {
        self.lag_notice.take()
    }

    /// Puts an event handed out back in front (a consumer that must say something first).
    pub fn push_front(&mut self, event: Arc<Event>) {
        self.backlog.push_front(event);
    }

    /// The next event.
    pub async fn next(&mut self) -> Result<Arc<Event>, FeedError> {
        loop {
            if let Some(event) = self.backlog.pop_front() {
                self.last = event.seq.or(self.last);
                return Ok(event);
            }
            if self.catching_up {
                self.read_history().await?;
                continue;
            }
            match self.subscription.recv().await {
                None => return Err(FeedError::Closed),
                Some(Delivery::Event(event)) => {
                    if let (Some(seq), Some(last)) = (event.seq, self.last)
                        && seq <= last
                    {
                        continue;
                    }
                    self.last = event.seq.or(self.last);
                    return Ok(event);
                }
                Some(Delivery::Lagged {
                    first_missed,
                    missed,
                }) => {
                    metrics::counter!("events_feed_catch_ups_total").increment(1);
                    self.lag_notice = Some((first_missed, missed));
                    if self.last.is_none() {
                        self.last = first_missed.map(|seq| seq - 1);
                    }
                    self.catching_up = self.last.is_some();
                }
            }
        }
    }

    async fn read_history(&mut self) -> Result<(), FeedError> {
        let since = self.last.unwrap_or(0);
        let client = self
            .pool
            .get()
            .await
            .map_err(|e| FeedError::History(e.into()))?;
        let page = outbox::page(&**client, since, PAGE)
            .await
            .map_err(|e| FeedError::History(e.into()))?;
        if page.rows < PAGE as usize {
            self.catching_up = false;
        }
        if let Some(last) = page.last
            && page.events.iter().all(|e| !self.filter.matches(e))
        {
            // Nothing for us in this page: move past it.
            self.last = Some(last);
        }
        self.backlog.extend(
            page.events
                .into_iter()
                .filter(|e| self.filter.matches(e))
                .map(Arc::new),
        );
        Ok(())
    }
}
