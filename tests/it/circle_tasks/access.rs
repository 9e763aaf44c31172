//! Who may see and change a circle's tasks, and the checks on their fields and steps.

use gathering::auth::model::Role;
use serde_json::{Value, json};

use super::{id, ok, send, setup};

#[tokio::test]
async fn outsiders_see_nothing_observers_read_and_fields_are_checked() {
    let s = setup("main", false, &[("ada", "eager", &[], &[], "member")]).await;
    let app = &s.app;
    // A participant in `other`, so its tasks exist; the ids stay another circle's.
    ok(
        send(
            app,
            "POST",
            "/api/circles",
            &s.owner,
            json!({"name": "other"}),
        )
        .await,
        201,
    )
    .await;
    let foreign = s.task("other", json!({"title": "theirs"})).await;

    let mut created = Vec::new();
    for priority in ["low", "MEDIUM", "High", "critical"] {
        let t = s
            .task("main", json!({"title": "t", "priority": priority}))
            .await;
        assert_eq!(t["priority"], priority.to_lowercase());
        created.push(t);
    }
    let urgent = send(
        app,
        "POST",
        "/api/circles/main/tasks",
        &s.owner,
        json!({"title": "t", "priority": "urgent"}),
    )
    .await;
    let body = ok(urgent, 422).await;
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("priority"),
        "{body}"
    );
    let body = ok(
        send(
            app,
            "POST",
            "/api/circles/main/tasks",
            &s.owner,
            json!({"title": " "}),
        )
        .await,
        422,
    )
    .await;
    assert!(
        body["error"]["message"].as_str().unwrap().contains("title"),
        "{body}"
    );
    let body = ok(
        send(
            app,
            "POST",
            "/api/circles/main/tasks",
            &s.owner,
            json!({"title": "t", "colour": "red"}),
        )
        .await,
        422,
    )
    .await;
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("colour"),
        "{body}"
    );
    ok(
        app.get_as("/api/circles/main/tasks?status=nope", &s.owner)
            .await,
        422,
    )
    .await;

    let task = &created[0];
    let t = id(task);
    let writes: Vec<(&str, String, Value)> = vec![
        (
            "POST",
            "/api/circles/main/tasks".into(),
            json!({"title": "x"}),
        ),
        (
            "PATCH",
            format!("/api/circles/main/tasks/{t}"),
            json!({"title": "y"}),
        ),
        (
            "POST",
            format!("/api/circles/main/tasks/{t}/route"),
            json!({}),
        ),
        (
            "POST",
            format!("/api/circles/main/tasks/{t}/accept"),
            json!({"agent": "ada"}),
        ),
        (
            "POST",
            format!("/api/circles/main/tasks/{t}/refuse"),
            json!({"agent": "ada", "reason": "x"}),
        ),
        (
            "POST",
            format!("/api/circles/main/tasks/{t}/review"),
            json!({"verdict": "approve", "note": ""}),
        ),
    ];
    let reads = [
        "/api/circles/main/tasks".to_owned(),
        format!("/api/circles/main/tasks/{t}"),
        "/api/circles/main/conflicts".to_owned(),
    ];

    let outsider = app.signed_in(Role::Member).await;
    for path in &reads {
        ok(app.get_as(path, &outsider).await, 404).await;
    }
    for (method, path, body) in &writes {
        ok(send(app, method, path, &outsider, body.clone()).await, 404).await;
    }

    let observer = app.signed_in(Role::Member).await;
    let me = ok(app.get_as("/api/auth/me", &observer).await, 200).await;
    let path = format!("/api/circles/main/people/{}", id(&me));
    ok(
        send(app, "PUT", &path, &s.owner, json!({"role": "observer"})).await,
        200,
    )
    .await;
    for path in &reads {
        ok(app.get_as(path, &observer).await, 200).await;
    }
    for (method, path, body) in &writes {
        ok(send(app, method, path, &observer, body.clone()).await, 403).await;
    }

    // Another circle's task is not found here.
    ok(
        app.get_as(
            &format!("/api/circles/main/tasks/{}", id(&foreign)),
            &s.owner,
        )
        .await,
        404,
    )
    .await;
    let path = format!("/api/circles/main/tasks/{}/route", id(&foreign));
    ok(send(app, "POST", &path, &s.owner, json!({})).await, 404).await;

    // Steps in the wrong status.
    let path = format!("/api/circles/main/tasks/{t}/review");
    ok(
        send(app, "POST", &path, &s.owner, json!({"verdict": "approve"})).await,
        409,
    )
    .await;
    let path = format!("/api/circles/main/tasks/{t}/accept");
    ok(
        send(app, "POST", &path, &s.owner, json!({"agent": "ada"})).await,
        409,
    )
    .await;
    let patched = send(
        app,
        "PATCH",
        &format!("/api/circles/main/tasks/{t}"),
        &s.owner,
        json!({"title": "renamed", "priority": "HIGH", "resources": ["a.txt"]}),
    )
    .await;
    let patched = ok(patched, 200).await;
    assert_eq!(
        (patched["title"].as_str(), patched["priority"].as_str()),
        (Some("renamed"), Some("high"))
    );
    s.route("main", task).await;
    let patched = send(
        app,
        "PATCH",
        &format!("/api/circles/main/tasks/{t}"),
        &s.owner,
        json!({"title": "again"}),
    )
    .await;
    ok(patched, 409).await;
}
