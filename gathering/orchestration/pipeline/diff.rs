//! The difference between two versions of a pipeline document: nodes and edges added,
//! removed or changed (by id; an edge without an id by `from->to`), and the top-level fields
//! (name, description, status, settings) that changed.

use std::collections::BTreeMap;

use serde_json::{Value, json};

fn id_of(item: &Value, edge: bool) -> String {
    match item.get("id") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ if edge => {
            let end = |a: &str, b: &str| {
                item.get(a)
                    .or_else(|| item.get(b))
                    .map(|v| match v {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    })
                    .unwrap_or_default()
            };
            format!("{}->{}", end("from", "from_node"), end("to", "to_node"))
        }
        _ => String::new(),
    }
}

fn by_id(doc: &Value, key: &str) -> BTreeMap<String, Value> {
    doc.get(key)
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .map(|i| (id_of(i, key == "edges"), i.clone()))
                .collect()
        })
        .unwrap_or_default()
}

fn compare(before: &Value, after: &Value, key: &str) -> Value {
    let a = by_id(before, key);
    let b = by_id(after, key);
    let added: Vec<&Value> = b
        .iter()
        .filter(|(id, _)| !a.contains_key(*id))
        .map(|(_, v)| v)
        .collect();
    let removed: Vec<&Value> = a
        .iter()
        .filter(|(id, _)| !b.contains_key(*id))
        .map(|(_, v)| v)
        .collect();
    let changed: Vec<Value> = a
        .iter()
        .filter_map(|(id, old)| {
            b.get(id)
                .filter(|new| *new != old)
                .map(|new| json!({"id": id, "before": old, "after": new}))
        })
        .collect();
    json!({"added": added, "removed": removed, "changed": changed})
}

/// What changed from `before` to `after`.
pub fn diff(before: &Value, after: &Value) -> Value {
    let mut fields = serde_json::Map::new();
    for key in ["name", "description", "status", "settings"] {
        let (a, b) = (before.get(key), after.get(key));
        if a != b {
            fields.insert(key.into(), json!({"before": a, "after": b}));
        }
    }
    json!({
        "nodes": compare(before, after, "nodes"),
        "edges": compare(before, after, "edges"),
        "fields": fields,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nodes_edges_and_fields_are_compared_by_id() {
        let a = json!({"name": "p", "nodes": [{"id": "t", "type": "trigger"},
                                               {"id": "x", "type": "delay", "config": {"seconds": 1}}],
                       "edges": [{"from": "t", "to": "x"}]});
        let b = json!({"name": "p2", "nodes": [{"id": "t", "type": "trigger"},
                                                {"id": "x", "type": "delay", "config": {"seconds": 2}},
                                                {"id": "y", "type": "merge"}],
                       "edges": [{"from": "t", "to": "x"}, {"id": "e2", "from": "x", "to": "y"}]});
        let d = diff(&a, &b);
        assert_eq!(d["nodes"]["added"][0]["id"], "y");
        assert_eq!(d["nodes"]["removed"], json!([]));
        assert_eq!(d["nodes"]["changed"][0]["id"], "x");
        assert_eq!(d["nodes"]["changed"][0]["after"]["config"]["seconds"], 2);
        assert_eq!(d["edges"]["added"][0]["id"], "e2");
        assert_eq!(d["edges"]["changed"], json!([]));
        assert_eq!(d["fields"]["name"], json!({"before": "p", "after": "p2"}));
        assert!(d["fields"].get("settings").is_none());
    }
}
