//! Changing the embedding model: a hosted model of another dimension (a local server speaking
//! OpenAI's embeddings API) gets its own vector tables, everything is re-embedded in the
//! background while the old model keeps serving, then the new one serves.

use std::time::Duration;

use axum::Json;
use axum::routing::post as route_post;
use gathering::auth::model::Role;
use serde_json::{Value, json};

use super::{all_embedded, contents, post, remember, search, spawn_app, user};
use crate::support::{json, poll_until};

/// An 8-dimensional embedding of a text: counts of letters in 8 buckets, normalised.
fn tiny_vector(text: &str) -> Vec<f32> {
    let mut v = [0f32; 8];
    for c in text
        .to_lowercase()
        .chars()
        .filter(|c| c.is_ascii_alphabetic())
    {
        v[(c as usize) % 8] += 1.0;
    }
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-6);
    v.iter().map(|x| x / norm).collect()
}

async fn embeddings(Json(body): Json<Value>) -> Json<Value> {
    let inputs: Vec<String> = match &body["input"] {
        Value::String(s) => vec![s.clone()],
        Value::Array(a) => a
            .iter()
            .map(|s| s.as_str().unwrap_or("").to_owned())
            .collect(),
        _ => Vec::new(),
    };
    let data: Vec<Value> = inputs
        .iter()
        .enumerate()
        .map(|(i, t)| json!({"object": "embedding", "index": i, "embedding": tiny_vector(t)}))
        .collect();
    Json(
        json!({"object": "list", "data": data, "model": body["model"],
                "usage": {"prompt_tokens": inputs.len(), "total_tokens": inputs.len()}}),
    )
}

#[tokio::test]
async fn a_new_embedding_model_reembeds_in_the_background_and_then_serves() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}/v1", listener.local_addr().unwrap());
    let server = axum::Router::new().route("/v1/embeddings", route_post(embeddings));
    tokio::spawn(async move { axum::serve(listener, server).await.unwrap() });

    let app = spawn_app().await;
    let (admin, _) = user(&app, Role::Admin).await;
    let (alice, _) = user(&app, Role::Member).await;
    for text in [
        "Oranges are citrus fruit.",
        "Granite is an igneous rock.",
        "Owls hunt at night.",
    ] {
        remember(&app, &alice, json!({"scope": "user", "content": text})).await;
    }
    all_embedded(&app, &admin).await;

    let provider = json!({"name": "tiny", "kind": "openai", "base_url": base});
    assert_eq!(
        post(&app, "/api/llm/providers", &admin, provider)
            .await
            .status(),
        201
    );
    let model = json!({"name": "tiny-8d", "provider": "tiny", "provider_model": "tiny",
                       "kind": "embedding", "context_window": 512, "dimension": 8});
    assert_eq!(
        post(&app, "/api/llm/models", &admin, model).await.status(),
        201
    );

    // Only admins switch; unknown and chat models are refused.
    let put = |token: &str, body: Value| {
        app.http
            .put(app.url("/api/memories/embedding"))
            .bearer_auth(token.to_owned())
            .json(&body)
            .send()
    };
    assert_eq!(
        put(&alice, json!({"model": "tiny-8d"}))
            .await
            .unwrap()
            .status(),
        403
    );
    for bad in ["nope", "smollm2-135m-instruct"] {
        assert_eq!(
            put(&admin, json!({"model": bad})).await.unwrap().status(),
            422,
            "{bad}"
        );
    }
    let started = json(put(&admin, json!({"model": "tiny-8d"})).await.unwrap()).await;
    assert_eq!(started["target_model"], "tiny-8d");
    assert_eq!(started["target_dimension"], 8);

    // Search keeps answering throughout, then the new model serves.
    let switched = poll_until(Duration::from_secs(60), || async {
        let found = search(
            &app,
            &alice,
            json!({"query": "night birds", "mode": "semantic"}),
        )
        .await;
        assert_eq!(contents(&found).len(), 3);
        found["model"] == "tiny-8d"
    })
    .await;
    assert!(switched, "the new model never served");
    let status = json(app.get_as("/api/memories/embedding", &admin).await).await;
    assert_eq!(status["serving_model"], "tiny-8d");
    assert_eq!(status["reembedding"], false);
    assert_eq!(status["memories"]["embedded"], 3);
    // A viewer sees the models, not the counts.
    let (viewer, _) = user(&app, Role::Viewer).await;
    let seen = json(app.get_as("/api/memories/embedding", &viewer).await).await;
    assert_eq!(seen["serving_model"], "tiny-8d");
    assert!(seen["memories"].is_null());
    // Vectors of both dimensions coexist, each in its table.
    let client = app.db.client().await;
    for table in ["memory.memory_vectors_384", "memory.memory_vectors_8"] {
        let n: i64 = client
            .query_one(&format!("SELECT count(*) FROM {table}"), &[])
            .await
            .unwrap()
            .get(0);
        assert_eq!(n, 3, "{table}");
    }
}
