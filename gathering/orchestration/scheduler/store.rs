//! The scheduler's SQL: schedules, their runs (one per occurrence, claimed under a session
//! advisory lock and a lease), and notifications. Functions take the caller's client or
//! transaction.

use chrono::{DateTime, Utc};
use deadpool_postgres::GenericClient;
use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};
use uuid::Uuid;

type Params<'a> = &'a [&'a (dyn tokio_postgres::types::ToSql + Sync)];

// Every statement is prepared once per connection (deadpool's statement cache): the scheduler
// runs the same few statements for every occurrence.
async fn one(
    c: &impl GenericClient,
    sql: &str,
    params: Params<'_>,
) -> Result<tokio_postgres::Row, tokio_postgres::Error> {
    let statement = c.prepare_cached(sql).await?;
    c.query_one(&statement, params).await
}

async fn opt(
    c: &impl GenericClient,
    sql: &str,
    params: Params<'_>,
) -> Result<Option<tokio_postgres::Row>, tokio_postgres::Error> {
    let statement = c.prepare_cached(sql).await?;
    c.query_opt(&statement, params).await
}

async fn all(
    c: &impl GenericClient,
    sql: &str,
    params: Params<'_>,
) -> Result<Vec<tokio_postgres::Row>, tokio_postgres::Error> {
    let statement = c.prepare_cached(sql).await?;
    c.query(&statement, params).await
}

async fn exec(
    c: &impl GenericClient,
    sql: &str,
    params: Params<'_>,
) -> Result<u64, tokio_postgres::Error> {
    let statement = c.prepare_cached(sql).await?;
    c.execute(&statement, params).await
}

/// A stored schedule.
#[derive(Debug, Clone)]
pub struct ScheduleRow {
    pub id: Uuid,
    pub name: String,
    pub owner_id: Uuid,
    pub kind: String,
    pub spec: Value,
    pub anchor_at: DateTime<Utc>,
    pub paused: bool,
    pub next_fire_at: Option<DateTime<Utc>>,
    pub executions: i32,
    pub last_fired_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Why the scheduler paused it (a runaway chain), when it did.
    pub paused_reason: Option<String>,
}

const SCHEDULE_COLUMNS: &str = "id, name, owner_id, kind, spec, anchor_at, paused, next_fire_at, \
     executions, last_fired_at, created_at, updated_at, paused_reason";

fn schedule_at(row: &tokio_postgres::Row, o: usize) -> ScheduleRow {
    ScheduleRow {
        id: row.get(o),
        name: row.get(o + 1),
        owner_id: row.get(o + 2),
        kind: row.get(o + 3),
        spec: row.get(o + 4),
        anchor_at: row.get(o + 5),
        paused: row.get(o + 6),
        next_fire_at: row.get(o + 7),
        executions: row.get(o + 8),
        last_fired_at: row.get(o + 9),
        created_at: row.get(o + 10),
        updated_at: row.get(o + 11),
        paused_reason: row.get(o + 12),
    }
}

fn schedule(row: &tokio_postgres::Row) -> ScheduleRow {
    schedule_at(row, 0)
}

/// One execution of an occurrence.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ScheduleRun {
    pub id: Uuid,
    pub schedule_id: Uuid,
    /// The occurrence: its time on the timetable, the event's time, or the request's.
    pub scheduled_for: DateTime<Utc>,
    /// `schedule`, `catch_up` (missed while no instance ran), `event` or `manual`.
    pub trigger: String,
    pub event_id: Option<Uuid>,
    /// `pending`, `running`, `completed`, `failed` or `skipped` (the previous one still ran).
    pub status: String,
    pub attempts: i32,
    pub max_attempts: i32,
    /// The instance that executed it (the last attempt's).
    pub instance: Option<Uuid>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    pub duration_ms: Option<i64>,
    /// From `scheduled_for` to the start of the first attempt.
    pub fire_lag_ms: Option<f64>,
    #[schema(value_type = Option<Object>)]
    pub output: Option<Value>,
    pub error: Option<String>,
    pub created_at: DateTime<Utc>,
    /// Event-triggered hops in the chain that led here: 0 for the timetable and manual
    /// triggers, the firing event's depth plus one otherwise (refused past the bound).
    pub depth: i32,
}

const RUN_COLUMNS: &str = "id, schedule_id, scheduled_for, trigger, event_id, status, attempts, \
     max_attempts, instance, started_at, finished_at, duration_ms, fire_lag_ms, output, error, \
     created_at, depth";

fn run_at(row: &tokio_postgres::Row, o: usize) -> ScheduleRun {
    ScheduleRun {
        id: row.get(o),
        schedule_id: row.get(o + 1),
        scheduled_for: row.get(o + 2),
        trigger: row.get(o + 3),
        event_id: row.get(o + 4),
        status: row.get(o + 5),
        attempts: row.get(o + 6),
        max_attempts: row.get(o + 7),
        instance: row.get(o + 8),
        started_at: row.get(o + 9),
        finished_at: row.get(o + 10),
        duration_ms: row.get(o + 11),
        fire_lag_ms: row.get(o + 12),
        output: row.get(o + 13),
        error: row.get(o + 14),
        created_at: row.get(o + 15),
        depth: row.get(o + 16),
    }
}

fn run(row: &tokio_postgres::Row) -> ScheduleRun {
    run_at(row, 0)
}

/// The session advisory lock of one run (so of one occurrence), held by the instance that
/// executes it for the whole execution.
pub fn lock_key(run: Uuid) -> i64 {
    let digest = Sha256::digest([b"gathering:schedule-run:".as_slice(), run.as_bytes()].concat());
    i64::from_be_bytes(digest[..8].try_into().expect("8 bytes"))
}

pub struct NewSchedule<'a> {
    pub id: Uuid,
    pub name: &'a str,
    pub owner_id: Uuid,
    pub kind: &'a str,
    pub spec: &'a Value,
    pub event_type: Option<&'a str>,
    pub anchor_at: DateTime<Utc>,
    pub paused: bool,
    pub next_fire_at: Option<DateTime<Utc>>,
}

pub async fn insert_schedule(
    tx: &impl GenericClient,
    s: &NewSchedule<'_>,
) -> Result<ScheduleRow, tokio_postgres::Error> {
    let row = one(
        tx,
        &format!(
            "INSERT INTO scheduler.schedules
                   (id, name, owner_id, kind, spec, event_type, anchor_at, paused, next_fire_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING {SCHEDULE_COLUMNS}"
        ),
        &[
            &s.id,
            &s.name,
            &s.owner_id,
            &s.kind,
            &s.spec,
            &s.event_type,
            &s.anchor_at,
            &s.paused,
            &s.next_fire_at,
        ],
    )
    .await?;
    Ok(schedule(&row))
}

/// Replaces a schedule's definition (its count of executions is kept).
pub async fn replace_schedule(
    tx: &impl GenericClient,
    s: &NewSchedule<'_>,
) -> Result<Option<ScheduleRow>, tokio_postgres::Error> {
    let row = opt(
        tx,
        &format!(
            "UPDATE scheduler.schedules SET name = $2, kind = $3, spec = $4, event_type = $5,
                        anchor_at = $6, paused = $7, next_fire_at = $8, updated_at = now(),
                        paused_reason = CASE WHEN $7 THEN paused_reason END
                  WHERE id = $1 RETURNING {SCHEDULE_COLUMNS}"
        ),
        &[
            &s.id,
            &s.name,
            &s.kind,
            &s.spec,
            &s.event_type,
            &s.anchor_at,
            &s.paused,
            &s.next_fire_at,
        ],
    )
    .await?;
    Ok(row.as_ref().map(schedule))
}

pub async fn get_schedule(
    client: &impl GenericClient,
    id: Uuid,
) -> Result<Option<ScheduleRow>, tokio_postgres::Error> {
    let row = opt(
        client,
        &format!("SELECT {SCHEDULE_COLUMNS} FROM scheduler.schedules WHERE id = $1"),
        &[&id],
    )
    .await?;
    Ok(row.as_ref().map(schedule))
}

/// The schedule, locked for this transaction (fires, claims and changes of one schedule take
/// turns).
pub async fn lock_schedule(
    tx: &impl GenericClient,
    id: Uuid,
) -> Result<Option<ScheduleRow>, tokio_postgres::Error> {
    let row = opt(
        tx,
        &format!("SELECT {SCHEDULE_COLUMNS} FROM scheduler.schedules WHERE id = $1 FOR UPDATE"),
        &[&id],
    )
    .await?;
    Ok(row.as_ref().map(schedule))
}

/// A page of schedules, oldest first; one owner's, or everyone's.
pub async fn list_schedules(
    client: &impl GenericClient,
    owner: Option<Uuid>,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<ScheduleRow>, tokio_postgres::Error> {
    let rows = all(
        client,
        &format!(
            "SELECT {SCHEDULE_COLUMNS} FROM scheduler.schedules
                  WHERE ($1::uuid IS NULL OR owner_id = $1) AND ($2::uuid IS NULL OR id > $2)
                  ORDER BY id LIMIT $3"
        ),
        &[&owner, &after, &limit],
    )
    .await?;
    Ok(rows.iter().map(schedule).collect())
}

pub async fn delete_schedule(
    tx: &impl GenericClient,
    id: Uuid,
) -> Result<u64, tokio_postgres::Error> {
    exec(tx, "DELETE FROM scheduler.schedules WHERE id = $1", &[&id]).await
}

pub async fn set_paused(
    tx: &impl GenericClient,
    id: Uuid,
    paused: bool,
    next_fire_at: Option<DateTime<Utc>>,
) -> Result<Option<ScheduleRow>, tokio_postgres::Error> {
    let row = opt(
        tx,
        &format!(
            "UPDATE scheduler.schedules SET paused = $2, next_fire_at = $3, paused_reason = NULL,
                                            updated_at = now()
                  WHERE id = $1 RETURNING {SCHEDULE_COLUMNS}"
        ),
        &[&id, &paused, &next_fire_at],
    )
    .await?;
    Ok(row.as_ref().map(schedule))
}

/// Schedules with an occurrence due by `now` that no other instance is firing, locked for the
/// caller's transaction.
pub async fn claim_due(
    tx: &impl GenericClient,
    now: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<ScheduleRow>, tokio_postgres::Error> {
    let rows = all(
        tx,
        &format!(
            "SELECT {SCHEDULE_COLUMNS} FROM scheduler.schedules
                  WHERE NOT paused AND next_fire_at IS NOT NULL AND next_fire_at <= $1
                  ORDER BY next_fire_at LIMIT $2 FOR UPDATE SKIP LOCKED"
        ),
        &[&now, &limit],
    )
    .await?;
    Ok(rows.iter().map(schedule).collect())
}

/// The earliest occurrence any active schedule waits for.
pub async fn next_wake(
    client: &impl GenericClient,
) -> Result<Option<DateTime<Utc>>, tokio_postgres::Error> {
    let row = one(
        client,
        "SELECT min(next_fire_at) FROM scheduler.schedules
              WHERE NOT paused AND next_fire_at IS NOT NULL",
        &[],
    )
    .await?;
    Ok(row.get(0))
}

/// Moves a schedule past what a tick fired.
pub async fn advance(
    tx: &impl GenericClient,
    id: Uuid,
    next_fire_at: Option<DateTime<Utc>>,
    fired: i32,
) -> Result<(), tokio_postgres::Error> {
    exec(
        tx,
        "UPDATE scheduler.schedules
            SET next_fire_at = $2, executions = executions + $3,
                last_fired_at = CASE WHEN $3 > 0 THEN now() ELSE last_fired_at END
          WHERE id = $1",
        &[&id, &next_fire_at, &fired],
    )
    .await?;
    Ok(())
}

/// Event schedules that are not paused: (id, when it was created, spec).
pub async fn event_schedules(
    client: &impl GenericClient,
) -> Result<Vec<(Uuid, DateTime<Utc>, Value)>, tokio_postgres::Error> {
    let rows = all(
        client,
        "SELECT id, created_at, spec FROM scheduler.schedules WHERE kind = 'event' AND NOT paused",
        &[],
    )
    .await?;
    Ok(rows
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect())
}

/// The outbox seq up to which event schedules were handled.
pub async fn event_cursor(
    client: &impl GenericClient,
) -> Result<Option<i64>, tokio_postgres::Error> {
    let row = opt(client, "SELECT seq FROM scheduler.event_cursor", &[]).await?;
    Ok(row.map(|r| r.get(0)))
}

/// Moves the event cursor forward (never back: instances save what they handled).
pub async fn save_event_cursor(
    client: &impl GenericClient,
    seq: i64,
) -> Result<(), tokio_postgres::Error> {
    exec(
        client,
        "INSERT INTO scheduler.event_cursor (seq) VALUES ($1)
         ON CONFLICT (id) DO UPDATE SET seq = greatest(scheduler.event_cursor.seq, EXCLUDED.seq)",
        &[&seq],
    )
    .await?;
    Ok(())
}

/// Runs of a schedule still pending or running.
pub async fn live_runs(
    tx: &impl GenericClient,
    schedule_id: Uuid,
) -> Result<i64, tokio_postgres::Error> {
    let row = one(
        tx,
        "SELECT count(*) FROM scheduler.runs
              WHERE schedule_id = $1 AND status IN ('pending', 'running')",
        &[&schedule_id],
    )
    .await?;
    Ok(row.get(0))
}

pub struct NewRun {
    pub id: Uuid,
    pub schedule_id: Uuid,
    pub scheduled_for: DateTime<Utc>,
    pub trigger: &'static str,
    pub event_id: Option<Uuid>,
    /// `pending`, `skipped` (overlap), `failed` (refused as it fired: a runaway), or
    /// `running`: claimed by `claimed_by` as it fires, to start at once (no attempt counted
    /// until it does).
    pub status: &'static str,
    pub max_attempts: i32,
    pub error: Option<String>,
    /// The instance that claims it (with a lease) when it is inserted `running`.
    pub claimed_by: Option<(Uuid, std::time::Duration)>,
    /// Its depth in a chain of event-triggered runs (see [`ScheduleRun::depth`]).
    pub depth: i32,
}

/// Inserts the run of an occurrence; `None` when that occurrence already has one.
pub async fn insert_run(
    tx: &impl GenericClient,
    r: &NewRun,
) -> Result<Option<ScheduleRun>, tokio_postgres::Error> {
    let row = opt(
        tx,
        &format!(
            "INSERT INTO scheduler.runs
                   (id, schedule_id, scheduled_for, trigger, event_id, status, max_attempts, error,
                    finished_at, instance, lease_until, depth)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8,
                         CASE WHEN $6 IN ('skipped', 'failed') THEN now() END,
                         $9, CASE WHEN $9::uuid IS NOT NULL THEN now() + make_interval(secs => $10) END,
                         $11)
                 ON CONFLICT DO NOTHING RETURNING {RUN_COLUMNS}"
        ),
        &[
            &r.id,
            &r.schedule_id,
            &r.scheduled_for,
            &r.trigger,
            &r.event_id,
            &r.status,
            &r.max_attempts,
            &r.error,
            &r.claimed_by.map(|(instance, _)| instance),
            &r.claimed_by.map_or(0.0, |(_, lease)| lease.as_secs_f64()),
            &r.depth,
        ],
    )
    .await?;
    Ok(row.as_ref().map(run))
}

/// Starts the first attempt of a run this instance claimed as it fired (one statement: the
/// attempt counted, the lease renewed, the fire lag recorded); `None` when it is no longer this
/// instance's (another took it over after its lease expired).
pub async fn begin(
    client: &impl GenericClient,
    id: Uuid,
    instance: Uuid,
    lease: std::time::Duration,
) -> Result<Option<ScheduleRun>, tokio_postgres::Error> {
    let row = opt(
        client,
        &format!(
            "UPDATE scheduler.runs
                SET attempts = attempts + 1, started_at = now(),
                    lease_until = now() + make_interval(secs => $3),
                    fire_lag_ms = extract(epoch FROM clock_timestamp() - scheduled_for) * 1000
              WHERE id = $1 AND instance = $2 AND status = 'running' AND started_at IS NULL
              RETURNING {RUN_COLUMNS}"
        ),
        &[&id, &instance, &lease.as_secs_f64()],
    )
    .await?;
    Ok(row.as_ref().map(run))
}

/// A page of a schedule's runs, newest occurrence first.
pub async fn list_runs(
    client: &impl GenericClient,
    schedule_id: Uuid,
    before: Option<Uuid>,
    limit: i64,
) -> Result<Vec<ScheduleRun>, tokio_postgres::Error> {
    let rows = all(
        client,
        &format!(
            "SELECT {RUN_COLUMNS} FROM scheduler.runs
                  WHERE schedule_id = $1
                    AND ($2::uuid IS NULL OR (scheduled_for, id) <
                         (SELECT scheduled_for, id FROM scheduler.runs WHERE id = $2))
                  ORDER BY scheduled_for DESC, id DESC LIMIT $3"
        ),
        &[&schedule_id, &before, &limit],
    )
    .await?;
    Ok(rows.iter().map(run).collect())
}

/// A schedule's most recent run, as the schedule's view shows it.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct LastRun {
    pub id: Uuid,
    /// `pending`, `running`, `completed`, `failed` or `skipped`.
    pub status: String,
    pub scheduled_for: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    /// `schedule`, `catch_up`, `event` or `manual`.
    pub trigger: String,
}

/// The most recent run (the newest occurrence, first in [`list_runs`]) of each of `schedules`
/// that ran: (schedule id, run). One query for any number of schedules (a page of them).
pub async fn last_runs(
    client: &impl GenericClient,
    schedules: &[Uuid],
) -> Result<Vec<(Uuid, LastRun)>, tokio_postgres::Error> {
    let rows = all(
        client,
        "SELECT s.id, l.id, l.status, l.scheduled_for, l.finished_at, l.trigger
           FROM unnest($1::uuid[]) AS s(id)
           CROSS JOIN LATERAL (
                SELECT r.id, r.status, r.scheduled_for, r.finished_at, r.trigger
                  FROM scheduler.runs r WHERE r.schedule_id = s.id
                 ORDER BY r.scheduled_for DESC, r.id DESC LIMIT 1) l",
        &[&schedules],
    )
    .await?;
    Ok(rows
        .iter()
        .map(|r| {
            let run = LastRun {
                id: r.get(1),
                status: r.get(2),
                scheduled_for: r.get(3),
                finished_at: r.get(4),
                trigger: r.get(5),
            };
            (r.get(0), run)
        })
        .collect())
}

/// What executing a run needs: the run, its schedule and the owner's role (`None` when the
/// account is disabled or gone), in one round trip.
pub async fn load(
    client: &impl GenericClient,
    run_id: Uuid,
) -> Result<Option<(ScheduleRun, ScheduleRow, Option<String>)>, tokio_postgres::Error> {
    let sql = format!(
        "SELECT {}, {}, (SELECT u.role FROM auth.users u WHERE u.id = s.owner_id AND NOT u.disabled)
           FROM scheduler.runs r JOIN scheduler.schedules s ON s.id = r.schedule_id
          WHERE r.id = $1",
        prefixed("r", RUN_COLUMNS),
        prefixed("s", SCHEDULE_COLUMNS)
    );
    let Some(row) = opt(client, &sql, &[&run_id]).await? else {
        return Ok(None);
    };
    let runs = RUN_COLUMNS.split(',').count();
    let schedules = SCHEDULE_COLUMNS.split(',').count();
    let (run, schedule) = (run_at(&row, 0), schedule_at(&row, runs));
    Ok(Some((run, schedule, row.get(runs + schedules))))
}

fn prefixed(alias: &str, columns: &str) -> String {
    columns
        .split(',')
        .map(|c| format!("{alias}.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Tries the run's advisory lock on this session (connection); true when taken.
pub async fn try_lock(
    client: &impl GenericClient,
    run: Uuid,
) -> Result<bool, tokio_postgres::Error> {
    let row = one(client, "SELECT pg_try_advisory_lock($1)", &[&lock_key(run)]).await?;
    Ok(row.get(0))
}

pub async fn unlock(client: &impl GenericClient, run: Uuid) -> Result<(), tokio_postgres::Error> {
    exec(client, "SELECT pg_advisory_unlock($1)", &[&lock_key(run)]).await?;
    Ok(())
}

/// What a claim found.
#[derive(Debug)]
pub enum Claim {
    /// This instance executes it: the run as claimed (its attempt counted).
    Claimed(ScheduleRun),
    /// A previous execution of the same schedule runs and the policy is `queue`: later.
    Queued,
    /// Its instance stopped with no attempts left: now marked failed.
    Exhausted(ScheduleRun),
    /// Settled, or another instance has it.
    Gone,
}

/// Claims a run for this instance: a pending one (when `queue` allows it), or a running one
/// whose instance stopped (its lease expired). Call inside a transaction, holding the run's
/// advisory lock.
pub async fn claim(
    tx: &impl GenericClient,
    id: Uuid,
    instance: Uuid,
    lease: std::time::Duration,
    queue: bool,
) -> Result<Claim, tokio_postgres::Error> {
    let Some(current) = opt(
        tx,
        "SELECT r.schedule_id, r.status, r.attempts, r.max_attempts,
                    (r.status = 'running' AND r.lease_until < now()) AS expired
               FROM scheduler.runs r WHERE r.id = $1",
        &[&id],
    )
    .await?
    else {
        return Ok(Claim::Gone);
    };
    let schedule_id: Uuid = current.get(0);
    let status: String = current.get(1);
    let attempts: i32 = current.get(2);
    let max_attempts: i32 = current.get(3);
    let expired: bool = current.get(4);
    if !(status == "pending" || expired) {
        return Ok(Claim::Gone);
    }
    // Claims of one schedule take turns (the queue rule reads the other runs).
    exec(
        tx,
        "SELECT 1 FROM scheduler.schedules WHERE id = $1 FOR UPDATE",
        &[&schedule_id],
    )
    .await?;
    if status == "pending" && queue {
        let ahead: i64 = one(
            tx,
            "SELECT count(*) FROM scheduler.runs
                  WHERE schedule_id = $1 AND id <> $2
                    AND ((status = 'running' AND lease_until >= now())
                         OR (status = 'pending' AND (scheduled_for, id) <
                             (SELECT scheduled_for, id FROM scheduler.runs WHERE id = $2)))",
            &[&schedule_id, &id],
        )
        .await?
        .get(0);
        if ahead > 0 {
            return Ok(Claim::Queued);
        }
    }
    if expired && attempts >= max_attempts {
        let row = one(tx,
                &format!(
                    "UPDATE scheduler.runs SET status = 'failed', finished_at = now(),
                            lease_until = NULL,
                            duration_ms = (extract(epoch FROM now() - started_at) * 1000)::bigint,
                            error = concat_ws('; ', error,
                              'the instance executing it stopped (its lease expired) and no attempts are left')
                      WHERE id = $1 RETURNING {RUN_COLUMNS}"
                ),
                &[&id],
            )
            .await?;
        return Ok(Claim::Exhausted(run(&row)));
    }
    let row = one(
        tx,
        &format!(
            "UPDATE scheduler.runs
                    SET status = 'running', attempts = attempts + 1, instance = $2,
                        lease_until = now() + make_interval(secs => $3),
                        started_at = coalesce(started_at, now()),
                        fire_lag_ms = coalesce(fire_lag_ms,
                          extract(epoch FROM clock_timestamp() - scheduled_for) * 1000)
                  WHERE id = $1 RETURNING {RUN_COLUMNS}"
        ),
        &[&id, &instance, &lease.as_secs_f64()],
    )
    .await?;
    Ok(Claim::Claimed(run(&row)))
}

/// Renews this instance's lease on a run; false when it is no longer this instance's.
pub async fn heartbeat(
    client: &impl GenericClient,
    id: Uuid,
    instance: Uuid,
    lease: std::time::Duration,
) -> Result<bool, tokio_postgres::Error> {
    let n = exec(
        client,
        "UPDATE scheduler.runs SET lease_until = now() + make_interval(secs => $3)
              WHERE id = $1 AND instance = $2 AND status = 'running'",
        &[&id, &instance, &lease.as_secs_f64()],
    )
    .await?;
    Ok(n == 1)
}

/// Gives back a run this instance executes (it stops): pending again, the interrupted attempt
/// not counted, for any instance to execute.
pub async fn release(
    client: &impl GenericClient,
    id: Uuid,
    instance: Uuid,
) -> Result<(), tokio_postgres::Error> {
    exec(
        client,
        "UPDATE scheduler.runs
                SET status = 'pending', attempts = greatest(attempts - 1, 0), instance = NULL,
                    lease_until = NULL
              WHERE id = $1 AND instance = $2 AND status = 'running'",
        &[&id, &instance],
    )
    .await?;
    Ok(())
}

/// Counts one more attempt of a run this instance executes (after a failed one), keeping the
/// error that caused it.
pub async fn next_attempt(
    client: &impl GenericClient,
    id: Uuid,
    instance: Uuid,
    error: &str,
) -> Result<bool, tokio_postgres::Error> {
    let n = exec(
        client,
        "UPDATE scheduler.runs SET attempts = attempts + 1, error = $3
              WHERE id = $1 AND instance = $2 AND status = 'running'",
        &[&id, &instance, &error],
    )
    .await?;
    Ok(n == 1)
}

/// Settles a run this instance executes.
pub async fn finish(
    tx: &impl GenericClient,
    id: Uuid,
    instance: Uuid,
    status: &str,
    output: Option<&Value>,
    error: Option<&str>,
) -> Result<Option<ScheduleRun>, tokio_postgres::Error> {
    let row = opt(
        tx,
        &format!(
            "UPDATE scheduler.runs
                    SET status = $3, output = $4, error = $5, finished_at = now(),
                        lease_until = NULL,
                        duration_ms = (extract(epoch FROM now() - started_at) * 1000)::bigint
                  WHERE id = $1 AND instance = $2 AND status = 'running'
                  RETURNING {RUN_COLUMNS}"
        ),
        &[&id, &instance, &status, &output, &error],
    )
    .await?;
    Ok(row.as_ref().map(run))
}

/// Runs that need an instance: pending ones created more than `settle` ago (their creator
/// stopped before executing them, or they were queued), and running ones whose lease expired.
pub async fn orphans(
    client: &impl GenericClient,
    settle: std::time::Duration,
    limit: i64,
) -> Result<Vec<Uuid>, tokio_postgres::Error> {
    let rows = all(
        client,
        "SELECT id FROM scheduler.runs
              WHERE (status = 'pending' AND created_at < now() - make_interval(secs => $1))
                 OR (status = 'running' AND lease_until < now())
              ORDER BY scheduled_for LIMIT $2",
        &[&settle.as_secs_f64(), &limit],
    )
    .await?;
    Ok(rows.iter().map(|r| r.get(0)).collect())
}

/// The oldest pending run of a schedule (the next of its queue).
pub async fn next_queued(
    client: &impl GenericClient,
    schedule_id: Uuid,
) -> Result<Option<Uuid>, tokio_postgres::Error> {
    let row = opt(
        client,
        "SELECT id FROM scheduler.runs WHERE schedule_id = $1 AND status = 'pending'
              ORDER BY scheduled_for, id LIMIT 1",
        &[&schedule_id],
    )
    .await?;
    Ok(row.map(|r| r.get(0)))
}

/// An in-app notification.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Notification {
    pub id: Uuid,
    pub user_id: Uuid,
    pub title: String,
    pub message: String,
    /// `info`, `warning` or `error`.
    pub level: String,
    pub schedule_id: Option<Uuid>,
    pub run_id: Option<Uuid>,
    pub read_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

const NOTIFICATION_COLUMNS: &str =
    "id, user_id, title, message, level, schedule_id, run_id, read_at, created_at";

fn notification(row: &tokio_postgres::Row) -> Notification {
    Notification {
        id: row.get(0),
        user_id: row.get(1),
        title: row.get(2),
        message: row.get(3),
        level: row.get(4),
        schedule_id: row.get(5),
        run_id: row.get(6),
        read_at: row.get(7),
        created_at: row.get(8),
    }
}

#[allow(clippy::too_many_arguments)]
pub async fn insert_notification(
    tx: &impl GenericClient,
    user_id: Uuid,
    title: &str,
    message: &str,
    level: &str,
    schedule_id: Option<Uuid>,
    run_id: Option<Uuid>,
) -> Result<Notification, tokio_postgres::Error> {
    let row = one(
        tx,
        &format!(
            "INSERT INTO scheduler.notifications
                   (id, user_id, title, message, level, schedule_id, run_id)
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {NOTIFICATION_COLUMNS}"
        ),
        &[
            &Uuid::now_v7(),
            &user_id,
            &title,
            &message,
            &level,
            &schedule_id,
            &run_id,
        ],
    )
    .await?;
    Ok(notification(&row))
}

/// The notification a run already sent (an earlier attempt's).
pub async fn notification_of_run(
    client: &impl GenericClient,
    run_id: Uuid,
) -> Result<Option<Uuid>, tokio_postgres::Error> {
    let row = opt(
        client,
        "SELECT id FROM scheduler.notifications WHERE run_id = $1",
        &[&run_id],
    )
    .await?;
    Ok(row.map(|r| r.get(0)))
}

/// A page of a user's notifications, newest first.
pub async fn list_notifications(
    client: &impl GenericClient,
    user_id: Uuid,
    unread_only: bool,
    before: Option<Uuid>,
    limit: i64,
) -> Result<Vec<Notification>, tokio_postgres::Error> {
    let rows = all(
        client,
        &format!(
            "SELECT {NOTIFICATION_COLUMNS} FROM scheduler.notifications
                  WHERE user_id = $1 AND (NOT $2 OR read_at IS NULL)
                    AND ($3::uuid IS NULL OR id < $3)
                  ORDER BY id DESC LIMIT $4"
        ),
        &[&user_id, &unread_only, &before, &limit],
    )
    .await?;
    Ok(rows.iter().map(notification).collect())
}

/// Marks one of the user's notifications read; `None` when it is not theirs.
pub async fn mark_read(
    client: &impl GenericClient,
    user_id: Uuid,
    id: Uuid,
) -> Result<Option<Notification>, tokio_postgres::Error> {
    let row = opt(
        client,
        &format!(
            "UPDATE scheduler.notifications SET read_at = coalesce(read_at, now())
                  WHERE id = $1 AND user_id = $2 RETURNING {NOTIFICATION_COLUMNS}"
        ),
        &[&id, &user_id],
    )
    .await?;
    Ok(row.as_ref().map(notification))
}
