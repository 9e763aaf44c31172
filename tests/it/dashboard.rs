//! The endpoints the dashboard's pages read beside the lists: a schedule's preview, the
//! pipeline node types with their config schemas, the overview, and the lists' search and
//! status filters, each as the roles that may (and may not) use them.

use chrono::{DateTime, TimeDelta, Utc};
use gathering::auth::model::Role;
use serde_json::{Value, json};

use crate::pipeline_runs::{create, finished, post, start};
use crate::support::{TestApp, json};

fn notify() -> Value {
    json!({"type": "send_notification", "message": "hello"})
}

fn times(body: &Value) -> Vec<DateTime<Utc>> {
    body["fire_times"]
        .as_array()
        .unwrap_or_else(|| panic!("no fire_times: {body:#}"))
        .iter()
        .map(|t| {
            DateTime::parse_from_rfc3339(t.as_str().unwrap())
                .unwrap()
                .to_utc()
        })
        .collect()
}

async fn field_of(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let body = json(response).await;
    (status, body["error"]["details"]["field"].clone())
}

#[tokio::test]
async fn a_schedule_preview_lists_fire_times_and_stores_nothing() {
    let app = TestApp::spawn().await;
    let member = app.signed_in(Role::Member).await;
    let viewer = app.signed_in(Role::Viewer).await;
    let cron = json!({"name": "quarterly", "kind": "cron", "cron": "0 */15 * * * *",
        "timezone": "Europe/Paris", "action": notify()});

    let before = Utc::now();
    let response = post(&app, "/api/schedules/preview", &member, cron.clone()).await;
    assert_eq!(response.status(), 200);
    let body = json(response).await;
    assert_eq!(body["kind"], "cron");
    assert_eq!(body["time_zone"], "Europe/Paris");
    assert_eq!(body["fires_on"], Value::Null);
    let fire = times(&body);
    assert_eq!(fire.len(), 5, "{body:#}");
    assert!(fire[0] > before && fire[0] <= before + TimeDelta::minutes(15));
    for pair in fire.windows(2) {
        assert_eq!(pair[1] - pair[0], TimeDelta::minutes(15), "{body:#}");
    }
    for t in &fire {
        assert_eq!(t.timestamp() % 900, 0, "on a quarter hour: {t}");
    }

    let mut counted = cron.clone();
    counted["count"] = json!(12);
    let body = json(post(&app, "/api/schedules/preview", &member, counted).await).await;
    assert_eq!(times(&body).len(), 12);

    // Each kind: an interval from now, a once at its time, an event schedule in words.
    let body = json(
        post(
            &app,
            "/api/schedules/preview",
            &member,
            json!({"name": "i", "kind": "interval", "interval_seconds": 60, "count": 3,
                "action": notify()}),
        )
        .await,
    )
    .await;
    let fire = times(&body);
    assert_eq!((fire.len(), body["time_zone"].clone()), (3, json!("UTC")));
    assert_eq!(fire[1] - fire[0], TimeDelta::seconds(60));
    let at = (Utc::now() + TimeDelta::days(2))
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string();
    let body = json(
        post(
            &app,
            "/api/schedules/preview",
            &member,
            json!({"name": "o", "kind": "once", "at": at, "action": notify()}),
        )
        .await,
    )
    .await;
    assert_eq!(body["fire_times"], json!([at]));
    let body = json(
        post(
            &app,
            "/api/schedules/preview",
            &member,
            json!({"name": "e", "kind": "event", "action": notify(),
                "event": {"type": "pipeline_run.failed", "filter": {"data": {"status": "failed"}}}}),
        )
        .await,
    )
    .await;
    assert_eq!(body["fire_times"], json!([]));
    assert_eq!(
        body["fires_on"],
        "every pipeline_run.failed event where data.status = \"failed\""
    );

    // Refusals name the field, as creating would.
    let mut bad = cron.clone();
    bad["cron"] = json!("61 * * * *");
    let (status, field) = field_of(post(&app, "/api/schedules/preview", &member, bad).await).await;
    assert_eq!((status, field), (422, json!("cron")));
    let mut bad = cron.clone();
    bad["timezone"] = json!("Mars/Olympus");
    let (status, field) = field_of(post(&app, "/api/schedules/preview", &member, bad).await).await;
    assert_eq!((status, field), (422, json!("timezone")));
    for count in [json!(0), json!(51), json!("5")] {
        let mut bad = cron.clone();
        bad["count"] = count.clone();
        let response = post(&app, "/api/schedules/preview", &member, bad).await;
        assert_eq!(response.status(), 422, "count {count}");
    }
    let mut unknown = cron.clone();
    unknown["colour"] = json!("blue");
    let response = post(&app, "/api/schedules/preview", &member, unknown).await;
    assert_eq!(response.status(), 422);
    assert!(json(response).await.to_string().contains("colour"));

    let response = post(&app, "/api/schedules/preview", &viewer, cron).await;
    assert_eq!(response.status(), 403);
    let list = json(app.get_as("/api/schedules", &member).await).await;
    assert_eq!(list["items"], json!([]), "a preview stores nothing");
}

#[tokio::test]
async fn node_types_serve_the_schemas_validation_uses() {
    let app = TestApp::spawn().await;
    let viewer = app.signed_in(Role::Viewer).await;
    assert_eq!(app.get("/api/pipelines/node-types").await.status(), 401);
    let response = app.get_as("/api/pipelines/node-types", &viewer).await;
    assert_eq!(response.status(), 200);
    let types = json(response).await;
    let types = types.as_array().unwrap();
    let names: Vec<&str> = types.iter().map(|t| t["type"].as_str().unwrap()).collect();
    for base in [
        "trigger",
        "agent",
        "condition",
        "action",
        "transform",
        "filter",
        "merge",
        "parallel",
        "delay",
        "approval",
    ] {
        assert!(names.contains(&base), "{base} missing from {names:?}");
    }

    // A chain through every type, each with the example config its served schema accepts,
    // validates; the same config with a key the schema refuses fails validation at that node.
    let mut nodes = Vec::new();
    let mut edges = Vec::new();
    let mut previous: Option<String> = None;
    for t in types {
        let kind = t["type"].as_str().unwrap();
        assert!(!t["description"].as_str().unwrap().is_empty());
        let schema = jsonschema::validator_for(&t["config_schema"]).unwrap();
        let example = &t["example_config"];
        assert!(schema.is_valid(example), "{kind}: {example}");
        let mut refused = example.clone();
        refused["no_such_key"] = json!(1);
        assert!(!schema.is_valid(&refused), "{kind}");

        let id = format!("n-{kind}");
        nodes.push(json!({"id": id, "type": kind, "config": example}));
        if let Some(from) = &previous {
            edges.push(json!({"from": from, "to": id}));
        }
        previous = Some(id);
    }
    let document = json!({"name": "every type", "nodes": nodes, "edges": edges});
    let report = json(post(&app, "/api/pipelines/validate", &viewer, document.clone()).await).await;
    assert_eq!(report["valid"], true, "{report:#}");
    let mut broken = document;
    for node in broken["nodes"].as_array_mut().unwrap() {
        node["config"]["no_such_key"] = json!(1);
    }
    let report = json(post(&app, "/api/pipelines/validate", &viewer, broken).await).await;
    for name in &names {
        let id = format!("n-{name}");
        assert!(
            report["errors"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["node_id"] == id.as_str()),
            "{id} not refused: {report:#}"
        );
    }
}

async fn seed_usage(app: &TestApp, user: &str, at: DateTime<Utc>, tokens: (i32, i32), cost: f64) {
    let client = app.db.client().await;
    client
        .execute(
            "INSERT INTO llm.usage (id, at, model_name, provider, operation, user_id,
                                    prompt_tokens, completion_tokens, cost_usd, outcome)
             SELECT $1, $2, 'm', 'p', 'chat', id, $3, $4, $5::float8::numeric, 'success'
               FROM auth.users WHERE lower(email) = lower($6)",
            &[
                &uuid::Uuid::now_v7(),
                &at,
                &tokens.0,
                &tokens.1,
                &cost,
                &user,
            ],
        )
        .await
        .unwrap();
}

async fn me(app: &TestApp, token: &str) -> String {
    json(app.get_as("/api/auth/me", token).await).await["email"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn the_overview_counts_what_each_role_may_see() {
    let app = TestApp::spawn().await;
    let admin = app.signed_in(Role::Admin).await;
    let member = app.signed_in(Role::Member).await;
    let viewer = app.signed_in(Role::Viewer).await;
    assert_eq!(app.get("/api/overview").await.status(), 401);

    let pipeline = create(
        &app,
        &member,
        json!({"name": "p", "nodes": [{"id": "t", "type": "trigger"}]}),
    )
    .await;
    let run = start(&app, &member, &pipeline, json!({})).await;
    assert_eq!(finished(&app, &member, &run).await["status"], "completed");
    for token in [&member, &admin] {
        let body = json!({"name": format!("s-{}", uuid::Uuid::now_v7()), "kind": "interval",
            "interval_seconds": 3600, "paused": true, "action": notify()});
        assert_eq!(
            post(&app, "/api/schedules", token, body).await.status(),
            201
        );
    }
    let now = Utc::now();
    seed_usage(&app, &me(&app, &member).await, now, (10, 5), 0.25).await;
    seed_usage(
        &app,
        &me(&app, &member).await,
        now - TimeDelta::days(2),
        (1000, 1000),
        9.0,
    )
    .await;
    seed_usage(&app, &me(&app, &admin).await, now, (100, 50), 1.0).await;

    let head = app.outbox_head().await;
    let of_member = json(app.get_as("/api/overview", &member).await).await;
    let of_admin = json(app.get_as("/api/overview", &admin).await).await;
    let of_viewer = json(app.get_as("/api/overview", &viewer).await).await;

    let users = json(app.get_as("/api/users?limit=200", &admin).await).await;
    let users = users["items"].as_array().unwrap().len() as i64;
    assert_eq!(
        of_admin["counts"],
        json!({"agents": 0, "personas": 0, "pipelines": 1, "schedules": 2, "users": users,
               "mcp_servers": 0})
    );
    assert_eq!(
        of_member["counts"],
        json!({"agents": 0, "personas": 0, "pipelines": 1, "schedules": 1, "users": null,
               "mcp_servers": null})
    );
    assert_eq!(of_viewer["counts"]["schedules"], 0);
    assert_eq!(of_viewer["counts"]["users"], Value::Null);
    let runs = json!({"pending": 0, "running": 0, "waiting": 0, "failed_today": 0,
                      "completed_today": 1});
    assert_eq!(of_member["runs"], runs);
    assert_eq!(of_viewer["runs"], runs);

    // Usage: the caller's own calls today; everyone's for an admin.
    assert_eq!(
        of_member["usage_today"],
        json!({"requests": 1, "errors": 0, "prompt_tokens": 10, "completion_tokens": 5,
               "cost": 0.25})
    );
    assert_eq!(of_admin["usage_today"]["requests"], 2);
    assert_eq!(of_admin["usage_today"]["prompt_tokens"], 110);
    assert_eq!(of_viewer["usage_today"]["requests"], 0);

    assert!(of_member["latest_event_seq"].as_i64().unwrap() >= head);
    assert_eq!(of_member["ready"], true);
    let day_start = DateTime::parse_from_rfc3339(of_member["day_start"].as_str().unwrap()).unwrap();
    assert!(day_start <= now && now - day_start.to_utc() < TimeDelta::days(1));
}

#[tokio::test]
async fn lists_search_by_text_and_runs_filter_by_status() {
    let app = TestApp::spawn().await;
    let admin = app.signed_in(Role::Admin).await;
    let member = app.signed_in(Role::Member).await;
    let mut personas = Vec::new();
    for (name, display, role) in [
        ("alpha-scout", "Alpha Scout", "researcher"),
        ("beta-writer", "Beta", "Technical WRITER"),
    ] {
        let response = post(
            &app,
            "/api/personas",
            &member,
            json!({"name": name, "display_name": display, "role": role, "prompt": "Be brief."}),
        )
        .await;
        assert_eq!(response.status(), 201);
        personas.push(json(response).await["id"].clone());
    }
    for (name, persona) in [("scout-one", &personas[0]), ("penman", &personas[1])] {
        let response = post(
            &app,
            "/api/agents",
            &member,
            json!({"name": name, "persona_id": persona}),
        )
        .await;
        assert_eq!(response.status(), 201);
    }
    let names = |page: Value, key: &str| -> Vec<String> {
        page["items"]
            .as_array()
            .unwrap_or_else(|| panic!("{page:#}"))
            .iter()
            .map(|i| i[key].as_str().unwrap().to_owned())
            .collect()
    };
    let get = |path: String| {
        let (app, member) = (&app, &member);
        async move { json(app.get_as(&path, member).await).await }
    };
    assert_eq!(
        names(get("/api/personas?q=writer".into()).await, "name"),
        ["beta-writer"]
    );
    assert_eq!(
        names(get("/api/personas?q=SCOUT".into()).await, "name"),
        ["alpha-scout"]
    );
    assert_eq!(
        names(get("/api/personas?q=%20".into()).await, "name").len(),
        2
    );
    assert_eq!(
        names(get("/api/agents?q=PEN".into()).await, "name"),
        ["penman"]
    );
    // An agent is found by its persona's names too.
    assert_eq!(
        names(get("/api/agents?q=alpha".into()).await, "name"),
        ["scout-one"]
    );
    assert!(
        names(get("/api/agents?q=%25".into()).await, "name").is_empty(),
        "% is literal"
    );
    let response = app
        .get_as(&format!("/api/agents?q={}", "x".repeat(201)), &member)
        .await;
    assert_eq!(field_of(response).await, (422, json!("q")));

    for name in ["Invoices", "Daily digest"] {
        create(
            &app,
            &member,
            json!({"name": name, "description": "sends the invoices", "nodes": [{"id": "t", "type": "trigger"}]}),
        )
        .await;
    }
    assert_eq!(
        names(get("/api/pipelines?q=digest".into()).await, "name"),
        ["Daily digest"]
    );
    assert_eq!(
        names(get("/api/pipelines?q=INVOICE".into()).await, "name").len(),
        2
    );
    let me = me(&app, &member).await;
    let users = json(
        app.get_as(&format!("/api/users?q={}", me.to_uppercase()), &admin)
            .await,
    )
    .await;
    assert_eq!(names(users, "email"), [me]);

    let pipeline = create(
        &app,
        &member,
        json!({"name": "r", "nodes": [{"id": "t", "type": "trigger"}]}),
    )
    .await;
    let run = start(&app, &member, &pipeline, json!({})).await;
    let done = finished(&app, &member, &run).await;
    assert_eq!(done["status"], "completed");
    // The run's page has every node's state.
    let node = &done["nodes"][0];
    for key in ["status", "input", "output", "error", "attempts"] {
        assert!(node.get(key).is_some(), "{key} missing from {node:#}");
    }
    let runs = |status: &str| get(format!("/api/pipelines/{pipeline}/runs?status={status}"));
    assert_eq!(runs("completed").await["items"][0]["id"], run.as_str());
    assert_eq!(runs("failed").await["items"], json!([]));
    let response = app
        .get_as(
            &format!("/api/pipelines/{pipeline}/runs?status=lost"),
            &member,
        )
        .await;
    assert_eq!(field_of(response).await, (422, json!("status")));
}
