//! Tasks going through their steps by agents' turns: routing by competency then load, refusals
//! and escalation, the review loop, conflicts on shared resources.

use serde_json::{Value, json};

use super::{id, ok, send, setup, steps};

#[tokio::test]
async fn routing_picks_the_best_match_then_the_least_loaded_and_conflicts_are_recorded() {
    let s = setup(
        "routing",
        false,
        &[
            ("aaron", "eager", &["rust"], &[], "observer"),
            ("ann", "slow", &["rust"], &[], "member"),
            ("bob", "slow", &["rust"], &[], "member"),
            ("cy", "eager", &["python"], &[], "member"),
        ],
    )
    .await;
    let c = "routing";
    // A tie on competencies and load: the name decides; the observer is never offered.
    let t1 = s
        .task(
            c,
            json!({"title": "parser", "competencies": ["Rust"],
                        "resources": ["src/lib.rs", "docs/a.md"]}),
        )
        .await;
    assert_eq!(t1["status"], "open");
    let routed = s.route(c, &t1).await;
    assert_eq!(
        (
            routed["status"].as_str(),
            routed["offered_to_name"].as_str()
        ),
        (Some("offered"), Some("ann"))
    );
    // ann accepts (an agent turn) and works (held): her load is 1.
    s.until(c, &t1, "ann works", |t| t["status"] == "in_progress")
        .await;
    let t2 = s
        .task(
            c,
            json!({"title": "lexer", "competencies": ["rust"], "resources": ["src/lib.rs"]}),
        )
        .await;
    assert_eq!(s.route(c, &t2).await["offered_to_name"], "bob");
    // Competency outweighs load: the only python agent.
    let t3 = s
        .task(c, json!({"title": "notebook", "competencies": ["python"]}))
        .await;
    assert_eq!(s.route(c, &t3).await["offered_to_name"], "cy");

    // bob takes a task on ann's file: a conflict.
    s.until(c, &t2, "bob works", |t| t["status"] == "in_progress")
        .await;
    let conflicts = ok(
        s.app
            .get_as("/api/circles/routing/conflicts", &s.owner)
            .await,
        200,
    )
    .await;
    let items = conflicts["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{conflicts}");
    assert_eq!(items[0]["resource"], "src/lib.rs");
    assert_eq!(items[0]["task_ids"], json!([id(&t1), id(&t2)]));
    assert!(items[0]["resolved_at"].is_null());
    let detected = s.events("circle.conflict_detected").await;
    assert_eq!(detected.len(), 1);
    assert_eq!(detected[0]["data"]["resource"], "src/lib.rs");
    assert_eq!(detected[0]["data"]["agent_names"], json!(["ann", "bob"]));

    // The work goes on: with no review required, the submission finishes the task.
    s.script.gate.add_permits(10);
    let done = s.until(c, &t1, "t1 done", |t| t["status"] == "done").await;
    assert_eq!(done["result"], "the work, first draft");
    assert_eq!(done["assignee_name"], "ann");
    assert_eq!(
        steps(&done),
        ["created", "offered", "accepted", "started", "submitted"]
    );
    s.until(c, &t3, "t3 done", |t| t["status"] == "done").await;
    s.until(c, &t2, "t2 done", |t| t["status"] == "done").await;
    let conflicts = ok(
        s.app
            .get_as("/api/circles/routing/conflicts", &s.owner)
            .await,
        200,
    )
    .await;
    assert!(conflicts["items"][0]["resolved_at"].is_string());
    let listed = ok(
        s.app
            .get_as(
                "/api/circles/routing/tasks?status=done&assignee=bob",
                &s.owner,
            )
            .await,
        200,
    )
    .await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);
    assert_eq!(listed["items"][0]["id"], t2["id"]);
}

#[tokio::test]
async fn a_refusal_goes_to_the_next_and_when_all_refuse_the_task_is_escalated() {
    let s = setup(
        "refusals",
        false,
        &[
            ("amy", "refuser", &["rust"], &[], "member"),
            ("ben", "mute", &["rust"], &[], "member"),
            ("cal", "refuser", &[], &[], "member"),
        ],
    )
    .await;
    let c = "refusals";
    // amy refuses by her turn; ben is next (his turn waits): a person accepts for him.
    let t1 = s
        .task(c, json!({"title": "port", "competencies": ["rust"]}))
        .await;
    assert_eq!(s.route(c, &t1).await["offered_to_name"], "amy");
    let offered = s
        .until(c, &t1, "offered to ben", |t| t["offered_to_name"] == "ben")
        .await;
    let history = offered["history"].as_array().unwrap();
    let refused = history.iter().find(|h| h["step"] == "refused").unwrap();
    assert_eq!(refused["detail"]["agent"], "amy");
    assert_eq!(refused["detail"]["reason"], "not my field");
    assert_eq!(offered["refused_by"], json!([refused["agent_id"]]));
    assert_eq!(
        steps(&offered),
        ["created", "offered", "refused", "offered"]
    );
    let path = format!("/api/circles/{c}/tasks/{}/accept", id(&t1));
    let accepted = ok(
        send(&s.app, "POST", &path, &s.owner, json!({"agent": "ben"})).await,
        200,
    )
    .await;
    assert_eq!(
        (
            accepted["status"].as_str(),
            accepted["assignee_name"].as_str()
        ),
        (Some("claimed"), Some("ben"))
    );

    // amy and cal refuse by their turns, a person refuses for ben: nobody is left.
    let t2 = s.task(c, json!({"title": "rewrite"})).await;
    s.route(c, &t2).await;
    s.until(c, &t2, "offered to ben", |t| t["offered_to_name"] == "ben")
        .await;
    let path = format!("/api/circles/{c}/tasks/{}/refuse", id(&t2));
    let body = json!({"agent": "amy", "reason": "x"});
    ok(send(&s.app, "POST", &path, &s.owner, body).await, 409).await;
    let body = json!({"agent": "ben", "reason": "on leave"});
    let blocked = ok(send(&s.app, "POST", &path, &s.owner, body).await, 200).await;
    assert_eq!(blocked["status"], "blocked");
    assert_eq!(blocked["refused_by"].as_array().unwrap().len(), 3);
    let blocked = s.get(c, &t2).await;
    assert_eq!(steps(&blocked).last().unwrap(), "escalated");
    let me = ok(s.app.get_as("/api/auth/me", &s.owner).await, 200).await;
    let escalated = s.events("circle.task_escalated").await;
    assert_eq!(escalated.len(), 1);
    let data = &escalated[0]["data"];
    assert_eq!(data["task_id"], t2["id"]);
    assert_eq!(data["circle"], "refusals");
    assert_eq!(data["owners"][0]["user_id"], me["id"]);
    assert!(data["reason"].as_str().unwrap().contains("no agent"));

    // ben's work goes on once his model answers.
    s.script.gate.add_permits(100);
    let done = s
        .until(c, &t1, "ben did it", |t| t["status"] == "done")
        .await;
    assert_eq!(done["result"], "the work, first draft");
}

#[tokio::test]
async fn a_reviewer_other_than_the_author_asks_for_changes_approves_or_rejects() {
    let s = setup(
        "review",
        true,
        &[
            ("ada", "eager", &["rust", "go"], &["docs"], "member"),
            ("pia", "picky", &[], &["rust"], "reviewer"),
            ("hal", "harsh", &[], &["go"], "reviewer"),
        ],
    )
    .await;
    let c = "review";
    let good = s
        .task(c, json!({"title": "api", "competencies": ["rust"]}))
        .await;
    let bad = s
        .task(c, json!({"title": "cli", "competencies": ["go"]}))
        .await;
    assert_eq!(s.route(c, &good).await["offered_to_name"], "ada");
    assert_eq!(s.route(c, &bad).await["offered_to_name"], "ada");

    // pia asks for changes once; the second iteration's prompt carries her note.
    let done = s
        .until(c, &good, "approved", |t| t["status"] == "done")
        .await;
    assert_eq!(done["iteration"], 2);
    assert_eq!(done["reviewer_name"], "pia");
    assert_eq!(done["assignee_name"], "ada");
    assert_eq!(done["result"], "the work, fixed as asked");
    let reviews: Vec<&Value> = done["history"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| h["step"] == "reviewed")
        .collect();
    assert_eq!(reviews.len(), 2);
    assert_eq!(reviews[0]["detail"]["verdict"], "changes");
    assert_eq!(reviews[0]["detail"]["note"], "add tests");
    assert_eq!(reviews[0]["detail"]["agent"], "pia");
    assert_eq!(reviews[1]["detail"]["verdict"], "approve");
    assert!(
        s.prompts()
            .iter()
            .any(|p| p.contains("iteration 2") && p.contains("add tests")),
        "no second iteration carried the note"
    );

    // hal rejects: blocked and escalated to the owners.
    let blocked = s
        .until(c, &bad, "rejected", |t| t["status"] == "blocked")
        .await;
    assert_eq!(blocked["review_note"], "wrong approach");
    assert_eq!(
        &steps(&blocked)[steps(&blocked).len() - 2..],
        ["reviewed", "escalated"]
    );
    let escalated = s.events("circle.task_escalated").await;
    assert_eq!(escalated.len(), 1);
    assert!(
        escalated[0]["data"]["reason"]
            .as_str()
            .unwrap()
            .contains("wrong approach")
    );
    // No agent ever reviewed its own work.
    for h in done["history"]
        .as_array()
        .unwrap()
        .iter()
        .chain(blocked["history"].as_array().unwrap())
    {
        if h["step"] == "reviewed" {
            assert_ne!(h["detail"]["agent"], "ada");
        }
    }

    // A person reviews too: a task in review with no reviewer agent for its competency.
    let docs = s
        .task(c, json!({"title": "guide", "competencies": ["writing"]}))
        .await;
    s.route(c, &docs).await;
    let waiting = s
        .until(c, &docs, "in review", |t| t["status"] == "review")
        .await;
    assert!(waiting["reviewer_id"].is_null(), "{waiting}");
    let path = format!("/api/circles/{c}/tasks/{}/review", id(&docs));
    let body = json!({"verdict": "approve", "note": "fine"});
    let reviewed = ok(
        send(&s.app, "POST", &path, &s.owner, body.clone()).await,
        200,
    )
    .await;
    assert_eq!(reviewed["status"], "done");
    ok(send(&s.app, "POST", &path, &s.owner, body).await, 409).await;
}
