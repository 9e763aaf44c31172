//! Tests of MCP specs, redaction, naming and results (no server needed).

use super::*;

fn spec(name: &str, transport: McpTransport) -> McpServerSpec {
    McpServerSpec {
        name: name.to_string(),
        transport,
        risk: Risk::SideEffects,
        timeout: Duration::from_secs(5),
    }
}

fn stdio(command: &str) -> McpTransport {
    McpTransport::Stdio {
        command: command.to_string(),
        args: vec![],
        env: BTreeMap::new(),
    }
}

#[test]
fn names_are_checked() {
    for ok in ["a", "files", "git-hub2", "0x", &"a".repeat(31)] {
        assert!(spec(ok, stdio("x")).validate().is_ok(), "{ok}");
    }
    for bad in ["", "-a", "A", "a_b", "a b", "é", &"a".repeat(32)] {
        assert!(spec(bad, stdio("x")).validate().is_err(), "{bad}");
    }
}

#[test]
fn transports_are_checked() {
    assert!(spec("s", stdio(" ")).validate().is_err());
    let many = McpTransport::Stdio {
        command: "x".into(),
        args: vec!["a".into(); 21],
        env: BTreeMap::new(),
    };
    assert!(spec("s", many).validate().is_err());
    for ok in ["http://127.0.0.1:8000/mcp", "https://example.com/mcp?key=1"] {
        let http = McpTransport::Http { url: ok.into() };
        assert!(spec("s", http).validate().is_ok(), "{ok}");
    }
    for bad in ["ftp://example.com/", "not a url", "file:///etc/passwd"] {
        let http = McpTransport::Http { url: bad.into() };
        assert!(spec("s", http).validate().is_err(), "{bad}");
    }
}

#[test]
fn transport_json_shape() {
    let t: McpTransport = serde_json::from_value(json!({
        "kind": "stdio", "command": "npx", "args": ["-y", "server"], "env": {"TOKEN": "s3cret"}
    }))
    .unwrap();
    assert!(matches!(&t, McpTransport::Stdio { args, .. } if args.len() == 2));
    let t: McpTransport =
        serde_json::from_value(json!({"kind": "http", "url": "http://h/mcp"})).unwrap();
    assert_eq!(
        t,
        McpTransport::Http {
            url: "http://h/mcp".into()
        }
    );
    assert!(
        serde_json::from_value::<McpTransport>(json!({"kind": "http", "url": "u", "x": 1}))
            .is_err()
    );
}

#[test]
fn secrets_stay_out_of_debug_and_messages() {
    let mut env = BTreeMap::new();
    env.insert("TOKEN".to_string(), "s3cret-value".to_string());
    let t = McpTransport::Stdio {
        command: "x".into(),
        args: vec![],
        env,
    };
    let debug = format!("{:?}", spec("s", t.clone()));
    assert!(
        !debug.contains("s3cret-value") && debug.contains("TOKEN"),
        "{debug}"
    );
    let r = Redactor::for_transport(&t);
    assert_eq!(r.apply("bad token s3cret-value here"), "bad token *** here");

    let url = "https://user:pw1234@example.com/mcp?api_key=abcdef#frag";
    let t = McpTransport::Http { url: url.into() };
    let debug = format!("{t:?}");
    assert!(
        !debug.contains("abcdef") && !debug.contains("pw1234"),
        "{debug}"
    );
    assert!(debug.contains("https://example.com/mcp"), "{debug}");
    let r = Redactor::for_transport(&t);
    let said = r.apply(&format!(
        "error sending request for url ({}), key abcdef",
        url::Url::parse(url).unwrap()
    ));
    assert!(
        !said.contains("abcdef") && !said.contains("pw1234"),
        "{said}"
    );
    assert!(said.contains("https://example.com/mcp"), "{said}");
}

#[test]
fn registry_names_are_sanitised_and_cut() {
    assert_eq!(registry_name("files", "read_file"), "files__read_file");
    assert_eq!(
        registry_name("files", "read.file/v2 é"),
        "files__read_file_v2__"
    );
    assert_eq!(registry_name("s", ""), "s___");
    let long = registry_name(&"a".repeat(31), &"b".repeat(100));
    assert_eq!(long.len(), 64);
    assert!(long.starts_with(&format!("{}__b", "a".repeat(31))));
}

#[test]
fn results_become_json() {
    let mut ok = CallToolResult::success(vec![ContentBlock::text("5")]);
    ok.structured_content = Some(json!({"result": 5}));
    assert_eq!(
        tool_result(ok).unwrap(),
        json!({"content": "5", "structured": {"result": 5}})
    );
    let two = CallToolResult::success(vec![ContentBlock::text("a"), ContentBlock::text("b")]);
    assert_eq!(tool_result(two).unwrap(), json!({"content": "a\nb"}));
    let failed = CallToolResult::error(vec![ContentBlock::text("boom")]);
    assert_eq!(
        tool_result(failed),
        Err(ToolError::Failed("boom".to_string()))
    );
}
