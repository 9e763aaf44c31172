//! The API fuzz test: every operation of the OpenAPI document, as each role (anonymous, viewer,
//! member, admin), with hostile variants of its path parameters, query parameters and body
//! (deep nesting, NUL characters and invalid UTF-8, huge and negative numbers, wrong types,
//! unknown fields, oversized strings and arrays, duplicate keys). No answer may be a 5xx, none
//! may take longer than the request timeout, and afterwards the server must still be ready and
//! delivering events. Deterministic: the variants are a fixed list, not random.

use std::time::Duration;

use futures_util::StreamExt;
use gathering::auth::model::Role;
use gathering::events::bus::Delivery;
use gathering::events::{Filter, TypePattern};
use serde_json::{Map, Value, json};

use crate::support::{TestApp, TestDb, json, test_config};

/// What one request sends.
#[derive(Debug, Clone)]
struct Probe {
    method: reqwest::Method,
    path: String,
    body: Option<Vec<u8>>,
    what: String,
}

/// Hostile stand-ins for a path parameter (already URL-encoded where needed).
fn path_values() -> Vec<String> {
    vec![
        uuid::Uuid::now_v7().to_string(),
        "x%00y".into(),
        "%FF%FE".into(),
        "-1".into(),
        "99999999999999999999999".into(),
        "a".repeat(3000),
        "..%2F..%2Fetc%2Fpasswd".into(),
    ]
}

/// Hostile values for a query parameter (URL-encoded).
fn query_values() -> Vec<String> {
    vec![
        "%00".into(),
        "-1".into(),
        "-9223372036854775809".into(),
        "99999999999999999999999".into(),
        "1e309".into(),
        "%FF".into(),
        "true".into(),
        "b".repeat(3000),
        "user.%2A".into(),
    ]
}

/// Nested arrays as text (an attacker's body is text: no parser limit stops it being sent).
fn nested_text(levels: usize) -> String {
    format!("{}1{}", "[".repeat(levels), "]".repeat(levels))
}

/// The schema `schema` refers to, through `$ref`s into `components`.
fn resolve<'a>(document: &'a Value, schema: &'a Value) -> &'a Value {
    let mut schema = schema;
    for _ in 0..8 {
        let Some(reference) = schema.get("$ref").and_then(Value::as_str) else {
            break;
        };
        let name = reference.rsplit('/').next().unwrap_or_default();
        schema = &document["components"]["schemas"][name];
    }
    schema
}

/// A plausible value for `schema` (the first alternative of a union), for the fields a hostile
/// variant does not touch.
fn plausible(document: &Value, schema: &Value, depth: usize) -> Value {
    let schema = resolve(document, schema);
    if depth > 4 {
        return Value::Null;
    }
    for key in ["oneOf", "anyOf", "allOf"] {
        if let Some(first) = schema.get(key).and_then(|v| v.as_array()?.first()) {
            return plausible(document, first, depth + 1);
        }
    }
    if let Some(first) = schema.get("enum").and_then(|v| v.as_array()?.first()) {
        return first.clone();
    }
    let kind = match &schema["type"] {
        Value::String(t) => t.clone(),
        Value::Array(types) => types
            .iter()
            .filter_map(Value::as_str)
            .find(|t| *t != "null")
            .unwrap_or("null")
            .to_owned(),
        _ if schema.get("properties").is_some() => "object".into(),
        _ => "null".into(),
    };
    match kind.as_str() {
        "string" => match schema["format"].as_str() {
            Some("uuid") => json!(uuid::Uuid::now_v7()),
            Some("date-time") => json!("2030-01-01T00:00:00Z"),
            _ => json!("fuzz"),
        },
        "integer" | "number" => json!(1),
        "boolean" => json!(true),
        "array" => json!([]),
        "object" => {
            let mut object = Map::new();
            if let Some(properties) = schema["properties"].as_object() {
                for (name, property) in properties {
                    object.insert(name.clone(), plausible(document, property, depth + 1));
                }
            }
            Value::Object(object)
        }
        _ => Value::Null,
    }
}

/// Hostile replacements for one field.
fn hostile_values() -> Vec<(&'static str, Value)> {
    let mut deep = json!(1);
    for _ in 0..40 {
        deep = json!({"d": [deep]});
    }
    vec![
        ("nul", json!("a\u{0}b")),
        ("huge", json!(1e308)),
        ("negative", json!(-9_223_372_036_854_775_807_i64)),
        ("u64", json!(u64::MAX)),
        ("wrong type", json!({"not": "what you expect"})),
        ("a list", json!(["x"])),
        ("oversized string", json!("s".repeat(200_000))),
        ("oversized array", Value::Array(vec![json!(0); 20_000])),
        ("deep", deep),
        ("empty", json!("")),
        ("null", Value::Null),
    ]
}

/// Every hostile body for an operation whose body follows `schema`.
fn bodies(document: &Value, schema: &Value) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = vec![
        ("nested 65".into(), nested_text(65).into_bytes()),
        ("nested 3000".into(), nested_text(3000).into_bytes()),
        (
            "nul at the top".into(),
            br#"{"x": "\u0000", "k\u0000": 1}"#.to_vec(),
        ),
        (
            "invalid utf-8".into(),
            b"{\"name\": \"\xff\xfe\", \"x\": 1}".to_vec(),
        ),
        ("not json".into(), b"{{{".to_vec()),
        ("a string".into(), br#""text""#.to_vec()),
        ("a number".into(), b"-1e999".to_vec()),
        ("empty".into(), Vec::new()),
        ("null".into(), b"null".to_vec()),
        (
            "duplicate keys".into(),
            br#"{"name": "a", "name": "b", "email": 1, "email": "x@example.org"}"#.to_vec(),
        ),
    ];
    out.extend(mutations(&plausible(document, schema, 0)));
    out
}

/// `base` as it is, with an unknown field, and with each of its values (those of nested objects
/// and arrays too, three levels down) replaced by each hostile value.
fn mutations(base: &Value) -> Vec<(String, Vec<u8>)> {
    let mut out = vec![("as built".to_owned(), base.to_string().into_bytes())];
    if let Value::Object(fields) = base {
        let mut unknown = fields.clone();
        unknown.insert("surely_unknown_field".into(), json!(1));
        out.push((
            "unknown field".into(),
            Value::Object(unknown).to_string().into_bytes(),
        ));
    }
    let mut pointers = Vec::new();
    let mut stack = vec![(String::new(), base, 0)];
    while let Some((pointer, value, depth)) = stack.pop() {
        if !pointer.is_empty() {
            pointers.push(pointer.clone());
        }
        if depth == 3 {
            continue;
        }
        match value {
            Value::Object(fields) => stack.extend(
                fields
                    .iter()
                    .map(|(k, v)| (format!("{pointer}/{k}"), v, depth + 1)),
            ),
            Value::Array(items) => stack.extend(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, v)| (format!("{pointer}/{i}"), v, depth + 1)),
            ),
            _ => {}
        }
    }
    for pointer in pointers {
        for (label, value) in hostile_values() {
            let mut variant = base.clone();
            if let Some(slot) = variant.pointer_mut(&pointer) {
                *slot = value;
            }
            out.push((
                format!("{pointer}: {label}"),
                variant.to_string().into_bytes(),
            ));
        }
    }
    out
}

/// Valid bodies of the operations that create things, so that each field's hostile variants
/// reach past the first refusal into the handler and the store.
fn valid_body(method: &reqwest::Method, template: &str) -> Option<Value> {
    if method != reqwest::Method::POST && method != reqwest::Method::PUT {
        return None;
    }
    let pipeline = json!({"name": "fuzzed", "nodes": [
        {"id": "t", "type": "trigger", "config": {}},
        {"id": "x", "type": "transform", "config": {"expression": "{'v': input}"}}],
        "edges": [{"id": "e", "from": "t", "to": "x"}]});
    Some(match template {
        "/api/users" => json!({"email": "fuzzed@example.org", "display_name": "f",
                               "password": "long enough password", "role": "viewer"}),
        "/api/auth/login" => {
            json!({"email": "fuzzed@example.org", "password": "long enough password"})
        }
        "/api/api-keys" => json!({"name": "fuzzed"}),
        "/api/pipelines" | "/api/pipelines/validate" | "/api/pipelines/{id}" => pipeline,
        "/api/pipelines/{id}/runs" => json!({"trigger_data": {"v": 1}}),
        "/api/pipelines/{id}/webhook" => json!({"v": 1}),
        "/api/schedules" | "/api/schedules/{id}" => json!({"name": "fuzzed", "kind": "interval",
            "interval_seconds": 3600, "action": {"type": "send_notification", "message": "m"}}),
        _ => return None,
    })
}

/// Every probe of the document's operations; `real` gives, for a path template, the id of an
/// existing resource to use besides the hostile ones.
fn probes(document: &Value, real: &dyn Fn(&str) -> Option<String>) -> Vec<Probe> {
    let mut probes = Vec::new();
    let paths = document["paths"].as_object().expect("paths");
    for (template, operations) in paths {
        for (method, operation) in operations.as_object().expect("operations") {
            let Ok(method) = method.to_uppercase().parse::<reqwest::Method>() else {
                continue;
            };
            let params: Vec<&Value> = operation["parameters"]
                .as_array()
                .map(|p| p.iter().collect())
                .unwrap_or_default();
            let path_params: Vec<&str> = params
                .iter()
                .filter(|p| p["in"] == "path")
                .filter_map(|p| p["name"].as_str())
                .collect();
            let query_params: Vec<&str> = params
                .iter()
                .filter(|p| p["in"] == "query")
                .filter_map(|p| p["name"].as_str())
                .collect();
            let fill = |value: &str| {
                path_params.iter().fold(template.clone(), |path, name| {
                    path.replace(&format!("{{{name}}}"), value)
                })
            };
            let plain = real(template)
                .map_or_else(|| fill(&uuid::Uuid::now_v7().to_string()), |id| fill(&id));
            let schema = operation["requestBody"]["content"]["application/json"]["schema"].clone();
            let valid = valid_body(&method, template);
            let body = valid.as_ref().map(Value::to_string).or_else(|| {
                (!schema.is_null()).then(|| plausible(document, &schema, 0).to_string())
            });
            let probe = |path: String, body: Option<Vec<u8>>, what: String| Probe {
                method: method.clone(),
                path,
                body,
                what,
            };
            if !path_params.is_empty() {
                for value in path_values().into_iter().chain(real(template)) {
                    let bytes = body.clone().map(String::into_bytes);
                    probes.push(probe(fill(&value), bytes, format!("path = {value:.40}")));
                }
            }
            for name in &query_params {
                for value in query_values() {
                    let bytes = body.clone().map(String::into_bytes);
                    let path = format!("{plain}?{name}={value}");
                    probes.push(probe(path, bytes, format!("{name} = {value:.40}")));
                }
            }
            if let Some(valid) = valid {
                for (what, bytes) in mutations(&valid) {
                    probes.push(probe(plain.clone(), Some(bytes), what));
                }
            }
            if !schema.is_null() {
                for (what, bytes) in bodies(document, &schema) {
                    probes.push(probe(plain.clone(), Some(bytes), what));
                }
            } else {
                probes.push(probe(plain.clone(), None, "as documented".into()));
            }
        }
    }
    // Sign-outs last: they end the session the other probes use.
    probes.sort_by_key(|p| p.path.starts_with("/api/auth/logout"));
    probes
}

#[tokio::test]
async fn every_operation_survives_hostile_input_from_every_role() {
    let db = TestDb::migrated().await;
    let mut config = test_config(&db);
    config.rate_limits.auth_per_minute = 0;
    config.rate_limits.write_per_minute = 0;
    config.rate_limits.read_per_minute = 0;
    config.rate_limits.health_per_minute = 0;
    let timeout = config.http.request_timeout + Duration::from_secs(10);
    let app = TestApp::start_with(db, config).await;
    app.wait_ready().await;
    let document = json(app.get("/api/openapi.json").await).await;
    // Real resources, so that hostile variants reach past "no such id".
    let owner = app.signed_in(Role::Admin).await;
    let created = |path: &'static str, body: Value| {
        let request = app.http.post(app.url(path)).bearer_auth(&owner).json(&body);
        async move {
            let response = request.send().await.unwrap();
            assert_eq!(response.status(), 201, "{path}");
            json(response).await["id"].as_str().unwrap().to_owned()
        }
    };
    let pipeline = created(
        "/api/pipelines",
        valid_body(&reqwest::Method::POST, "/api/pipelines").unwrap(),
    )
    .await;
    let schedule = created(
        "/api/schedules",
        valid_body(&reqwest::Method::POST, "/api/schedules").unwrap(),
    )
    .await;
    let real = |template: &str| {
        if template.starts_with("/api/pipelines/{id}") {
            Some(pipeline.clone())
        } else if template.starts_with("/api/schedules/{id}") {
            Some(schedule.clone())
        } else {
            None
        }
    };
    let probes = probes(&document, &real);
    assert!(probes.len() > 500, "only {} probes", probes.len());

    let mut tokens = vec![None];
    for role in [Role::Viewer, Role::Member, Role::Admin] {
        tokens.push(Some(app.signed_in(role).await));
    }
    let client = reqwest::Client::builder().timeout(timeout).build().unwrap();
    let requests = tokens.iter().flat_map(|token| {
        probes
            .iter()
            .map(move |probe| (token.clone(), probe.clone()))
    });
    let statuses = std::sync::Mutex::new(std::collections::BTreeMap::<u16, usize>::new());
    let failures: Vec<String> = futures_util::stream::iter(requests)
        .map(|(token, probe)| {
            let client = &client;
            let app = &app;
            let statuses = &statuses;
            async move {
                let mut request = client.request(probe.method.clone(), app.url(&probe.path));
                if let Some(token) = &token {
                    request = request.bearer_auth(token);
                }
                if let Some(body) = probe.body.clone() {
                    request = request
                        .header("content-type", "application/json")
                        .body(body);
                }
                let who = if token.is_some() {
                    "signed in"
                } else {
                    "anonymous"
                };
                let sent = request.send().await;
                if let Ok(response) = &sent {
                    *statuses
                        .lock()
                        .unwrap()
                        .entry(response.status().as_u16())
                        .or_default() += 1;
                }
                match sent {
                    Ok(response) if response.status().is_server_error() => {
                        let status = response.status();
                        let text = response.text().await.unwrap_or_default();
                        Some(format!(
                            "{status} {} {:.120} [{}] ({who}): {text:.300}",
                            probe.method, probe.path, probe.what
                        ))
                    }
                    Ok(_) => None,
                    Err(error) => Some(format!(
                        "no answer: {} {:.120} [{}] ({who}): {error}",
                        probe.method, probe.path, probe.what
                    )),
                }
            }
        })
        .buffer_unordered(8)
        .filter_map(|failure| async move { failure })
        .collect()
        .await;
    let statuses = statuses.into_inner().unwrap();
    eprintln!(
        "{} probes x 4 roles; answers by status: {statuses:?}",
        probes.len()
    );
    // The variants reach the handlers: most answers are refusals, some succeed.
    assert!(
        statuses.keys().any(|s| (200..300).contains(s)),
        "{statuses:?}"
    );
    assert!(statuses.get(&422).is_some_and(|n| *n > 100), "{statuses:?}");
    assert!(
        failures.is_empty(),
        "{} hostile requests failed:\n{}",
        failures.len(),
        failures.join("\n")
    );

    // Still ready, and still delivering events.
    assert_eq!(app.get("/health/ready").await.status(), 200);
    let mut users = app.bus.subscribe(
        "fuzz",
        Filter {
            types: vec![TypePattern::parse("user.created").unwrap()],
            ..Filter::default()
        },
    );
    let admin = app.signed_in(Role::Admin).await;
    let created = app
        .http
        .post(app.url("/api/users"))
        .bearer_auth(&admin)
        .json(
            &json!({"email": "after-fuzz@example.org", "display_name": "after",
                      "password": "long enough password", "role": "viewer"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let delivered = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            match users.recv().await {
                Some(Delivery::Event(event)) if event.data["email"] == "after-fuzz@example.org" => {
                    return true;
                }
                Some(_) => {}
                None => return false,
            }
        }
    })
    .await;
    assert_eq!(delivered, Ok(true), "events still flow after the fuzzing");
}
