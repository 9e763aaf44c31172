//! Search: hybrid finds an exact keyword the vectors miss and a paraphrase the keywords miss;
//! a filtered search returns a full top-k when enough matches exist; bad searches are 422.

use gathering::auth::model::Role;
use serde_json::json;

use super::{all_embedded, contents, post, remember, search, spawn_app, user};
use crate::support::json;

#[tokio::test]
async fn hybrid_search_finds_keywords_and_paraphrases() {
    let app = spawn_app().await;
    let (admin, _) = user(&app, Role::Admin).await;
    let (alice, _) = user(&app, Role::Member).await;
    // Short notes of codes one character apart from the one we look for, which sits at the end
    // of a long memory about something else: to a sentence embedding, the short notes are
    // closer to the bare code.
    for other in [
        "ZX-4471-QB",
        "ZX-4417-QP",
        "ZX-4771-QP",
        "ZX-4471-PQ",
        "XZ-4471-QP",
        "ZX-4471-OP",
    ] {
        remember(
            &app,
            &alice,
            json!({"scope": "user",
                   "content": format!("Invoice code {other}.")}),
        )
        .await;
    }
    let code = "Travel policy: economy class for flights under six hours, hotels up to 150 euros \
                a night, receipts filed within 30 days; policy reference ZX-4471-QP.";
    remember(&app, &alice, json!({"scope": "user", "content": code})).await;
    let cat = "The cat is sleeping on the sofa.";
    remember(&app, &alice, json!({"scope": "user", "content": cat})).await;
    for other in [
        "Quarterly revenue grew by four percent.",
        "The build server runs on Debian.",
        "Meetings start at nine on Mondays.",
    ] {
        remember(&app, &alice, json!({"scope": "user", "content": other})).await;
    }
    all_embedded(&app, &admin).await;

    // The exact code: the keywords find it first; the vectors do not single it out.
    let by_keyword = search(
        &app,
        &alice,
        json!({"query": "ZX-4471-QP", "mode": "keyword"}),
    )
    .await;
    assert_eq!(contents(&by_keyword), vec![code.to_owned()]);
    let by_vector = search(
        &app,
        &alice,
        json!({"query": "ZX-4471-QP", "mode": "semantic", "limit": 1}),
    )
    .await;
    assert_ne!(
        contents(&by_vector),
        vec![code.to_owned()],
        "the vectors alone found the code"
    );
    let hybrid = search(&app, &alice, json!({"query": "ZX-4471-QP", "limit": 3})).await;
    assert_eq!(contents(&hybrid)[0], code);
    assert_eq!(hybrid["items"][0]["keyword_rank"], 1);
    assert_eq!(hybrid["model"], "all-minilm-l6-v2");

    // A paraphrase: no shared word, so keywords miss it; the vectors find it.
    let query = "a kitten naps on the couch";
    let by_keyword = search(&app, &alice, json!({"query": query, "mode": "keyword"})).await;
    assert!(contents(&by_keyword).is_empty());
    let hybrid = search(&app, &alice, json!({"query": query, "limit": 3})).await;
    assert_eq!(contents(&hybrid)[0], cat);
    assert_eq!(hybrid["items"][0]["semantic_rank"], 1);
    assert!(hybrid["items"][0]["keyword_rank"].is_null());
    // A threshold drops weak semantic matches.
    let strict = search(
        &app,
        &alice,
        json!({"query": query, "mode": "semantic", "threshold": 0.99}),
    )
    .await;
    assert!(contents(&strict).is_empty());

    // Bad searches are named 422s.
    for (body, field) in [
        (json!({"query": ""}), "query"),
        (json!({"query": "x", "limit": 0}), "limit"),
        (json!({"query": "x", "limit": 101}), "limit"),
        (json!({"query": "x", "threshold": 1.5}), "threshold"),
        (
            json!({"query": "x", "min_importance": -1}),
            "min_importance",
        ),
        (json!({"query": "x".repeat(3000)}), "query"),
    ] {
        let response = post(&app, "/api/memories/search", &alice, body.clone()).await;
        assert_eq!(response.status(), 422, "{body}");
        assert_eq!(
            json(response).await["error"]["details"]["field"],
            field,
            "{body}"
        );
    }
    for body in [
        json!({"query": "x", "mode": "psychic"}),
        json!({"query": "x", "scopes": ["moon"]}),
    ] {
        let response = post(&app, "/api/memories/search", &alice, body.clone()).await;
        assert_eq!(response.status(), 422, "{body}");
    }
}

#[tokio::test]
async fn filtered_search_returns_a_full_top_k() {
    let app = spawn_app().await;
    let (admin, _) = user(&app, Role::Admin).await;
    let (alice, _) = user(&app, Role::Member).await;
    // 60 memories on one theme; 5 of them tagged `rare`, 4 of type `decision`.
    for i in 0..60 {
        let tags = if i % 12 == 0 {
            json!(["rare"])
        } else {
            json!(["common"])
        };
        let kind = if i % 15 == 0 { "decision" } else { "fact" };
        remember(
            &app,
            &alice,
            json!({"scope": "user", "type": kind, "tags": tags, "importance": (i % 10) as f64 / 10.0,
                   "content": format!("Deployment note {i}: the service deploys from the main branch.")}),
        )
        .await;
    }
    all_embedded(&app, &admin).await;
    for mode in ["semantic", "hybrid"] {
        let rare = search(
            &app,
            &alice,
            json!({"query": "how does the service deploy", "mode": mode, "limit": 5, "tags": ["rare"]}),
        )
        .await;
        assert_eq!(rare["items"].as_array().unwrap().len(), 5, "{mode}: {rare}");
        assert!(
            rare["items"]
                .as_array()
                .unwrap()
                .iter()
                .all(|h| h["memory"]["tags"] == json!(["rare"]))
        );
        let decisions = search(
            &app,
            &alice,
            json!({"query": "how does the service deploy", "mode": mode, "limit": 10, "types": ["decision"]}),
        )
        .await;
        assert_eq!(decisions["items"].as_array().unwrap().len(), 4, "{mode}");
        let important = search(
            &app,
            &alice,
            json!({"query": "deploy", "mode": mode, "limit": 10, "min_importance": 0.9}),
        )
        .await;
        assert_eq!(important["items"].as_array().unwrap().len(), 6, "{mode}");
    }
}
