//! Tools in agent turns: the tool loop (validation, refusals, the iteration limit), MCP tools
//! granted like built-ins, and dangerous tools (admin-owned agents only, audited).

use super::*;

#[tokio::test]
async fn the_tool_loop_runs_validates_refuses_and_stops() {
    let app = spawn_app(|_| {}).await;
    let admin = app.signed_in(Role::Admin).await;
    let member = app.signed_in(Role::Member).await;
    let (base_url, script) = scripted_openai().await;
    let persona = register_scripts(&app, &admin, &base_url).await;
    let make = |name: &str, model: &str, iterations: i32| {
        json!({"name": name, "persona_id": persona, "model": model, "tools": ["calculator"],
               "max_tool_iterations": iterations})
    };

    // A valid call runs, and its result reaches the model.
    let valid = agent(&app, &member, make("valid", "valid", 5)).await;
    let reply = chat(&app, &member, &valid, "what is 6 times 7?").await;
    assert_eq!(reply["tool_calls"][0]["ok"], true);
    assert_eq!(reply["tool_rounds"], 1);
    assert!(reply["content"].as_str().unwrap().contains("42"), "{reply}");
    {
        let requests = script.requests.lock().unwrap();
        let second = &requests[1]["messages"];
        let tool = second.as_array().unwrap().last().unwrap();
        assert_eq!(tool["role"], "tool");
        assert_eq!(tool["tool_call_id"], "call_1");
        assert!(tool["content"].as_str().unwrap().contains("42"));
        assert_eq!(requests[0]["tools"][0]["function"]["name"], "calculator");
    }
    // The exchange is stored, in order, with tokens, and published.
    let conversation = reply["conversation_id"].as_str().unwrap();
    let transcript = json(
        app.get_as(
            &format!("/api/conversations/{conversation}/messages"),
            &member,
        )
        .await,
    )
    .await;
    let roles: Vec<&str> = transcript["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["role"].as_str().unwrap())
        .collect();
    assert_eq!(roles, ["user", "assistant", "tool", "assistant"]);
    assert_eq!(
        transcript["items"][1]["tool_calls"][0]["name"],
        "calculator"
    );
    assert_eq!(transcript["items"][3]["completion_tokens"], 5);
    let listed = json(
        app.get_as(
            &format!(
                "/api/conversations?agent_id={}",
                valid["id"].as_str().unwrap()
            ),
            &member,
        )
        .await,
    )
    .await;
    assert_eq!(listed["items"][0]["id"], conversation);
    let client = app.db.client().await;
    let published = poll_until(Duration::from_secs(10), || async {
        let n: i64 = client
            .query_one(
                "SELECT count(*) FROM events.outbox WHERE type = 'conversation.message'
                  AND scope->>'conversation_id' = $1",
                &[&conversation],
            )
            .await
            .unwrap()
            .get(0);
        n == 4
    })
    .await;
    assert!(published);
    // Usage per agent and per conversation: two calls of 10 + 5 tokens.
    let usage = poll_until(Duration::from_secs(10), || async {
        let totals = json(
            app.get_as(
                &format!(
                    "/api/llm/usage?group_by=conversation&agent_id={}",
                    valid["id"].as_str().unwrap()
                ),
                &member,
            )
            .await,
        )
        .await;
        totals[0]["key"] == conversation && totals[0]["prompt_tokens"] == 20
    })
    .await;
    assert!(usage);

    // An invalid argument is reported back, and the model corrects it.
    let fix = agent(&app, &member, make("fix", "fix", 5)).await;
    let reply = chat(&app, &member, &fix, "what is 6 times 7?").await;
    let calls = reply["tool_calls"].as_array().unwrap();
    assert_eq!(calls.len(), 2);
    assert_eq!(calls[0]["ok"], false);
    assert!(
        calls[0]["result"]
            .as_str()
            .unwrap()
            .contains("invalid arguments"),
        "{reply}"
    );
    assert_eq!(calls[1]["ok"], true);
    assert!(reply["content"].as_str().unwrap().contains("42"));

    // A tool the agent was not granted is refused, audited and published.
    let forbidden = agent(&app, &member, make("forbidden", "forbidden", 5)).await;
    let reply = chat(&app, &member, &forbidden, "what time is it?").await;
    assert_eq!(reply["tool_calls"][0]["ok"], false);
    assert!(
        reply["tool_calls"][0]["result"]
            .as_str()
            .unwrap()
            .starts_with("refused"),
        "{reply}"
    );
    let audit = json(app.get_as("/api/audit?action=tool.refused", &admin).await).await;
    let entry = &audit["items"][0];
    assert_eq!(entry["outcome"], "failure");
    assert_eq!(entry["details"]["tool"], "current_time");
    let refused: i64 = client
        .query_one(
            "SELECT count(*) FROM events.outbox WHERE type = 'tool.refused'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(refused, 1);

    // Iterations are bounded: two rounds of tools, then one call without tools, then stop.
    let before = script.requests.lock().unwrap().len();
    let looping = agent(&app, &member, make("looping", "loop", 2)).await;
    let reply = chat(&app, &member, &looping, "loop forever").await;
    assert_eq!(reply["finish"], "iteration_limit");
    assert_eq!(reply["tool_rounds"], 2);
    {
        let requests = script.requests.lock().unwrap();
        assert_eq!(requests.len() - before, 3);
        assert!(
            requests
                .last()
                .unwrap()
                .get("tools")
                .is_none_or(|t| t.as_array().is_none_or(|a| a.is_empty()))
        );
    }
    app.shutdown().await.unwrap();
}

/// An admin registers a real MCP server (tests/mcp/server.py over stdio); its tools are listed
/// and can be granted; a slow one times out under the server's limit while the other call of the
/// same round completes, and the turn ends.
#[tokio::test]
async fn mcp_tools_are_granted_like_builtins_and_a_slow_one_times_out() {
    let app = spawn_app(|_| {}).await;
    let admin = app.signed_in(Role::Admin).await;
    let member = app.signed_in(Role::Member).await;
    let (base_url, _script) = scripted_openai().await;
    let persona = register_scripts(&app, &admin, &base_url).await;
    let python = repo_root().join(".gathering/sdk-venv/bin/python");
    assert!(python.exists(), "run scripts/bootstrap sdk");
    let server = json!({"name": "tests", "timeout_ms": 1000, "risk": "read_only",
        "transport": {"kind": "stdio", "command": python,
                      "args": [repo_root().join("tests/mcp/server.py"), "stdio"]}});
    assert_eq!(
        post_as(&app, "/api/mcp-servers", &member, server.clone())
            .await
            .status(),
        403,
        "running a command is for admins"
    );
    let created = post_as(&app, "/api/mcp-servers", &admin, server).await;
    assert_eq!(created.status(), 201);
    let bad =
        json!({"name": "ghost", "transport": {"kind": "stdio", "command": "/no/such/server"}});
    let refused = post_as(&app, "/api/mcp-servers", &admin, bad).await;
    assert_eq!(refused.status(), 422);
    assert_eq!(
        json(refused).await["error"]["details"]["field"],
        "transport"
    );

    let tools = json(app.get_as("/api/tools", &member).await).await;
    let names: Vec<&str> = tools
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    for name in [
        "calculator",
        "current_time",
        "http_request",
        "tests__add",
        "tests__slow",
    ] {
        assert!(names.contains(&name), "{name} in {names:?}");
    }
    let add = tools
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "tests__add")
        .unwrap();
    assert_eq!(add["source"], "mcp:tests");
    assert!(add["parameters"]["properties"]["a"].is_object(), "{add}");

    let slow = agent(
        &app,
        &member,
        json!({"name": "patient", "persona_id": persona, "model": "slow",
               "tools": ["tests__slow", "calculator"]}),
    )
    .await;
    let reply = chat(&app, &member, &slow, "be slow").await;
    let calls = reply["tool_calls"].as_array().unwrap();
    let by_name = |n: &str| calls.iter().find(|c| c["name"] == n).unwrap().clone();
    let timed_out = by_name("tests__slow");
    assert_eq!(timed_out["ok"], false);
    assert!(
        timed_out["result"]
            .as_str()
            .unwrap()
            .starts_with("timed out"),
        "{reply}"
    );
    assert_eq!(by_name("calculator")["ok"], true);
    assert_eq!(reply["finish"], "stop");
    app.shutdown().await.unwrap();
}

/// A dangerous tool (an MCP server an admin marked so): only an admin may grant it, it runs only
/// for an admin-owned agent called by an admin, and every call and refusal is audited.
#[tokio::test]
async fn dangerous_tools_need_an_admin_owned_agent_and_are_audited() {
    let app = spawn_app(|_| {}).await;
    let admin = app.signed_in(Role::Admin).await;
    let member = app.signed_in(Role::Member).await;
    let (base_url, _script) = scripted_openai().await;
    let persona = register_scripts(&app, &admin, &base_url).await;
    let python = repo_root().join(".gathering/sdk-venv/bin/python");
    let server = json!({"name": "tests", "risk": "dangerous",
        "transport": {"kind": "stdio", "command": python,
                      "args": [repo_root().join("tests/mcp/server.py"), "stdio"]}});
    assert_eq!(
        post_as(&app, "/api/mcp-servers", &admin, server)
            .await
            .status(),
        201
    );
    let body = |name: &str| json!({"name": name, "persona_id": persona, "model": "mcp-add", "tools": ["tests__add"]});
    let refused = post_as(&app, "/api/agents", &member, body("mine")).await;
    assert_eq!(refused.status(), 422);
    assert_eq!(json(refused).await["error"]["details"]["field"], "tools");
    let owned = agent(&app, &admin, body("root-adder")).await;

    // A member may chat with the admin's agent, but the dangerous tool does not run for them.
    let reply = chat(&app, &member, &owned, "add 2 and 3").await;
    assert_eq!(reply["tool_calls"][0]["ok"], false);
    assert!(
        reply["tool_calls"][0]["result"]
            .as_str()
            .unwrap()
            .contains("only an admin"),
        "{reply}"
    );
    // For the admin it runs, and is audited.
    let reply = chat(&app, &admin, &owned, "add 2 and 3").await;
    assert_eq!(reply["tool_calls"][0]["ok"], true, "{reply}");
    assert!(reply["content"].as_str().unwrap().contains('5'));
    let audit = json(app.get_as("/api/audit?action=tool.called", &admin).await).await;
    assert_eq!(audit["items"][0]["details"]["tool"], "tests__add");
    assert_eq!(audit["items"][0]["outcome"], "success");
    let audit = json(app.get_as("/api/audit?action=tool.refused", &admin).await).await;
    assert_eq!(audit["items"].as_array().unwrap().len(), 1);
    app.shutdown().await.unwrap();
}
