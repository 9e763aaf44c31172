//! Executing occurrences: the overlap policies (skip, queue, allow), retries with the same
//! key, and the actions that run a pipeline or give an agent a task.

use super::*;

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
    let (app, clock) = spawn_on_clock().await;
    let t0 = clock.now();
    let (base, hook) = hook_server().await;
    let member = app.signed_in(Role::Member).await;
    hook.answer(&[500, 503]);
    let retried = create(
        &app,
        &member,
        json!({"name": "retried", "kind": "once", "at": after(t0, 0.3), "retry_count": 2,
               "retry_delay_seconds": 0.2, "action": call(&base, "/flaky")}),
    )
    .await;
    clock.set(t0 + TimeDelta::seconds(1));
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
        json!({"name": "failing", "kind": "once", "at": after(t0, 1.3), "retry_count": 1,
               "retry_delay_seconds": 0, "action": call(&base, "/down")}),
    )
    .await;
    clock.set(t0 + TimeDelta::seconds(2));
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
