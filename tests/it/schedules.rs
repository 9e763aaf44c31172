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
use gathering::core::clock::{Clock, ManualClock};
use gathering::events::{Filter, TypePattern};
use serde_json::{Value, json};

use crate::pipeline_runs::{Hook, examples_app, hook_server, post};

mod events;
mod execution;
mod guard;
mod timetable;
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
    after(Utc::now(), seconds)
}

/// `seconds` after `t`, as a schedule takes a time.
fn after(t: DateTime<Utc>, seconds: f64) -> String {
    (t + TimeDelta::milliseconds((seconds * 1000.0) as i64)).to_rfc3339()
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
