//! Agents and memories: the memory settings of an agent, the `remember`, `recall`, `forget` and
//! `search_knowledge` tools played by a scripted model, the memories a turn's prompt is given and records, the
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

/// What the memory scripts' server saw: every request body, in order.
#[derive(Clone, Default)]
struct Seen {
    requests: Arc<Mutex<Vec<Value>>>,
}

impl Seen {
    fn count(&self) -> usize {
        self.requests.lock().unwrap().len()
    }

    /// The system prompt of the request number `i`.
    fn system(&self, i: usize) -> String {
        self.requests.lock().unwrap()[i]["messages"][0]["content"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    fn last_system(&self) -> String {
        self.system(self.count() - 1)
    }
}

/// The memory scripts, by model: `remember`, `remember-global` and `remember-user` call
/// `remember` (in the agent's, the global and the owner's scope); `forget` recalls the launch
/// code and forgets the first memory found; `knowledge` searches the collection `handbook`;
/// `extractor` answers "Noted." and, asked to
/// extract, lists two memories and a line that is none; `plain` answers "ok". After a tool
/// result each answers "result: <the result>".
async fn memory_scripts() -> (String, Seen) {
    let seen = Seen::default();
    let state = seen.clone();
    let app = axum::Router::new().route(
        "/v1/chat/completions",
        axum::routing::post(move |axum::Json(body): axum::Json<Value>| {
            let state = state.clone();
            async move {
                state.requests.lock().unwrap().push(body.clone());
                let model = body["model"].as_str().unwrap_or_default().to_owned();
                let messages = body["messages"].as_array().cloned().unwrap_or_default();
                let system = messages[0]["content"].as_str().unwrap_or_default();
                let last = messages.last().cloned().unwrap_or_default();
                let code = json!({"content": "The launch code word is PELICAN.", "tags": ["Launch"]});
                if system == gathering::agents::extract::PROMPT {
                    return text(
                        "{\"type\": \"fact\", \"content\": \"The user lives in Lyon.\", \"importance\": 0.7}\n\
                         - {\"type\": \"preference\", \"content\": \"The user prefers tea.\"}\n\
                         I hope this helps!",
                    );
                }
                if last["role"] == "tool" {
                    let result = last["content"].as_str().unwrap_or_default().to_owned();
                    if model == "forget" && last["tool_call_id"] == "call_recall" {
                        let found: Value = serde_json::from_str(&result).unwrap_or_default();
                        let id = found["memories"][0]["id"].clone();
                        return calls(&[("call_forget", "forget", json!({"id": id}))]);
                    }
                    return text(&format!("result: {result}"));
                }
                match model.as_str() {
                    "remember" => calls(&[("call_1", "remember", code)]),
                    "remember-global" => {
                        let mut global = code.clone();
                        global["scope"] = json!("global");
                        calls(&[("call_1", "remember", global)])
                    }
                    "remember-user" => {
                        let mut user = code.clone();
                        user["scope"] = json!("user");
                        calls(&[("call_1", "remember", user)])
                    }
                    "forget" => calls(&[(
                        "call_recall",
                        "recall",
                        json!({"query": "launch code word"}),
                    )]),
                    "knowledge" => calls(&[(
                        "call_1",
                        "search_knowledge",
                        json!({"query": "launch code word", "collection": "handbook"}),
                    )]),
                    "extractor" => text("Noted."),
                    _ => text("ok"),
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}/v1"), seen)
}

/// Registers the memory scripts' server and its models; returns a persona with a short prompt.
async fn register_memory_scripts(app: &TestApp, admin: &str, base_url: &str) -> String {
    let body = json!({"name": "memscripts", "kind": "openai", "base_url": base_url});
    let response = post_as(app, "/api/llm/providers", admin, body).await;
    assert_eq!(response.status(), 201);
    for name in [
        "remember",
        "remember-global",
        "remember-user",
        "forget",
        "extractor",
        "knowledge",
        "plain",
    ] {
        let body = json!({"name": name, "provider": "memscripts", "provider_model": name,
                          "kind": "chat", "context_window": 32000});
        let response = post_as(app, "/api/llm/models", admin, body).await;
        assert_eq!(response.status(), 201);
    }
    plain_persona(app, admin).await
}

/// A persona whose prompt is one line (what a small model needs to see the memories).
async fn plain_persona(app: &TestApp, token: &str) -> String {
    let body = json!({"name": "plain", "display_name": "Assistant", "role": "Answers questions",
                      "prompt": "You are a helpful assistant. Answer in one short sentence."});
    let response = post_as(app, "/api/personas", token, body).await;
    assert_eq!(response.status(), 201);
    json(response).await["id"].as_str().unwrap().to_owned()
}

async fn patch_agent(app: &TestApp, token: &str, agent: &Value, body: Value) {
    let path = format!("/api/agents/{}", agent["id"].as_str().unwrap());
    let response = app
        .http
        .patch(app.url(&path))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}

/// The ids of the memories recorded as recalled for the user's message of a turn.
async fn recalls_of_turn(app: &TestApp, conversation_id: &str) -> Vec<uuid::Uuid> {
    let client = app.db.client().await;
    client
        .query(
            "SELECT r.memory_id FROM memory.recalls r
               JOIN agents.messages m ON m.id = r.message_id
              WHERE m.conversation_id = $1::text::uuid AND m.role = 'user' ORDER BY r.rank",
            &[&conversation_id],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect()
}

#[tokio::test]
async fn an_agent_remembers_in_one_conversation_recalls_in_the_next_and_forgets() {
    let app = spawn_app(|_| {}).await;
    let admin = app.signed_in(Role::Admin).await;
    let member = app.signed_in(Role::Member).await;
    let (base_url, seen) = memory_scripts().await;
    let persona = register_memory_scripts(&app, &admin, &base_url).await;
    let keeper = agent(
        &app,
        &member,
        json!({"name": "keeper", "persona_id": persona, "model": "remember",
               "tools": ["remember", "recall", "forget"]}),
    )
    .await;
    let agent_id = keeper["id"].as_str().unwrap();

    // The model calls `remember`: the memory is the agent's, with its provenance.
    let first = chat(&app, &member, &keeper, "Remember the launch code word.").await;
    let call = &first["tool_calls"][0];
    assert_eq!(call["name"], "remember");
    assert_eq!(call["ok"], true, "{call}");
    let stored: Value = serde_json::from_str(call["result"].as_str().unwrap()).unwrap();
    assert_eq!(stored["scope"], "agent");
    assert_eq!(stored["tags"], json!(["launch"]));
    let memory_id = stored["id"].as_str().unwrap().to_owned();
    let client = app.db.client().await;
    let row = client
        .query_one(
            "SELECT m.scope, m.scope_id::text, m.created_by_agent::text, m.source,
                    (SELECT role FROM agents.messages WHERE id = (m.source->>'message_id')::uuid)
               FROM memory.memories m WHERE m.id = $1::text::uuid",
            &[&memory_id],
        )
        .await
        .unwrap();
    assert_eq!(row.get::<_, &str>(0), "agent");
    assert_eq!(row.get::<_, &str>(1), agent_id);
    assert_eq!(row.get::<_, &str>(2), agent_id);
    let source: Value = row.get(3);
    assert_eq!(source["conversation_id"], first["conversation_id"]);
    assert_eq!(source["agent_id"], agent_id);
    assert_eq!(row.get::<_, &str>(4), "assistant", "the message that asked");

    // A new conversation: the prompt holds the memory, marked, and the turn records it.
    patch_agent(&app, &member, &keeper, json!({"model": "plain"})).await;
    let path = format!("/api/agents/{agent_id}/chat");
    let body = post_as(
        &app,
        &path,
        &member,
        json!({"message": "What is the launch code word?", "stream": true}),
    )
    .await
    .text()
    .await
    .unwrap();
    let events: Vec<&str> = body
        .lines()
        .filter_map(|l| l.strip_prefix("event: "))
        .collect();
    assert_eq!(
        events,
        ["started", "recalled", "delta", "completed"],
        "{body}"
    );
    let recalled: Value = serde_json::from_str(
        body.lines()
            .filter_map(|l| l.strip_prefix("data: "))
            .nth(1)
            .unwrap(),
    )
    .unwrap();
    assert_eq!(recalled["memories"][0]["id"], memory_id.as_str());
    assert!(recalled["memories"][0]["score"].as_f64().unwrap() > 0.0);
    let system = seen.last_system();
    let heading = gathering::agents::recall::HEADING;
    assert!(system.contains(&format!("{heading}\n- fact (")), "{system}");
    assert!(
        system.contains("): The launch code word is PELICAN."),
        "{system}"
    );
    let completed: Value = serde_json::from_str(
        body.lines()
            .rev()
            .find_map(|l| l.strip_prefix("data: "))
            .unwrap(),
    )
    .unwrap();
    let second = completed["conversation_id"].as_str().unwrap();
    assert_ne!(second, first["conversation_id"].as_str().unwrap());
    assert_eq!(
        recalls_of_turn(&app, second).await,
        [memory_id.parse::<uuid::Uuid>().unwrap()]
    );
    // The transcript says so on the user's message, for whoever reads it later.
    let transcript = crate::support::json(
        app.get_as(&format!("/api/conversations/{second}/messages"), &member)
            .await,
    )
    .await;
    let asked = &transcript["items"][0];
    assert_eq!(asked["role"], "user");
    assert_eq!(asked["recalled"][0]["id"], memory_id.as_str());
    assert!(asked["recalled"][0]["score"].as_f64().unwrap() > 0.0);
    assert_eq!(transcript["items"][1]["recalled"], serde_json::json!([]));

    // A threshold no similarity reaches, and a budget of 0, give nothing.
    for settings in [
        json!({"memory_threshold": 0.99}),
        json!({"memory_threshold": 0, "memory_budget_tokens": 0}),
    ] {
        patch_agent(&app, &member, &keeper, settings).await;
        let reply = chat(&app, &member, &keeper, "What is the launch code word?").await;
        assert_eq!(reply["recalled"], json!([]));
        assert!(!seen.last_system().contains("PELICAN"));
    }
    patch_agent(&app, &member, &keeper, json!({"memory_budget_tokens": 512})).await;

    // `forget` finds it with `recall` and soft-deletes it: the next prompt no longer has it.
    patch_agent(&app, &member, &keeper, json!({"model": "forget"})).await;
    let forgot = chat(&app, &member, &keeper, "Forget the launch code word.").await;
    let calls = forgot["tool_calls"].as_array().unwrap();
    assert_eq!(calls.len(), 2, "{forgot}");
    assert!(calls.iter().all(|c| c["ok"] == true), "{forgot}");
    assert!(calls[1]["result"].as_str().unwrap().contains(&memory_id));
    let deleted: Option<chrono::DateTime<chrono::Utc>> = client
        .query_one(
            "SELECT deleted_at FROM memory.memories WHERE id = $1::text::uuid",
            &[&memory_id],
        )
        .await
        .unwrap()
        .get(0);
    assert!(deleted.is_some());
    patch_agent(&app, &member, &keeper, json!({"model": "plain"})).await;
    let after = chat(&app, &member, &keeper, "What is the launch code word?").await;
    assert_eq!(after["recalled"], json!([]));
    assert!(!seen.last_system().contains("PELICAN"));
    assert!(!seen.last_system().contains(heading));

    // Every change went through the memory service: audited and published.
    let events = json(app.get_as("/api/events?types=memory.*", &member).await).await;
    let types: Vec<&str> = events["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap())
        .filter(|t| !t.starts_with("memory.embedding"))
        .collect();
    assert_eq!(types, ["memory.created", "memory.deleted"]);
    app.shutdown().await.unwrap();
}

#[tokio::test]
async fn an_agent_cannot_write_global_or_someone_elses_memories_nor_read_them_out() {
    let app = spawn_app(|_| {}).await;
    let admin = app.signed_in(Role::Admin).await;
    let owner = app.signed_in(Role::Member).await;
    let other = app.signed_in(Role::Member).await;
    let (base_url, seen) = memory_scripts().await;
    let persona = register_memory_scripts(&app, &admin, &base_url).await;
    let client = app.db.client().await;
    let count = || async {
        client
            .query_one("SELECT count(*) FROM memory.memories", &[])
            .await
            .unwrap()
            .get::<_, i64>(0)
    };

    let global = agent(
        &app,
        &owner,
        json!({"name": "globe", "persona_id": persona, "model": "remember-global",
               "tools": ["remember"]}),
    )
    .await;
    let reply = chat(&app, &owner, &global, "Remember it for everyone.").await;
    let call = &reply["tool_calls"][0];
    assert_eq!(call["ok"], false, "{call}");
    assert!(
        call["result"].as_str().unwrap().contains("global"),
        "{call}"
    );
    assert_eq!(count().await, 0);

    // The owner's user scope: only when the owner is the one talking.
    let personal = agent(
        &app,
        &owner,
        json!({"name": "personal", "persona_id": persona, "model": "remember-user",
               "tools": ["remember"]}),
    )
    .await;
    let reply = chat(&app, &other, &personal, "Remember it for your owner.").await;
    let call = &reply["tool_calls"][0];
    assert_eq!(call["ok"], false, "{call}");
    let refusal = call["result"].as_str().unwrap();
    assert!(
        refusal.starts_with("refused:") && refusal.contains("owner"),
        "{refusal}"
    );
    assert_eq!(count().await, 0);
    let reply = chat(&app, &owner, &personal, "Remember it for me.").await;
    let call = &reply["tool_calls"][0];
    assert_eq!(call["ok"], true, "{call}");
    let stored: Value = serde_json::from_str(call["result"].as_str().unwrap()).unwrap();
    assert_eq!(stored["scope"], "user");
    let scope_id: String = client
        .query_one(
            "SELECT scope_id::text FROM memory.memories WHERE id = $1::text::uuid",
            &[&stored["id"].as_str().unwrap()],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(scope_id, personal["owner_id"].as_str().unwrap());

    // The owner's memory reaches the owner's turns, never someone else's.
    patch_agent(&app, &owner, &personal, json!({"model": "plain"})).await;
    let theirs = chat(&app, &other, &personal, "What is the launch code word?").await;
    assert_eq!(theirs["recalled"], json!([]));
    assert!(!seen.last_system().contains("PELICAN"));
    let mine = chat(&app, &owner, &personal, "What is the launch code word?").await;
    assert_eq!(mine["recalled"][0]["id"], stored["id"]);
    assert!(seen.last_system().contains("PELICAN"));
    app.shutdown().await.unwrap();
}

#[tokio::test]
async fn an_agent_that_extracts_writes_the_turns_facts_down_after_answering() {
    let app = spawn_app(|_| {}).await;
    let admin = app.signed_in(Role::Admin).await;
    let member = app.signed_in(Role::Member).await;
    let (base_url, seen) = memory_scripts().await;
    let persona = register_memory_scripts(&app, &admin, &base_url).await;
    let scribe = agent(
        &app,
        &member,
        json!({"name": "scribe", "persona_id": persona, "model": "extractor", "tools": []}),
    )
    .await;
    let agent_id = scribe["id"].as_str().unwrap();
    let client = app.db.client().await;

    // Off by default: one model call per turn, nothing written.
    chat(&app, &member, &scribe, "I live in Lyon and I prefer tea.").await;
    assert_eq!(seen.count(), 1);

    patch_agent(&app, &member, &scribe, json!({"extract_memories": true})).await;
    let reply = chat(&app, &member, &scribe, "I live in Lyon and I prefer tea.").await;
    assert_eq!(reply["content"], "Noted.");
    let written = poll_until(Duration::from_secs(20), || async {
        client
            .query_one(
                "SELECT count(*) FROM memory.memories WHERE scope = 'agent'",
                &[],
            )
            .await
            .unwrap()
            .get::<_, i64>(0)
            == 2
    })
    .await;
    assert!(written, "the two memories of the answer are stored");
    let rows = client
        .query(
            "SELECT memory_type, content, importance, tags, scope_id::text, source
               FROM memory.memories ORDER BY content",
            &[],
        )
        .await
        .unwrap();
    let got: Vec<(String, String)> = rows
        .iter()
        .map(|r| (r.get::<_, String>(0), r.get::<_, String>(1)))
        .collect();
    assert_eq!(
        got,
        [
            ("fact".to_owned(), "The user lives in Lyon.".to_owned()),
            ("preference".to_owned(), "The user prefers tea.".to_owned()),
        ]
    );
    assert!((rows[0].get::<_, f32>(2) - 0.7).abs() < 1e-6);
    assert!((rows[1].get::<_, f32>(2) - 0.5).abs() < 1e-6);
    for r in &rows {
        assert_eq!(r.get::<_, Vec<String>>(3), ["extracted"]);
        assert_eq!(r.get::<_, &str>(4), agent_id);
        let source: Value = r.get(5);
        assert_eq!(source["message_id"], reply["message_id"]);
        assert_eq!(source["conversation_id"], reply["conversation_id"]);
    }
    // The extraction read the exchange, with the fixed prompt, and is the agent's usage.
    let asked = seen.requests.lock().unwrap()[2].clone();
    assert_eq!(
        asked["messages"][0]["content"],
        gathering::agents::extract::PROMPT
    );
    let exchange = asked["messages"][1]["content"].as_str().unwrap();
    assert!(exchange.contains("I live in Lyon") && exchange.contains("Noted."));
    let usage: i64 = client
        .query_one(
            "SELECT count(*) FROM llm.usage WHERE agent_id = $1::text::uuid AND operation = 'chat'",
            &[&agent_id],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(usage, 3);
    app.shutdown().await.unwrap();
}

#[tokio::test]
async fn search_knowledge_cites_the_owners_collection_to_the_owner_only() {
    let app = spawn_app(|_| {}).await;
    let admin = app.signed_in(Role::Admin).await;
    let owner = app.signed_in(Role::Member).await;
    let other = app.signed_in(Role::Member).await;
    let (base_url, _) = memory_scripts().await;
    let persona = register_memory_scripts(&app, &admin, &base_url).await;
    let created = post_as(
        &app,
        "/api/knowledge/collections",
        &owner,
        json!({"name": "handbook"}),
    )
    .await;
    assert_eq!(created.status(), 201);
    let guide: &[u8] = b"# Guide\n\n## Launch\n\nThe launch code word is PELICAN.\n";
    let (status, _) =
        crate::knowledge::upload(&app, &owner, "handbook", &[("guide.md", guide)]).await;
    assert_eq!(status, 200);
    let librarian = agent(
        &app,
        &owner,
        json!({"name": "librarian", "persona_id": persona, "model": "knowledge",
               "tools": ["search_knowledge"]}),
    )
    .await;

    let reply = chat(&app, &owner, &librarian, "What is the launch code word?").await;
    let call = &reply["tool_calls"][0];
    assert_eq!(call["ok"], true, "{call}");
    let found: Value = serde_json::from_str(call["result"].as_str().unwrap()).unwrap();
    let first = &found["passages"][0];
    assert_eq!(first["collection"], "handbook");
    assert_eq!(first["document"], "guide.md");
    assert_eq!(first["headings"], json!(["Guide", "Launch"]));
    assert!(
        first["content"].as_str().unwrap().contains("PELICAN"),
        "{found}"
    );

    // Someone else talking to the owner's agent cannot read the owner's collection through it.
    let reply = chat(&app, &other, &librarian, "What is the launch code word?").await;
    let call = &reply["tool_calls"][0];
    assert_eq!(call["ok"], false, "{call}");
    let result = call["result"].as_str().unwrap();
    assert!(
        result.contains("handbook") && !result.contains("PELICAN"),
        "{result}"
    );
    app.shutdown().await.unwrap();
}

#[tokio::test]
async fn the_local_model_answers_from_a_memory_of_an_earlier_conversation() {
    let app = spawn_app(|_| {}).await;
    let member = app.signed_in(Role::Member).await;
    let persona = plain_persona(&app, &member).await;
    let pilot = agent(
        &app,
        &member,
        json!({"name": "pilot", "persona_id": persona, "max_tokens": 24, "temperature": 0,
               "tools": []}),
    )
    .await;
    assert_eq!(pilot["model"], "smollm2-135m-instruct");
    let memory = post_as(
        &app,
        "/api/memories",
        &member,
        json!({"scope": "agent", "scope_id": pilot["id"],
               "content": "The launch code word is PELICAN."}),
    )
    .await;
    assert_eq!(memory.status(), 201);
    let memory = json(memory).await;

    let reply = chat(&app, &member, &pilot, "What is the launch code word?").await;
    let answer = reply["content"].as_str().unwrap();
    assert!(answer.contains("PELICAN"), "{answer}");
    assert_eq!(reply["recalled"][0]["id"], memory["id"]);
    let conversation = reply["conversation_id"].as_str().unwrap();
    assert_eq!(
        recalls_of_turn(&app, conversation).await,
        [memory["id"]
            .as_str()
            .unwrap()
            .parse::<uuid::Uuid>()
            .unwrap()]
    );
    app.shutdown().await.unwrap();
}
