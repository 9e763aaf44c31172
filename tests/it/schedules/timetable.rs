//! Schedules on their timetable: an interval on its grid, cron with seconds and across DST,
//! once, an end date, pause and resume, a manual trigger, catch-up after downtime, and a
//! database error while firing. The scheduler reads a manual clock where a test would
//! otherwise wait for an occurrence to come due.

use super::*;

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
    let (app, clock) = spawn_on_clock().await;
    let t0 = clock.now();
    let at = |seconds: f64| after(t0, seconds);
    let (base, hook) = hook_server().await;
    let member = app.signed_in(Role::Member).await;
    let once = create(
        &app,
        &member,
        json!({"name": "once", "kind": "once", "at": at(0.5), "action": call(&base, "/once")}),
    )
    .await;
    let ended = create(
        &app,
        &member,
        json!({"name": "ends", "kind": "interval", "interval_seconds": 1, "end_at": at(2.5),
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
    // The once and the first of the interval.
    clock.set(t0 + TimeDelta::seconds(1));
    let once_runs = wait_runs(&app, &member, &once["id"], |r| count(r, "completed") == 1).await;
    assert_eq!(once_runs.len(), 1);
    let once_view = schedule(&app, &member, &once["id"]).await;
    assert_eq!(once_view["status"], "finished");
    assert_last_run(&once_view, &once_runs[0]);
    assert_eq!(once_view["last_run"]["status"], "completed");
    assert_eq!(once_view["last_run"]["trigger"], "schedule");
    // Ends after two occurrences (the second once the first completed: under overlap skip, a
    // second fired while the first still ran would be skipped).
    wait_runs(&app, &member, &ended["id"], |r| count(r, "completed") == 1).await;
    clock.set(t0 + TimeDelta::seconds(2));
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
    clock.set(t0 + TimeDelta::seconds(3));
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
