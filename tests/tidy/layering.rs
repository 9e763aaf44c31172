//! The module graph: which top-level module of `gathering/` may import which. The table is the
//! codemap's arrows (docs/ARCHITECTURE.md); the check reads every `crate::` path of every
//! file's non-test code, so an import against the arrows fails here with the file named.

use std::collections::{BTreeMap, BTreeSet};

use super::{SourceFile, source_files};

/// Each top-level module and the modules it may use, lowest layer first; [`EVERY_LOWER`] for
/// one that may use every module listed before it. A module may use only modules listed
/// before it, so the graph has no cycle by construction; `cycle` checks that too.
pub const LAYERS: &[(&str, &[&str])] = &[
    ("core", &[]),
    ("db", &["core"]),
    ("telemetry", &["core"]),
    ("events", &["core", "db"]),
    ("audit", &["core", "db", "events"]),
    ("auth", &["core", "db", "events", "audit"]),
    ("llm", &["core"]),
    ("models", &["core", "db", "events", "audit", "llm"]),
    (
        "memory",
        &["core", "db", "events", "audit", "llm", "models"],
    ),
    ("tools", &["core", "db", "events", "audit", "memory"]),
    ("personas", &["core", "db", "events", "audit"]),
    (
        "conversations",
        &["core", "db", "events", "audit", "llm", "models"],
    ),
    (
        "agents",
        &[
            "core",
            "db",
            "events",
            "audit",
            "llm",
            "models",
            "memory",
            "tools",
            "personas",
            "conversations",
        ],
    ),
    ("circles", &["core"]),
    (
        "orchestration",
        &[
            "core",
            "db",
            "events",
            "audit",
            "auth",
            "llm",
            "models",
            "tools",
            "personas",
            "conversations",
            "agents",
        ],
    ),
    (
        "overview",
        &[
            "core",
            "db",
            "events",
            "llm",
            "models",
            "agents",
            "orchestration",
        ],
    ),
    ("api", EVERY_LOWER),
    ("config", EVERY_LOWER),
    ("app", EVERY_LOWER),
    ("cli", EVERY_LOWER),
];

/// "Every module listed before this one", in [`LAYERS`].
pub const EVERY_LOWER: &[&str] = &["*"];

/// The table with [`EVERY_LOWER`] spelled out: each module and the modules it may use.
pub fn allowed(
    layers: &[(&'static str, &'static [&'static str])],
) -> Vec<(&'static str, Vec<&'static str>)> {
    layers
        .iter()
        .enumerate()
        .map(|(at, (module, uses))| {
            let uses = if *uses == EVERY_LOWER {
                layers[..at].iter().map(|(m, _)| *m).collect()
            } else {
                uses.to_vec()
            };
            (*module, uses)
        })
        .collect()
}

/// The top-level module a file under `gathering/` belongs to (`agents/turn.rs` → `agents`);
/// `None` for the crate roots.
pub fn module_of(relative: &str) -> Option<&str> {
    let first = relative.split('/').next()?;
    let name = first.strip_suffix(".rs").unwrap_or(first);
    (!matches!(name, "lib" | "main")).then_some(name)
}

/// The top-level modules a piece of Rust source names through `crate::`: plain paths
/// (`crate::events::Bus`) and every branch of grouped imports (`use crate::{audit, events::X}`).
pub fn crate_imports(code: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        let preceded_by_ident = rest[..at]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$');
        rest = &rest[at + "crate::".len()..];
        if preceded_by_ident {
            continue; // `$crate::` or `mycrate::`
        }
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 1;
            let mut end = group.len();
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' => {
                        depth -= 1;
                        if depth == 0 {
                            end = i;
                            break;
                        }
                    }
                    _ => {}
                }
            }
            let mut depth = 0;
            let mut start = 0;
            let inner = &group[..end];
            let mut branches = Vec::new();
            for (i, c) in inner.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        branches.push(&inner[start..i]);
                        start = i + 1;
                    }
                    _ => {}
                }
            }
            branches.push(&inner[start..]);
            for branch in branches {
                let name: String = branch
                    .trim()
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() && name != "self" {
                    found.insert(name);
                }
            }
        } else {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                found.insert(name);
            }
        }
    }
    found
}

/// Every import against the table, as "file: uses `X`, but `M` may use only …", plus
/// modules missing from the table.
pub fn forbidden_imports(
    files: &[SourceFile],
    layers: &[(&'static str, &'static [&'static str])],
) -> Vec<String> {
    let table: BTreeMap<&str, Vec<&str>> = allowed(layers).into_iter().collect();
    let mut problems = Vec::new();
    for file in files {
        let Some(module) = module_of(&file.relative) else {
            continue;
        };
        let Some(allowed) = table.get(module) else {
            problems.push(format!(
                "{}: module `{module}` is not in the layering table (tests/tidy/layering.rs)",
                file.relative
            ));
            continue;
        };
        for used in crate_imports(file.non_test_code()) {
            if used != module
                && table.contains_key(used.as_str())
                && !allowed.contains(&used.as_str())
            {
                problems.push(format!(
                    "{}: uses `crate::{used}`, but `{module}` may use only {allowed:?}",
                    file.relative
                ));
            }
        }
    }
    problems
}

/// The modules on a cycle of `edges`, if any (depth-first search).
pub fn cycle(edges: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|n| n == node) {
            let mut cycle = path[at..].to_vec();
            cycle.push(node.to_owned());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_owned());
        for next in edges.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, edges, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        done.insert(node.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    for node in edges.keys() {
        if let Some(cycle) = visit(node, edges, &mut Vec::new(), &mut done) {
            return Some(cycle);
        }
    }
    None
}

/// The import graph between top-level modules as the source has it.
pub fn import_graph(files: &[SourceFile]) -> BTreeMap<String, BTreeSet<String>> {
    let modules: BTreeSet<&str> = files
        .iter()
        .filter_map(|f| module_of(&f.relative))
        .collect();
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in files {
        let Some(module) = module_of(&file.relative) else {
            continue;
        };
        let entry = graph.entry(module.to_owned()).or_default();
        for used in crate_imports(file.non_test_code()) {
            if used != module && modules.contains(used.as_str()) {
                entry.insert(used);
            }
        }
    }
    graph
}

#[test]
fn every_import_follows_the_layering_table() {
    let problems = forbidden_imports(&source_files(), LAYERS);
    assert!(
        problems.is_empty(),
        "imports against the module graph (docs/ARCHITECTURE.md):\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_import_graph_has_no_cycle() {
    let table: BTreeMap<String, BTreeSet<String>> = allowed(LAYERS)
        .into_iter()
        .map(|(m, uses)| (m.to_owned(), uses.iter().map(|u| u.to_string()).collect()))
        .collect();
    assert_eq!(cycle(&table), None, "the layering table has a cycle");
    assert_eq!(
        cycle(&import_graph(&source_files())),
        None,
        "top-level modules import each other in a cycle"
    );
}

#[test]
fn the_table_lists_lower_layers_only() {
    for (at, (module, uses)) in allowed(LAYERS).iter().enumerate() {
        for used in uses {
            let below = LAYERS[..at].iter().any(|(m, _)| m == used);
            assert!(
                below,
                "`{module}` may use `{used}`, which is not listed before it"
            );
        }
    }
}

// Tests of the checks themselves: they must catch what they claim to.

fn file(relative: &str, text: &str) -> SourceFile {
    SourceFile {
        relative: relative.to_owned(),
        text: text.to_owned(),
    }
}

#[test]
fn a_forbidden_import_is_reported_with_its_file() {
    let files = [
        file("core/x.rs", "//! x\nuse crate::api::state::AppState;\n"),
        file(
            "events/y.rs",
            "//! y\nuse crate::{core::identity::Role, auth::model::Principal};\n",
        ),
        file(
            "llm/z.rs",
            "//! z\nfn f() { crate::audit::store::record(); }\n",
        ),
        file(
            "core/ok.rs",
            "//! ok\nuse super::error::DomainError;\n#[cfg(test)]\nuse crate::api::X;\n",
        ),
        file("newmod/a.rs", "//! a\n"),
    ];
    let problems = forbidden_imports(&files, LAYERS);
    assert_eq!(problems.len(), 4, "{problems:#?}");
    assert!(problems[0].starts_with("core/x.rs: uses `crate::api`"));
    assert!(problems[1].starts_with("events/y.rs: uses `crate::auth`"));
    assert!(problems[2].starts_with("llm/z.rs: uses `crate::audit`"));
    assert!(problems[3].contains("`newmod` is not in the layering table"));
}

#[test]
fn grouped_and_nested_imports_are_all_read() {
    let found = crate_imports(
        "use crate::{a::{b, c::{d}}, e, self};\nlet x = $crate::nope::y; crate::f::g();",
    );
    let found: Vec<&str> = found.iter().map(String::as_str).collect();
    assert_eq!(found, ["a", "e", "f"]);
}

#[test]
fn a_cycle_is_found() {
    let edges: BTreeMap<String, BTreeSet<String>> = [
        ("a", vec!["b"]),
        ("b", vec!["c"]),
        ("c", vec!["a"]),
        ("d", vec![]),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.into_iter().map(str::to_owned).collect()))
    .collect();
    let found = cycle(&edges).expect("a → b → c → a");
    assert_eq!(found.first(), found.last());
    assert_eq!(found.len(), 4);
}
