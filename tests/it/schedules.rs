//! The scheduler against a real database, through the API: refusals that name the field, each
//! kind (interval on its grid, cron with seconds and in a time zone across DST, once, events with
//! filters), each option (max executions, end date, pause/resume, manual trigger, overlap skip /
//! queue / allow, retries, catch-up after downtime) and each action (call_api, notifications
//! in-app and by webhook, a pipeline, an agent on the local model). Actions call a local HTTP
//! server that records what it receives.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use gathering::auth::model::Role;
use gathering::core::clock::ManualClock;
use gathering::events::{Filter, TypePattern};
use serde_json::{Value, json};

use crate::pipeline_runs::{Hook, examples_app, hook_server, post};

mod guard;
use crate::support::{TestApp, TestDb, json, poll_until, test_config};

pub(super) fn config(db: &TestDb) -> gathering::config::Config {
    let mut config = test_config(db);
    config.tools.http_allow_private = true;
    config.scheduler.poll_interval = Duration::from_millis(100);
    config.scheduler.lease = Duration::from_secs(2);
    config.scheduler.misfire_grace = Duration::from_secs(2);
    config
}

pub(super) async fn spawn() -> TestApp {
    let db = TestDb::migrated().await;
    let config = config(&db);
    let app = TestApp::start_with(db, config).await;
    app.wait_ready().await;
    app
}

/// A server whose scheduler reads a manual clock standing a minute behind real time, on a whole
/// second: a test moves it on to make an occurrence due instead of waiting for it, and every
/// occurrence is still in the database's past (its fire lag is positive).
async fn spawn_on_clock() -> (TestApp, ManualClock) {
    let now = Utc::now() - TimeDelta::seconds(60);
    let clock = ManualClock::at(now - TimeDelta::nanoseconds(now.timestamp_subsec_nanos().into()));
    let db = TestDb::migrated().await;
    let config = config(&db);
    let app = TestApp::start_with_clock(db, config, Arc::new(clock.clone())).await;
    app.wait_ready().await;
    (app, clock)
}

/// Moves `clock` to each of `times` in turn, each once the previous occurrence completed: the
/// schedule's runs once all have.
async fn fire_each(
    app: &TestApp,
    token: &str,
    id: &Value,
    clock: &ManualClock,
    times: &[DateTime<Utc>],
) -> Vec<Value> {
    let mut done = Vec::new();
    for (n, at) in times.iter().enumerate() {
        clock.set(*at);
        done = wait_runs(app, token, id, |r| count(r, "completed") == n + 1).await;
    }
    done
}

/// Creates a schedule (201 expected); its view.
pub(super) async fn create(app: &TestApp, token: &str, body: Value) -> Value {
    let response = post(app, "/api/schedules", token, body).await;
    let status = response.status();
    let body = json(response).await;
    assert_eq!(status, 201, "{body:#}");
    body
}

pub(super) async fn schedule(app: &TestApp, token: &str, id: &Value) -> Value {
    json(
        app.get_as(&format!("/api/schedules/{}", id.as_str().unwrap()), token)
            .await,
    )
    .await
}

/// The schedule's runs, oldest occurrence first.
pub(super) async fn runs(app: &TestApp, token: &str, id: &Value) -> Vec<Value> {
    let page = json(
        app.get_as(
            &format!("/api/schedules/{}/runs?limit=200", id.as_str().unwrap()),
            token,
        )
        .await,
    )
    .await;
    let mut items = page["items"].as_array().cloned().unwrap_or_default();
    items.reverse();
    items
}

/// Polls the schedule's runs until `done` holds (30 s at most); the runs.
pub(super) async fn wait_runs(
    app: &TestApp,
    token: &str,
    id: &Value,
    done: impl Fn(&[Value]) -> bool,
) -> Vec<Value> {
    let last = std::cell::RefCell::new(Vec::new());
    let reached = poll_until(Duration::from_secs(30), || {
        let fetched = runs(app, token, id);
        let (last, done) = (&last, &done);
        async move {
            let items = fetched.await;
            let ok = done(&items);
            *last.borrow_mut() = items;
            ok
        }
    })
    .await;
    let last = last.into_inner();
    assert!(reached, "the runs never got there: {last:#?}");
    last
}

pub(super) fn count(runs: &[Value], status: &str) -> usize {
    runs.iter().filter(|r| r["status"] == status).count()
}

fn time(v: &Value) -> DateTime<Utc> {
    v.as_str().unwrap().parse().unwrap()
}

fn call(base: &str, path: &str) -> Value {
    json!({"type": "call_api", "url": format!("{base}{path}"), "method": "POST",
           "body": {"from": "schedule"}})
}

/// Asserts a schedule's view names `run` (as its runs list shows it) as its last run.
fn assert_last_run(view: &Value, run: &Value) {
    let last = &view["last_run"];
    for field in ["id", "status", "scheduled_for", "finished_at", "trigger"] {
        assert_eq!(last[field], run[field], "{field}: {view:#} vs {run:#}");
    }
    assert_eq!(last.as_object().map(|o| o.len()), Some(5), "{last:#}");
}

/// The caller's schedules, as `GET /api/schedules` lists them.
async fn listed(app: &TestApp, token: &str) -> Vec<Value> {
    let page = json(app.get_as("/api/schedules?limit=200", token).await).await;
    page["items"].as_array().cloned().unwrap_or_default()
}

/// One schedule as `GET /api/schedules` lists it.
async fn in_list(app: &TestApp, token: &str, id: &Value) -> Value {
    let page = listed(app, token).await;
    page.iter()
        .find(|s| s["id"] == *id)
        .cloned()
        .unwrap_or_else(|| panic!("{id} is not listed: {page:#?}"))
}

fn soon(seconds: f64) -> String {
    (Utc::now() + TimeDelta::milliseconds((seconds * 1000.0) as i64)).to_rfc3339()
}

#[tokio::test]
async fn invalid_schedules_are_refused_naming_the_field_and_nothing_is_stored() {
    let app = spawn().await;
    let member = app.signed_in(Role::Member).await;
    let viewer = app.signed_in(Role::Viewer).await;
    let action = json!({"type": "call_api", "url": "http://127.0.0.1:9/x"});
    let cases = [
        (
            json!({"name": "a", "kind": "cron", "cron": "61 * * * *", "action": action}),
            "cron",
        ),
        (
            json!({"name": "a", "kind": "cron", "cron": "0 9 * * *", "timezone": "Europe/Atlantis",
                   "action": action}),
            "timezone",
        ),
        (
            json!({"name": "a", "kind": "interval", "interval_seconds": 0, "action": action}),
            "interval_seconds",
        ),
        (
            json!({"name": "a", "kind": "interval", "interval_seconds": 5,
                   "action": {"type": "run_task", "agent": "nobody", "task": "hi"}}),
            "action.agent",
        ),
        (
            json!({"name": "a", "kind": "interval", "interval_seconds": 5,
                   "action": {"type": "execute_pipeline", "pipeline": "nothing"}}),
            "action.pipeline",
        ),
        (
            json!({"name": "a", "kind": "interval", "interval_seconds": 5,
                   "action": {"type": "call_api", "url": "file:///etc/passwd"}}),
            "action.url",
        ),
        (
            json!({"name": "a", "kind": "event", "event": {"type": "user.nope"}, "action": action}),
            "event.type",
        ),
        (
            json!({"name": "a", "kind": "interval", "interval_seconds": 5, "action": action,
                   "catch_up": "some"}),
            "catch_up",
        ),
    ];
    for (body, field) in cases {
        let response = post(&app, "/api/schedules", &member, body.clone()).await;
        assert_eq!(response.status(), 422, "{body}");
        let error = json(response).await;
        assert_eq!(error["error"]["details"]["field"], field, "{error:#}");
    }
    // Unknown fields are refused, not dropped.
    let response = post(
        &app,
        "/api/schedules",
        &member,
        json!({"name": "a", "kind": "interval", "interval_seconds": 5, "action": action,
               "every": "day"}),
    )
    .await;
    assert_eq!(response.status(), 422);
    let response = post(
        &app,
        "/api/schedules",
        &viewer,
        json!({"name": "a", "kind": "interval", "interval_seconds": 5, "action": action}),
    )
    .await;
    assert_eq!(response.status(), 403);
    let listed = json(app.get_as("/api/schedules", &member).await).await;
    assert_eq!(listed["items"], json!([]));
    app.shutdown().await.unwrap();
}

#[tokio::test]
async fn an_interval_fires_on_its_grid_once_per_occurrence_until_its_maximum() {
    let (app, clock) = spawn_on_clock().await;
    let (base, hook) = hook_server().await;
    let member = app.signed_in(Role::Member).await;
    let mut events = app.bus.subscribe(
        "test",
        Filter {
            types: vec![TypePattern::parse("schedule.*").unwrap()],
            ..Filter::default()
        },
    );
    let created = create(
        &app,
        &member,
        json!({"name": "tick", "kind": "interval", "interval_seconds": 1, "max_executions": 3,
               "action": call(&base, "/tick")}),
    )
    .await;
    assert_eq!(created["status"], "active");
    let times: Vec<DateTime<Utc>> = created["next_fire_times"]
        .as_array()
        .unwrap()
        .iter()
        .map(time)
        .collect();
    assert_eq!(times.len(), 5);
    assert!(
        times
            .windows(2)
            .all(|w| w[1] - w[0] == TimeDelta::seconds(1))
    );
    let id = &created["id"];
    let done = fire_each(&app, &member, id, &clock, &times[..3]).await;
    // On the grid of the creation time, one second apart, each executed once.
    let fired: Vec<DateTime<Utc>> = done.iter().map(|r| time(&r["scheduled_for"])).collect();
    assert_eq!(fired[0], times[0]);
    assert!(
        fired
            .windows(2)
            .all(|w| w[1] - w[0] == TimeDelta::seconds(1))
    );
    let mut keys = hook.keys_of("/tick");
    keys.sort();
    let mut expected: Vec<String> = done
        .iter()
        .map(|r| format!("schedule:{}", r["id"].as_str().unwrap()))
        .collect();
    expected.sort();
    assert_eq!(keys, expected);
    for run in &done {
        assert_eq!(run["trigger"], "schedule");
        assert_eq!(run["attempts"], 1);
        assert_eq!(run["output"]["status"], 200);
        assert!(run["fire_lag_ms"].as_f64().unwrap() >= 0.0);
        assert!(run["instance"].is_string() && run["duration_ms"].is_number());
    }
    let after = schedule(&app, &member, id).await;
    assert_eq!(after["status"], "finished", "{after:#}");
    assert_eq!(after["executions"], 3);
    assert!(after["next_fire_at"].is_null());
    // Fired (claimed by an instance, which starts it at once) and completed were published for
    // each occurrence.
    let mut seen: Vec<(String, Value)> = Vec::new();
    while seen
        .iter()
        .filter(|(t, _)| t == "schedule.completed")
        .count()
        < 3
    {
        match tokio::time::timeout(Duration::from_secs(10), events.recv()).await {
            Ok(Some(gathering::events::bus::Delivery::Event(e))) => {
                seen.push((e.event_type.as_str().to_owned(), e.data.clone()))
            }
            other => panic!("no more events: {other:?} after {seen:?}"),
        }
    }
    assert_eq!(seen[0].0, "schedule.created");
    let fired: Vec<&Value> = seen
        .iter()
        .filter(|(t, _)| t == "schedule.fired")
        .map(|(_, d)| d)
        .collect();
    assert_eq!(fired.len(), 3, "{seen:?}");
    for data in fired {
        assert_eq!(data["status"], "running");
        assert!(data["instance"].is_string() && data["run_id"].is_string());
    }
    assert_eq!(runs(&app, &member, id).await.len(), 3);
    // The fire lag is a metric.
    let admin = app.signed_in(Role::Admin).await;
    let metrics = app.get_as("/metrics", &admin).await.text().await.unwrap();
    assert!(metrics.contains("scheduler_fire_lag_seconds"), "{metrics}");
    app.shutdown().await.unwrap();
}

#[tokio::test]
async fn cron_with_seconds_fires_and_the_view_shows_dst_in_the_zone() {
    let (app, clock) = spawn_on_clock().await;
    let (base, hook) = hook_server().await;
    let member = app.signed_in(Role::Member).await;
    let every_second = create(
        &app,
        &member,
        json!({"name": "every-second", "kind": "cron", "cron": "* * * * * *",
               "timezone": "Europe/Paris", "max_executions": 2, "action": call(&base, "/cron")}),
    )
    .await;
    let times: Vec<DateTime<Utc>> = every_second["next_fire_times"]
        .as_array()
        .unwrap()
        .iter()
        .map(time)
        .collect();
    let done = fire_each(&app, &member, &every_second["id"], &clock, &times[..2]).await;
    let fired: Vec<DateTime<Utc>> = done.iter().map(|r| time(&r["scheduled_for"])).collect();
    assert_eq!(fired[1] - fired[0], TimeDelta::seconds(1));
    assert_eq!(fired[0].timestamp_subsec_micros(), 0);
    assert_eq!(hook.keys_of("/cron").len(), 2);
    // 2:30 every day in New York from 13 March 2027: on the 14th clocks skip 2:00-3:00, so it
    // fires at 3:00 EDT; then 2:30 EDT (06:30 UTC) again.
    let daily = create(
        &app,
        &member,
        json!({"name": "daily", "kind": "cron", "cron": "30 2 * * *",
               "timezone": "America/New_York", "start_at": "2027-03-13T12:00:00Z",
               "action": call(&base, "/daily")}),
    )
    .await;
    let times: Vec<&str> = daily["next_fire_times"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    assert_eq!(
        times[..3],
        [
            "2027-03-14T07:00:00Z",
            "2027-03-15T06:30:00Z",
            "2027-03-16T06:30:00Z"
        ]
    );
    app.shutdown().await.unwrap();
}

#[tokio::test]
async fn once_end_date_pause_resume_and_a_manual_trigger() {
    let app = spawn().await;
    let (base, hook) = hook_server().await;
    let member = app.signed_in(Role::Member).await;
    let once = create(
        &app,
        &member,
        json!({"name": "once", "kind": "once", "at": soon(0.5), "action": call(&base, "/once")}),
    )
    .await;
    let ended = create(
        &app,
        &member,
        json!({"name": "ends", "kind": "interval", "interval_seconds": 1, "end_at": soon(2.5),
               "action": call(&base, "/ends")}),
    )
    .await;
    let paused = create(
        &app,
        &member,
        json!({"name": "paused", "kind": "interval", "interval_seconds": 1, "paused": true,
               "action": call(&base, "/paused")}),
    )
    .await;
    assert_eq!(paused["status"], "paused");
    assert_eq!(paused["next_fire_times"], json!([]));
    // Never ran: no last run.
    assert_eq!(paused["last_run"], Value::Null);
    assert_eq!(
        schedule(&app, &member, &paused["id"]).await["last_run"],
        Value::Null
    );
    let once_runs = wait_runs(&app, &member, &once["id"], |r| count(r, "completed") == 1).await;
    assert_eq!(once_runs.len(), 1);
    let once_view = schedule(&app, &member, &once["id"]).await;
    assert_eq!(once_view["status"], "finished");
    assert_last_run(&once_view, &once_runs[0]);
    assert_eq!(once_view["last_run"]["status"], "completed");
    assert_eq!(once_view["last_run"]["trigger"], "schedule");
    // Ends after two occurrences.
    let ok = poll_until(Duration::from_secs(30), || async {
        schedule(&app, &member, &ended["id"]).await["status"] == "finished"
    })
    .await;
    assert!(ok);
    let ended_runs = wait_runs(&app, &member, &ended["id"], |r| {
        r.iter().all(|run| run["status"] == "completed")
    })
    .await;
    assert_eq!(ended_runs.len(), 2, "{ended_runs:#?}");
    // The list shows each one's last run (the newest occurrence), or null, in one page.
    let page = listed(&app, &member).await;
    let in_page = |s: &Value| {
        page.iter()
            .find(|p| p["id"] == s["id"])
            .cloned()
            .unwrap_or_else(|| panic!("{s:#} is not listed: {page:#?}"))
    };
    assert_last_run(&in_page(&once), &once_runs[0]);
    assert_last_run(&in_page(&ended), &ended_runs[1]);
    assert!(time(&ended_runs[1]["scheduled_for"]) > time(&ended_runs[0]["scheduled_for"]));
    assert_eq!(in_page(&paused)["last_run"], Value::Null);
    // A paused schedule fired nothing while the others ran; a manual trigger runs it anyway.
    assert!(runs(&app, &member, &paused["id"]).await.is_empty());
    let trigger = post(
        &app,
        &format!("/api/schedules/{}/trigger", paused["id"].as_str().unwrap()),
        &member,
        json!({}),
    )
    .await;
    assert_eq!(trigger.status(), 202);
    let manual = wait_runs(&app, &member, &paused["id"], |r| count(r, "completed") == 1).await;
    assert_eq!(manual[0]["trigger"], "manual");
    let manual_view = schedule(&app, &member, &paused["id"]).await;
    assert_last_run(&manual_view, &manual[0]);
    assert_eq!(manual_view["last_run"]["status"], "completed");
    assert_eq!(
        schedule(&app, &member, &paused["id"]).await["executions"],
        0
    );
    // Resumed, it fires from the next occurrence; paused again, it stops.
    let resumed = post(
        &app,
        &format!("/api/schedules/{}/resume", paused["id"].as_str().unwrap()),
        &member,
        json!({}),
    )
    .await;
    assert_eq!(json(resumed).await["status"], "active");
    wait_runs(&app, &member, &paused["id"], |r| {
        r.iter()
            .any(|run| run["trigger"] == "schedule" && run["status"] == "completed")
    })
    .await;
    let again = post(
        &app,
        &format!("/api/schedules/{}/pause", paused["id"].as_str().unwrap()),
        &member,
        json!({}),
    )
    .await;
    assert_eq!(json(again).await["next_fire_times"], json!([]));
    // Paused, nothing new fires: once what fired settled, the last run is the newest
    // occurrence, from the timetable, after the manual one.
    let settled = wait_runs(&app, &member, &paused["id"], |r| {
        r.iter()
            .all(|run| run["status"] != "pending" && run["status"] != "running")
    })
    .await;
    let newest = settled.last().unwrap();
    let view = schedule(&app, &member, &paused["id"]).await;
    assert_last_run(&view, newest);
    assert_eq!(view["last_run"]["trigger"], "schedule");
    assert!(time(&view["last_run"]["scheduled_for"]) > time(&manual[0]["scheduled_for"]));
    assert_last_run(&in_list(&app, &member, &paused["id"]).await, newest);
    // Another member neither sees nor triggers it.
    let other = app.signed_in(Role::Member).await;
    let path = format!("/api/schedules/{}", paused["id"].as_str().unwrap());
    assert_eq!(app.get_as(&path, &other).await.status(), 404);
    let refused = post(&app, &format!("{path}/trigger"), &other, json!({})).await;
    assert_eq!(refused.status(), 404);
    assert!(hook.keys_of("/once").len() == 1);
    app.shutdown().await.unwrap();
}

/// A schedule every second whose action takes 2.5 s, under `overlap`.
async fn overlapping(app: &TestApp, member: &str, base: &str, overlap: &str) -> Value {
    create(
        app,
        member,
        json!({"name": format!("slow-{overlap}"), "kind": "interval", "interval_seconds": 1,
               "overlap": overlap, "action": call(base, &format!("/slow/{overlap}"))}),
    )
    .await
}

fn most_at_once(hook: &Hook) -> usize {
    hook.in_flight.lock().unwrap().1
}

#[tokio::test]
async fn overlap_skip_records_skipped_occurrences_and_never_runs_two() {
    let app = spawn().await;
    let (base, hook) = hook_server().await;
    *hook.delay_ms.lock().unwrap() = 2500;
    let member = app.signed_in(Role::Member).await;
    let s = overlapping(&app, &member, &base, "skip").await;
    let done = wait_runs(&app, &member, &s["id"], |r| {
        count(r, "completed") >= 2 && count(r, "skipped") >= 2
    })
    .await;
    assert_eq!(most_at_once(&hook), 1);
    let skipped = done.iter().find(|r| r["status"] == "skipped").unwrap();
    assert!(skipped["error"].as_str().unwrap().contains("overlap: skip"));
    app.shutdown().await.unwrap();
}

#[tokio::test]
async fn overlap_queue_runs_every_occurrence_one_after_the_other() {
    let app = spawn().await;
    let (base, hook) = hook_server().await;
    *hook.delay_ms.lock().unwrap() = 1500;
    let member = app.signed_in(Role::Member).await;
    let s = overlapping(&app, &member, &base, "queue").await;
    let done = wait_runs(&app, &member, &s["id"], |r| count(r, "completed") >= 3).await;
    assert_eq!(most_at_once(&hook), 1);
    assert_eq!(count(&done, "skipped"), 0);
    // Queued occurrences waited: each started after the previous finished.
    let completed: Vec<&Value> = done.iter().filter(|r| r["status"] == "completed").collect();
    for pair in completed.windows(2) {
        assert!(time(&pair[1]["started_at"]) >= time(&pair[0]["finished_at"]));
    }
    app.shutdown().await.unwrap();
}

#[tokio::test]
async fn overlap_allow_runs_occurrences_at_once() {
    let app = spawn().await;
    let (base, hook) = hook_server().await;
    *hook.delay_ms.lock().unwrap() = 2500;
    let member = app.signed_in(Role::Member).await;
    let s = overlapping(&app, &member, &base, "allow").await;
    let ok = poll_until(Duration::from_secs(30), || async {
        most_at_once(&hook) >= 2
    })
    .await;
    assert!(ok, "never two at once");
    let done = wait_runs(&app, &member, &s["id"], |r| count(r, "completed") >= 2).await;
    assert_eq!(count(&done, "skipped"), 0);
    app.shutdown().await.unwrap();
}

#[tokio::test]
async fn failed_attempts_are_retried_with_the_same_key_until_the_count_is_spent() {
    let app = spawn().await;
    let (base, hook) = hook_server().await;
    let member = app.signed_in(Role::Member).await;
    hook.answer(&[500, 503]);
    let retried = create(
        &app,
        &member,
        json!({"name": "retried", "kind": "once", "at": soon(0.3), "retry_count": 2,
               "retry_delay_seconds": 0.2, "action": call(&base, "/flaky")}),
    )
    .await;
    let done = wait_runs(&app, &member, &retried["id"], |r| {
        count(r, "completed") == 1
    })
    .await;
    assert_eq!(done[0]["attempts"], 3, "{:#}", done[0]);
    let keys = hook.keys_of("/flaky");
    assert_eq!(keys.len(), 3);
    assert!(keys.iter().all(|k| *k == keys[0]));
    // Out of attempts: failed, with the last error.
    hook.answer(&[500, 500]);
    let failing = create(
        &app,
        &member,
        json!({"name": "failing", "kind": "once", "at": soon(0.3), "retry_count": 1,
               "retry_delay_seconds": 0, "action": call(&base, "/down")}),
    )
    .await;
    let done = wait_runs(&app, &member, &failing["id"], |r| count(r, "failed") == 1).await;
    assert_eq!(done[0]["attempts"], 2);
    // Its view and the list name the failed run as its last.
    let view = schedule(&app, &member, &failing["id"]).await;
    assert_last_run(&view, &done[0]);
    assert_eq!(view["last_run"]["status"], "failed");
    assert_last_run(&in_list(&app, &member, &failing["id"]).await, &done[0]);
    assert!(
        done[0]["error"].as_str().unwrap().contains("500"),
        "{:#}",
        done[0]
    );
    assert_eq!(hook.keys_of("/down").len(), 2);
    app.shutdown().await.unwrap();
}

#[tokio::test]
async fn after_downtime_each_catch_up_policy_decides_what_the_missed_occurrences_do() {
    let db = TestDb::migrated().await;
    let (base, _hook) = hook_server().await;
    let first = TestApp::start_with(db.same(), config(&db)).await;
    first.wait_ready().await;
    let member = first.signed_in(Role::Member).await;
    let mut ids = Vec::new();
    for (policy, limit) in [("latest", 100), ("skip", 100), ("all", 3)] {
        let s = create(
            &first,
            &member,
            json!({"name": format!("every-minute-{policy}"), "kind": "interval",
                   "interval_seconds": 60, "catch_up": policy, "catch_up_limit": limit,
                   "action": call(&base, "/caught")}),
        )
        .await;
        ids.push(s["id"].clone());
    }
    first.shutdown().await.unwrap();
    // No instance ran for five minutes: the timetable is 305 s behind.
    let client = db.client().await;
    client
        .execute(
            "UPDATE scheduler.schedules
                SET anchor_at = date_trunc('second', now()) - interval '305 seconds',
                    next_fire_at = date_trunc('second', now()) - interval '305 seconds'",
            &[],
        )
        .await
        .unwrap();
    let second = TestApp::start_with(db.same(), config(&db)).await;
    second.wait_ready().await;
    let latest = wait_runs(&second, &member, &ids[0], |r| count(r, "completed") == 1).await;
    assert_eq!(latest[0]["trigger"], "catch_up");
    let all = wait_runs(&second, &member, &ids[2], |r| count(r, "completed") == 3).await;
    assert!(all.iter().all(|r| r["trigger"] == "catch_up"));
    // The newest missed occurrences, a minute apart, the last one 5 s ago.
    let fired: Vec<DateTime<Utc>> = all.iter().map(|r| time(&r["scheduled_for"])).collect();
    assert!(
        fired
            .windows(2)
            .all(|w| w[1] - w[0] == TimeDelta::seconds(60))
    );
    assert_eq!(time(&latest[0]["scheduled_for"]), fired[2]);
    // Skip fired nothing, and every schedule waits for its next occurrence on the grid.
    let skipped = schedule(&second, &member, &ids[1]).await;
    assert!(runs(&second, &member, &ids[1]).await.is_empty());
    let next = time(&skipped["next_fire_at"]);
    assert_eq!(next - fired[2], TimeDelta::seconds(60));
    missed_occurrences_were_published(&second).await;
    second.shutdown().await.unwrap();
}

/// Each schedule's dropped occurrences were published as `schedule.missed`.
async fn missed_occurrences_were_published(app: &TestApp) {
    let client = app.pool.get().await.unwrap();
    let rows = client
        .query(
            "SELECT data FROM events.outbox WHERE type = 'schedule.missed' ORDER BY seq",
            &[],
        )
        .await
        .unwrap();
    let dropped: Vec<i64> = rows
        .iter()
        .map(|r| r.get::<_, Value>(0)["dropped"].as_i64().unwrap())
        .collect();
    // latest drops 5 of 6, skip drops 6, all (limit 3) drops 3.
    let mut sorted = dropped.clone();
    sorted.sort();
    assert_eq!(sorted, vec![3, 5, 6], "{dropped:?}");
}

#[tokio::test]
async fn an_event_schedule_fires_once_per_matching_event_and_notifies_its_owner() {
    let app = spawn().await;
    let (base, hook) = hook_server().await;
    let member = app.signed_in(Role::Member).await;
    let s = create(
        &app,
        &member,
        json!({"name": "on-pipeline", "kind": "event",
               "event": {"type": "pipeline.created",
                         "filter": {"data": {"pipeline": {"name": "wanted"}}}},
               "action": {"type": "send_notification", "title": "New pipeline",
                          "message": "wanted exists", "level": "warning",
                          "webhook": format!("{base}/notify")}}),
    )
    .await;
    assert_eq!(s["next_fire_times"], json!([]));
    let pipeline = |name: &str| {
        json!({"name": name, "nodes": [{"id": "t", "type": "trigger", "name": "t", "config": {}}],
               "edges": []})
    };
    for name in ["other", "wanted"] {
        let made = post(&app, "/api/pipelines", &member, pipeline(name)).await;
        assert_eq!(made.status(), 201);
    }
    let done = wait_runs(&app, &member, &s["id"], |r| count(r, "completed") == 1).await;
    // "other" came first on the bus and did not match.
    assert_eq!(done.len(), 1);
    assert_eq!(done[0]["trigger"], "event");
    assert!(done[0]["event_id"].is_string());
    let notes = json(app.get_as("/api/notifications", &member).await).await;
    let items = notes["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{notes:#}");
    assert_eq!(items[0]["title"], "New pipeline");
    assert_eq!(items[0]["level"], "warning");
    assert_eq!(items[0]["run_id"], done[0]["id"]);
    let hooked = hook.seen.lock().unwrap().clone();
    assert_eq!(hooked.len(), 1);
    assert_eq!(hooked[0].2["message"], "wanted exists");
    // Read, and only by its owner.
    let id = items[0]["id"].as_str().unwrap();
    let other = app.signed_in(Role::Member).await;
    let theirs = post(
        &app,
        &format!("/api/notifications/{id}/read"),
        &other,
        json!({}),
    )
    .await;
    assert_eq!(theirs.status(), 404);
    let read = post(
        &app,
        &format!("/api/notifications/{id}/read"),
        &member,
        json!({}),
    )
    .await;
    assert!(json(read).await["read_at"].is_string());
    let unread = json(app.get_as("/api/notifications?unread=true", &member).await).await;
    assert_eq!(unread["items"], json!([]));
    app.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_schedule_runs_a_pipeline_to_its_end_and_gives_an_agent_a_task() {
    let (app, member) = examples_app(&["clerk"]).await;
    let document = json!({"name": "scheduled", "nodes": [
            {"id": "t", "type": "trigger", "name": "t", "config": {}},
            {"id": "x", "type": "transform", "name": "x",
             "config": {"expression": "{'doubled': input.n * 2}"}}],
        "edges": [{"id": "e", "from": "t", "to": "x"}]});
    let made = post(&app, "/api/pipelines", &member, document).await;
    assert_eq!(made.status(), 201);
    let pipe = create(
        &app,
        &member,
        json!({"name": "pipe", "kind": "once", "at": soon(0.3),
               "action": {"type": "execute_pipeline", "pipeline": "scheduled",
                          "input": {"n": 21}}}),
    )
    .await;
    let task = create(
        &app,
        &member,
        json!({"name": "task", "kind": "once", "at": soon(0.3),
               "action": {"type": "run_task", "agent": "clerk", "task": "Say hello.",
                          "max_tokens": 8}}),
    )
    .await;
    let done = wait_runs(&app, &member, &pipe["id"], |r| {
        r.iter()
            .any(|x| x["status"] == "completed" || x["status"] == "failed")
    })
    .await;
    assert_eq!(done[0]["status"], "completed", "{:#}", done[0]);
    let output = &done[0]["output"];
    assert_eq!(output["status"], "completed");
    let run = json(
        app.get_as(
            &format!(
                "/api/pipeline-runs/{}",
                output["pipeline_run_id"].as_str().unwrap()
            ),
            &member,
        )
        .await,
    )
    .await;
    assert_eq!(run["trigger"], "schedule");
    assert_eq!(run["output"]["x"]["doubled"], 42, "{run:#}");
    let answered = poll_until(Duration::from_secs(120), || async {
        runs(&app, &member, &task["id"])
            .await
            .iter()
            .any(|x| x["status"] == "completed" || x["status"] == "failed")
    })
    .await;
    assert!(answered);
    let done = runs(&app, &member, &task["id"]).await;
    assert_eq!(done[0]["status"], "completed", "{:#}", done[0]);
    assert_eq!(done[0]["output"]["agent"], "clerk");
    assert_eq!(done[0]["output"]["model"], "smollm2-135m-instruct");
    assert!(!done[0]["output"]["result"].as_str().unwrap().is_empty());
    app.shutdown().await.unwrap();
}

#[tokio::test]
async fn an_event_schedule_whose_listener_lags_reads_what_it_missed_from_the_outbox() {
    let db = TestDb::migrated().await;
    let mut config = config(&db);
    // A tiny queue: the listener, which writes a run per event, falls behind a burst.
    config.events.queue_capacity = 2;
    let app = TestApp::start_with(db, config).await;
    app.wait_ready().await;
    let member = app.signed_in(Role::Member).await;
    let s = create(
        &app,
        &member,
        json!({"name": "every-pipeline", "kind": "event", "event": {"type": "pipeline.created"},
               "overlap": "allow",
               "action": {"type": "send_notification", "message": "a pipeline"}}),
    )
    .await;
    let n = 40;
    let mut made = Vec::new();
    for i in 0..n {
        let body = json!({"name": format!("p{i}"), "nodes": [
            {"id": "t", "type": "trigger", "name": "t", "config": {}}], "edges": []});
        made.push(post(&app, "/api/pipelines", &member, body));
    }
    for response in futures_util::future::join_all(made).await {
        assert_eq!(response.status(), 201);
    }
    let done = wait_runs(&app, &member, &s["id"], |r| count(r, "completed") == n).await;
    let mut events: Vec<&str> = done
        .iter()
        .map(|r| r["event_id"].as_str().unwrap())
        .collect();
    events.sort();
    events.dedup();
    assert_eq!(events.len(), n, "one run per event");
    app.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_database_error_while_firing_fires_nothing_twice_and_disables_nothing() {
    let app = spawn().await;
    let (base, hook) = hook_server().await;
    let member = app.signed_in(Role::Member).await;
    let s = create(
        &app,
        &member,
        json!({"name": "steady", "kind": "interval", "interval_seconds": 1, "catch_up": "all",
               "action": call(&base, "/steady")}),
    )
    .await;
    wait_runs(&app, &member, &s["id"], |r| count(r, "completed") >= 1).await;
    // Every insert of a run now fails, as when the database refuses writes.
    let client = app.db.client().await;
    client
        .batch_execute(
            "CREATE FUNCTION refuse_runs_for_the_test() RETURNS trigger LANGUAGE plpgsql AS
               $$ BEGIN RAISE EXCEPTION 'refused for the test'; END $$;
             CREATE TRIGGER refuse BEFORE INSERT ON scheduler.runs
               FOR EACH ROW EXECUTE FUNCTION refuse_runs_for_the_test();",
        )
        .await
        .unwrap();
    // The schedule falls behind (its fire transactions roll back)...
    let behind = poll_until(Duration::from_secs(10), || async {
        let view = schedule(&app, &member, &s["id"]).await;
        Utc::now() - time(&view["next_fire_at"]) > TimeDelta::milliseconds(1200)
    })
    .await;
    assert!(behind);
    let during = runs(&app, &member, &s["id"]).await.len();
    client
        .batch_execute(
            "DROP TRIGGER refuse ON scheduler.runs; DROP FUNCTION refuse_runs_for_the_test();",
        )
        .await
        .unwrap();
    // ... and catches up once the database accepts writes: the occurrences of the outage are
    // executed (on time within the grace, else caught up), each once, none missing.
    let done = wait_runs(&app, &member, &s["id"], |r| {
        count(r, "completed") >= during + 3
    })
    .await;
    let fired: Vec<DateTime<Utc>> = done.iter().map(|r| time(&r["scheduled_for"])).collect();
    assert!(
        fired
            .windows(2)
            .all(|w| w[1] - w[0] == TimeDelta::seconds(1)),
        "{fired:?}"
    );
    assert_eq!(schedule(&app, &member, &s["id"]).await["status"], "active");
    let mut keys = hook.keys_of("/steady");
    let n = keys.len();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), n, "no occurrence executed twice");
    app.shutdown().await.unwrap();
}

#[tokio::test]
async fn events_published_while_no_scheduler_ran_fire_event_schedules_when_one_starts() {
    let db = TestDb::migrated().await;
    let first = TestApp::start_with(db.same(), config(&db)).await;
    first.wait_ready().await;
    let member = first.signed_in(Role::Member).await;
    let s = create(
        &first,
        &member,
        json!({"name": "on-late", "kind": "event",
               "event": {"type": "pipeline.created", "filter": {"data": {"pipeline": {"name": "late"}}}},
               "action": {"type": "send_notification", "message": "late arrived"}}),
    )
    .await;
    first.shutdown().await.unwrap();
    // A server without a scheduler stores the event; nobody fires on it.
    let mut quiet = config(&db);
    quiet.scheduler.enabled = false;
    let second = TestApp::start_with(db.same(), quiet).await;
    second.wait_ready().await;
    let body = json!({"name": "late", "nodes": [
        {"id": "t", "type": "trigger", "name": "t", "config": {}}], "edges": []});
    assert_eq!(
        post(&second, "/api/pipelines", &member, body)
            .await
            .status(),
        201
    );
    assert!(runs(&second, &member, &s["id"]).await.is_empty());
    second.shutdown().await.unwrap();
    // A scheduler starting reads it from the outbox.
    let third = TestApp::start_with(db.same(), config(&db)).await;
    third.wait_ready().await;
    let done = wait_runs(&third, &member, &s["id"], |r| count(r, "completed") == 1).await;
    assert_eq!(done[0]["trigger"], "event");
    third.shutdown().await.unwrap();
}
