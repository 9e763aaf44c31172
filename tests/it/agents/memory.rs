//! Agents and memories: the memory settings of an agent, the `remember`, `recall` and `forget`
//! tools played by a scripted model, the memories a turn's prompt is given and records, the
//! extraction of memories after a turn, and the real local model answering from a memory.

use super::*;

#[tokio::test]
async fn memory_settings_default_validate_and_change() {
    let app = spawn_app(|_| {}).await;
    let member = app.signed_in(Role::Member).await;
    let persona = persona_id(&app, &member, "data-analyst").await;
    let created = agent(
        &app,
        &member,
        json!({"name": "keeper", "persona_id": persona}),
    )
    .await;
    assert_eq!(created["memory_budget_tokens"], 512);
    assert_eq!(created["memory_threshold"], 0.0);
    assert_eq!(created["extract_memories"], false);

    for (body, field) in [
        (json!({"memory_budget_tokens": -1}), "memory_budget_tokens"),
        (
            json!({"memory_budget_tokens": 8193}),
            "memory_budget_tokens",
        ),
        (json!({"memory_threshold": 1.5}), "memory_threshold"),
        (json!({"memory_threshold": -0.1}), "memory_threshold"),
    ] {
        let mut full = json!({"name": "bad", "persona_id": persona});
        full.as_object_mut()
            .unwrap()
            .extend(body.as_object().unwrap().clone());
        let response = post_as(&app, "/api/agents", &member, full).await;
        assert_eq!(response.status(), 422);
        let error = json(response).await;
        assert_eq!(error["error"]["details"]["field"], field, "{error}");

        let path = format!("/api/agents/{}", created["id"].as_str().unwrap());
        let response = app
            .http
            .patch(app.url(&path))
            .bearer_auth(&member)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 422);
        assert_eq!(json(response).await["error"]["details"]["field"], field);
    }

    let path = format!("/api/agents/{}", created["id"].as_str().unwrap());
    let response = app
        .http
        .patch(app.url(&path))
        .bearer_auth(&member)
        .json(&json!({"memory_budget_tokens": 0, "memory_threshold": 0.4,
                      "extract_memories": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let changed = json(response).await;
    assert_eq!(changed["memory_budget_tokens"], 0);
    assert!((changed["memory_threshold"].as_f64().unwrap() - 0.4).abs() < 1e-6);
    assert_eq!(changed["extract_memories"], true);
    let read = json(app.get_as(&path, &member).await).await;
    assert_eq!(read["memory_budget_tokens"], 0);
    assert_eq!(read["extract_memories"], true);
    app.shutdown().await.unwrap();
}
