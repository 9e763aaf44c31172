//! Who sees a collection: an outsider sees nothing of a user's collection (lists, reads,
//! documents, search results, events) until it is shared, then reads but does not change it;
//! a global collection is read by everyone and changed by admins only.

use gathering::auth::model::Role;
use reqwest::Method;
use serde_json::{Value, json};

use super::{GUIDE_MD, create_collection, knowledge_events, search, send, spawn, upload, user};
use crate::support::TestApp;

/// The collection names in `token`'s list.
async fn listed(app: &TestApp, token: &str) -> Vec<String> {
    let (status, out) = send(app, Method::GET, "/api/knowledge/collections", token, None).await;
    assert_eq!(status, 200, "{out}");
    out["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap().to_owned())
        .collect()
}

/// The collections of the hits of a keyword search for "refund" by `token`.
async fn found_in(app: &TestApp, token: &str) -> Vec<String> {
    let found = search(app, token, json!({"query": "refund", "mode": "keyword"})).await;
    found["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["collection_name"].as_str().unwrap().to_owned())
        .collect()
}

/// The statuses of everything an outsider might try on collection `name` and document `doc`:
/// (list documents, get, get document, search naming it, upload, delete document, patch,
/// delete collection).
async fn attempts(app: &TestApp, token: &str, name: &str, doc: &str) -> Vec<u16> {
    let collection = format!("/api/knowledge/collections/{name}");
    let document = format!("/api/knowledge/documents/{doc}");
    let mut out = vec![
        send(
            app,
            Method::GET,
            &format!("{collection}/documents"),
            token,
            None,
        )
        .await
        .0,
        send(app, Method::GET, &collection, token, None).await.0,
        send(app, Method::GET, &document, token, None).await.0,
        send(
            app,
            Method::POST,
            "/api/knowledge/search",
            token,
            Some(json!({"query": "refund", "collections": [name]})),
        )
        .await
        .0,
    ];
    out.push(
        upload(app, token, name, &[("x.md", b"# X\n\nText.")])
            .await
            .0,
    );
    out.push(send(app, Method::DELETE, &document, token, None).await.0);
    let patch = Some(json!({"description": "mine now"}));
    out.push(send(app, Method::PATCH, &collection, token, patch).await.0);
    out.push(send(app, Method::DELETE, &collection, token, None).await.0);
    out
}

#[tokio::test]
async fn an_outsider_sees_a_user_collection_only_once_it_is_shared_and_never_changes_it() {
    let app = spawn().await;
    let (owner, _) = user(&app, Role::Member).await;
    let (outsider, outsider_id) = user(&app, Role::Member).await;
    let (admin, _) = user(&app, Role::Admin).await;
    let created = create_collection(&app, &owner, json!({"name": "private-notes"})).await;
    let (status, out) = upload(
        &app,
        &owner,
        "private-notes",
        &[("guide.md", GUIDE_MD.as_bytes())],
    )
    .await;
    assert_eq!(status, 200, "{out}");
    let doc = out["documents"][0]["document"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let id = created["id"].as_str().unwrap();

    // Not shared: nothing anywhere, by name or by id, and no event.
    assert!(listed(&app, &outsider).await.is_empty());
    assert!(found_in(&app, &outsider).await.is_empty());
    for name in ["private-notes", id] {
        assert_eq!(
            attempts(&app, &outsider, name, &doc).await,
            vec![404; 8],
            "{name}"
        );
    }
    assert_eq!(knowledge_events(&app, &outsider).await, Vec::<Value>::new());
    assert!(!knowledge_events(&app, &owner).await.is_empty());
    // A viewer cannot write at all; an admin reads everything.
    assert_eq!(listed(&app, &admin).await, vec!["private-notes"]);
    assert_eq!(found_in(&app, &admin).await, vec!["private-notes"]);

    // Shared: the outsider reads and searches it, and still changes nothing.
    let path = "/api/knowledge/collections/private-notes";
    let share = Some(json!({"shared_with": [outsider_id]}));
    let (status, out) = send(&app, Method::PATCH, path, &owner, share).await;
    assert_eq!(status, 200, "{out}");
    assert_eq!(out["shared_with"], json!([outsider_id]));
    assert_eq!(listed(&app, &outsider).await, vec!["private-notes"]);
    assert_eq!(found_in(&app, &outsider).await, vec!["private-notes"]);
    assert_eq!(
        attempts(&app, &outsider, "private-notes", &doc).await,
        vec![200, 200, 200, 200, 403, 403, 403, 403]
    );
    let unknown = Some(json!({"shared_with": [uuid::Uuid::now_v7()]}));
    let (status, out) = send(&app, Method::PATCH, path, &owner, unknown).await;
    assert_eq!(status, 422, "{out}");
    assert_eq!(out["error"]["details"]["field"], "shared_with");

    // Unshared: gone again.
    let (status, _) = send(
        &app,
        Method::PATCH,
        path,
        &owner,
        Some(json!({"shared_with": []})),
    )
    .await;
    assert_eq!(status, 200);
    assert!(listed(&app, &outsider).await.is_empty());
    assert!(found_in(&app, &outsider).await.is_empty());
    assert_eq!(
        attempts(&app, &outsider, "private-notes", &doc).await,
        vec![404; 8]
    );
    // The owner still does everything.
    let (status, _) = send(&app, Method::DELETE, path, &owner, None).await;
    assert_eq!(status, 204);
    assert!(listed(&app, &admin).await.is_empty());
}

#[tokio::test]
async fn a_global_collection_is_read_by_everyone_and_changed_by_admins_only() {
    let app = spawn().await;
    let (admin, _) = user(&app, Role::Admin).await;
    let (member, _) = user(&app, Role::Member).await;
    let (viewer, _) = user(&app, Role::Viewer).await;

    let refused = send(
        &app,
        Method::POST,
        "/api/knowledge/collections",
        &member,
        Some(json!({"name": "company", "scope": "global"})),
    )
    .await;
    assert_eq!(refused.0, 403, "{}", refused.1);
    let created =
        create_collection(&app, &admin, json!({"name": "company", "scope": "global"})).await;
    assert_eq!(created["scope"], "global");
    assert_eq!(created["scope_id"], Value::Null);
    let (status, out) = upload(
        &app,
        &admin,
        "company",
        &[("guide.md", GUIDE_MD.as_bytes())],
    )
    .await;
    assert_eq!(status, 200, "{out}");
    let doc = out["documents"][0]["document"]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    for token in [&member, &viewer] {
        assert_eq!(listed(&app, token).await, vec!["company"]);
        assert_eq!(found_in(&app, token).await, vec!["company"]);
    }
    assert_eq!(
        attempts(&app, &member, "company", &doc).await,
        vec![200, 200, 200, 200, 403, 403, 403, 403]
    );
    // A viewer's writes stop at the role.
    let (status, _) = upload(&app, &viewer, "company", &[("x.md", b"# X\n\nText.")]).await;
    assert_eq!(status, 403);
    // The admin changes it.
    let (status, out) = upload(&app, &admin, "company", &[("more.md", b"# More\n\nText.")]).await;
    assert_eq!(status, 200, "{out}");
    let (status, _) = send(
        &app,
        Method::DELETE,
        &format!("/api/knowledge/documents/{doc}"),
        &admin,
        None,
    )
    .await;
    assert_eq!(status, 204);
    let (status, out) = send(
        &app,
        Method::POST,
        "/api/knowledge/collections",
        &member,
        Some(json!({"name": "company"})),
    )
    .await;
    assert_eq!(status, 409, "the name is taken: {out}");
}
