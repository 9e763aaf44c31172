//! Tests of the expression language: evaluation, conditions, errors and the bounds that hold.
use super::*;
use serde_json::json;
use std::time::{Duration, Instant};

fn eval(source: &str, vars: Value) -> Result<Value, ExprError> {
    Expr::parse(source)?.eval(&vars)
}

fn ok(source: &str, vars: Value) -> Value {
    eval(source, vars).unwrap_or_else(|e| panic!("{source}: {e}"))
}

fn err(source: &str, vars: Value) -> ExprError {
    match eval(source, vars) {
        Ok(value) => panic!("{source}: expected an error, got {value}"),
        Err(e) => e,
    }
}

#[test]
fn expressions_are_send_sync_and_debug_shows_the_source() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Expr>();
    assert_send_sync::<Condition>();
    let expr = Expr::parse("input.a + 1").unwrap();
    assert_eq!(format!("{expr:?}"), r#"Expr("input.a + 1")"#);
    assert_eq!(expr.source(), "input.a + 1");
}

#[test]
fn arithmetic_and_comparisons_over_input() {
    let vars = json!({"input": {"a": 7, "b": 2, "score": 0.75, "name": "pr-12"}});
    assert_eq!(ok("input.a + input.b * 3", vars.clone()), json!(13));
    assert_eq!(ok("input.a / input.b", vars.clone()), json!(3));
    assert_eq!(ok("input.a % input.b", vars.clone()), json!(1));
    assert_eq!(ok("-input.a", vars.clone()), json!(-7));
    assert_eq!(ok("input.score * 2.0", vars.clone()), json!(1.5));
    assert_eq!(ok("input.a > 5 && input.b <= 2", vars.clone()), json!(true));
    assert_eq!(ok("input.a == 7 || false", vars.clone()), json!(true));
    assert_eq!(ok("!(input.a != 7)", vars.clone()), json!(true));
    assert_eq!(ok("input.score > 0.5", vars.clone()), json!(true));
    // int and double compare, though they do not mix in arithmetic
    assert_eq!(ok("input.a > 6.5", vars.clone()), json!(true));
    assert_eq!(
        ok("input.a > 5 ? 'big' : 'small'", vars.clone()),
        json!("big")
    );
    assert_eq!(ok("size(input.name) == 5", vars.clone()), json!(true));
    assert_eq!(
        ok("'b' in input && !('z' in input)", vars.clone()),
        json!(true)
    );
    assert_eq!(ok("2 in [1, 2, 3]", vars.clone()), json!(true));
    assert_eq!(ok("int(input.score * 100.0)", vars.clone()), json!(75));
    assert_eq!(ok("double(input.a) / 2.0", vars.clone()), json!(3.5));
    assert_eq!(ok("string(input.a) + '!'", vars.clone()), json!("7!"));
    assert_eq!(ok("input['name']", vars.clone()), json!("pr-12"));
    assert_eq!(ok("// a comment\n1 + 1", Value::Null), json!(2));
}

#[test]
fn has_tests_presence() {
    let vars = json!({"input": {"x": 0, "nested": {"y": null}}});
    assert_eq!(ok("has(input.x)", vars.clone()), json!(true));
    assert_eq!(ok("has(input.z)", vars.clone()), json!(false));
    assert_eq!(ok("has(input.nested.y)", vars.clone()), json!(true));
    assert_eq!(
        ok("has(input.z) ? input.z : 'default'", vars),
        json!("default")
    );
}

#[test]
fn list_macros_over_inputs() {
    let vars = json!({"inputs": {
        "search": {"items": [
            {"title": "a", "score": 3},
            {"title": "b", "score": 9},
            {"title": "c", "score": 5}
        ]},
        "review": {"approved": true}
    }});
    assert_eq!(
        ok(
            "inputs.search.items.filter(i, i.score > 4).map(i, i.title)",
            vars.clone()
        ),
        json!(["b", "c"])
    );
    assert_eq!(
        ok(
            "inputs.search.items.exists(i, i.title == 'c')",
            vars.clone()
        ),
        json!(true)
    );
    assert_eq!(
        ok("inputs.search.items.all(i, i.score > 4)", vars.clone()),
        json!(false)
    );
    assert_eq!(
        ok(
            "inputs.search.items.exists_one(i, i.score == 9)",
            vars.clone()
        ),
        json!(true)
    );
    assert_eq!(
        ok("inputs.search.items.map(i, i.score * 2)", vars.clone()),
        json!([6, 18, 10])
    );
    assert_eq!(
        ok(
            "size(inputs.search.items.filter(i, i.score > 4))",
            vars.clone()
        ),
        json!(2)
    );
    // a map's keys
    assert_eq!(ok("inputs.all(k, size(k) > 3)", vars.clone()), json!(true));
    assert_eq!(ok("[1, 2, 3].map(x, x * x)", vars), json!([1, 4, 9]));
}

#[test]
fn string_functions() {
    let vars = json!({"item": {"title": "Fix: crash on start", "url": "https://example.com/a"}});
    assert_eq!(
        ok("item.title.contains('crash')", vars.clone()),
        json!(true)
    );
    assert_eq!(
        ok("item.title.startsWith('Fix:')", vars.clone()),
        json!(true)
    );
    assert_eq!(ok("item.url.endsWith('/a')", vars.clone()), json!(true));
    assert_eq!(
        ok("item.title.matches('^Fix: [a-z ]+$')", vars.clone()),
        json!(true)
    );
    assert_eq!(
        ok("item.url.matches('^http://')", vars.clone()),
        json!(false)
    );
    assert_eq!(ok("size(item.title)", vars.clone()), json!(19));
    assert_eq!(
        ok("item.title + ' (' + item.url + ')'", vars.clone()),
        json!("Fix: crash on start (https://example.com/a)")
    );
    // an invalid pattern is an error, not a panic
    let e = err("item.title.matches('[')", vars);
    assert!(!e.message.is_empty());
}

#[test]
fn a_syntax_error_has_a_column() {
    let e = Expr::parse("1 + ").unwrap_err();
    assert_eq!(e.column, Some(5), "{e}");
    assert!(e.message.starts_with("syntax error: "), "{e}");
    let e = Expr::parse("input.a +* 2").unwrap_err();
    assert_eq!(e.column, Some(10), "{e}");
    let e = Expr::parse("input.a\n  && && true").unwrap_err();
    assert!(e.message.starts_with("syntax error on line 2: "), "{e}");
    let e = Expr::parse("has(1)").unwrap_err();
    assert!(e.message.contains("has()"), "{e}");
    assert!(Expr::parse("   ").unwrap_err().message.contains("empty"));
    assert!(Expr::parse("'unterminated").is_err());
    assert!(Expr::parse("Msg{field: 1}").is_err());
    // cel's own limit on nested subexpressions, which ternaries reach within the scan's
    let e = Expr::parse(&format!("{}1", "true ? 1 : ".repeat(100))).unwrap_err();
    assert!(e.message.contains("too deeply"), "{e}");
    assert!(e.column.is_some(), "{e}");
}

#[test]
fn deep_nesting_is_refused_quickly() {
    let deep = format!("{}1{}", "(".repeat(1000), ")".repeat(1000));
    let started = Instant::now();
    let e = Expr::parse(&deep).unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(1));
    assert_eq!(e.column, Some(MAX_NESTING + 1), "{e}");
    assert!(e.message.contains("deeper than 64"), "{e}");
    for (open, close) in [("[", "]"), ("{'a':", "}"), ("size(", ")")] {
        let deep = format!("{}1{}", open.repeat(65), close.repeat(65));
        assert!(Expr::parse(&deep).is_err(), "{open}");
    }
    // columns count characters
    let e = Expr::parse(&format!("'éé' + {}1", "(".repeat(65))).unwrap_err();
    assert_eq!(e.column, Some(7 + MAX_NESTING + 1), "{e}");
    // exactly at the bound is fine
    let edge = format!("{}1{}", "(".repeat(MAX_NESTING), ")".repeat(MAX_NESTING));
    assert_eq!(
        Expr::parse(&edge).unwrap().eval(&Value::Null).unwrap(),
        json!(1)
    );
    // brackets inside strings and comments do not count
    let quoted = format!(
        "'{}' + \"{}\" // {}\n",
        "(".repeat(100),
        "[".repeat(100),
        "{".repeat(100)
    );
    assert_eq!(
        ok(&quoted, Value::Null),
        json!(format!("{}{}", "(".repeat(100), "[".repeat(100)))
    );
    assert!(Expr::parse(&format!("r'\\' + '{}'", "(".repeat(100))).is_ok());
    assert!(Expr::parse(&format!("'''{}'''", "'(".repeat(100))).is_ok());
}

#[test]
fn long_operator_chains_are_refused() {
    // A chain of 1,500 `+` overflows a 2 MiB stack in the parser and the evaluator.
    for chain in ["1", "a.b", "x[0]", "!true", "-1", "1 == 1", "true ? 1 : 2"] {
        let long = vec![chain; 260].join(" + ");
        let e = Expr::parse(&long).unwrap_err();
        assert!(e.message.contains("operators"), "{chain}: {e}");
    }
    let edge = format!("1{}", " + 1".repeat(MAX_OPERATORS));
    assert_eq!(ok(&edge, Value::Null), json!(MAX_OPERATORS + 1));
    // numbers with dots and signed exponents are not operators
    let floats = vec!["1.5e-3"; 200].join(" * ");
    assert!(Expr::parse(&floats).is_ok());
}

#[test]
fn over_long_source_is_refused() {
    let long = format!("'{}'", "a".repeat(MAX_SOURCE_BYTES));
    let e = Expr::parse(&long).unwrap_err();
    assert!(e.message.contains("4096"), "{e}");
    let fits = format!("'{}'", "a".repeat(MAX_SOURCE_BYTES - 2));
    assert!(Expr::parse(&fits).is_ok());
}

/// The worst shapes within the bounds, parsed and evaluated on a 1 MiB stack (tokio's
/// workers have 2 MiB), over variables nested as deep as allowed.
#[test]
fn worst_shapes_fit_in_a_small_stack() {
    let n = MAX_NESTING;
    let chain = |op: &str, count: usize| format!("1{}", format!("{op}1").repeat(count));
    let sums = chain(" + ", MAX_OPERATORS);
    let shapes = [
        format!("{}1{}", "(".repeat(n), ")".repeat(n)),
        format!("{}1{}", "[".repeat(n), "]".repeat(n)),
        format!("{}1{}", "{'a':".repeat(n), "}".repeat(n)),
        format!("{}'a'{}", "size(".repeat(n), ")".repeat(n)),
        format!("{}'a'{}", "string(".repeat(n), ")".repeat(n)),
        format!("{}{sums}{}", "(".repeat(n), ")".repeat(n)),
        format!("{}{sums}{}", "size(".repeat(n), ")".repeat(n)),
        format!(
            "{}{}{}",
            "[".repeat(n - 1),
            chain("+", 190),
            "]".repeat(n - 1)
        ),
        format!("{}{}{}", "(".repeat(n), chain(" == ", 255), ")".repeat(n)),
        format!("{}{}{}", "(".repeat(n), chain(" * ", 255), ")".repeat(n)),
        format!(
            "{}{}{}",
            "(".repeat(n - 1),
            chain(" in [1] == ", 85),
            ")".repeat(n - 1)
        ),
        format!(
            "{}input.l{}{}",
            "(".repeat(n - 1),
            "[0]".repeat(255),
            ")".repeat(n - 1)
        ),
        format!(
            "{}input{}{}",
            "size(".repeat(n),
            ".a".repeat(256),
            ")".repeat(n)
        ),
        format!("{}'a'{}", "'a' + (".repeat(n), ")".repeat(n)),
        format!(
            "{}x{}",
            "[[1]].map(x, x.map(y, ".repeat(n / 2),
            "))".repeat(n / 2)
        ),
        format!("{}1", "true ? 1 : ".repeat(90)),
        format!("{}true", "!".repeat(MAX_OPERATORS)),
        format!("{}1", "-".repeat(MAX_OPERATORS)),
    ];
    let mut deep = json!("x");
    for _ in 0..MAX_VALUE_DEPTH - 2 {
        deep = json!([deep]);
    }
    let vars = json!({"input": {"a": 1, "l": deep}});
    std::thread::Builder::new()
        .stack_size(1 << 20)
        .spawn(move || {
            for shape in &shapes {
                // evaluation errors are fine; overflowing the stack is not
                match Expr::parse(shape) {
                    Ok(expr) => drop(expr.eval(&vars)),
                    // the ternary chain passes cel's own nesting limit of 96
                    Err(e) => assert!(e.message.contains("too deeply"), "{shape}: {e}"),
                }
            }
            let e = Expr::parse("input.l == input.l").unwrap();
            assert_eq!(e.eval(&vars).unwrap(), json!(true));
        })
        .unwrap()
        .join()
        .unwrap();
}

#[test]
fn the_budget_stops_loops_and_copies() {
    let started = Instant::now();
    let list = format!("[{}]", vec!["0"; 400].join(","));
    let bomb = format!("{list}.map(a, {list}.map(b, {list}.map(c, c)))");
    let e = err(&bomb, Value::Null);
    assert!(e.message.contains("too much work"), "{e}");

    let numbers = json!({"input": {"items": (0..2000).collect::<Vec<_>>()}});
    let objects = json!({"input": {"items": (0..5000)
        .map(|i| json!({"id": i, "title": format!("item {i}"), "tags": ["a", "b"]}))
        .collect::<Vec<_>>()}});
    for (source, vars) in [
        ("input.items.map(a, input.items.map(b, a + b))", &numbers),
        (
            "input.items.filter(a, input.items.exists(b, b == a + 5000))",
            &numbers,
        ),
        ("input.items.map(a, input.items)", &objects),
        ("input.items.map(a, input.items + input.items)", &numbers),
        ("input.items.filter(a, a in input.items)", &numbers),
        ("input.items.map(a, [input.items, input.items])", &objects),
        ("input.items.map(a, {'all': input.items})", &objects),
    ] {
        let e = err(source, vars.clone());
        assert!(e.message.contains("too much work"), "{source}: {e}");
    }
    // copies without a macro: 40 copies of 5,000 objects
    let copies = format!("[{}]", vec!["input.items"; 40].join(", "));
    assert!(
        err(&copies, objects.clone())
            .message
            .contains("too much work")
    );
    let sums = vec!["input.items"; 40].join(" + ");
    assert!(
        err(&sums, objects.clone())
            .message
            .contains("too much work")
    );
    assert!(started.elapsed() < Duration::from_secs(20));

    // ordinary work is well within it
    assert_eq!(
        ok("input.items.filter(x, x % 2 == 0).size()", numbers.clone()),
        json!(1000)
    );
    assert_eq!(
        ok(
            "input.items.filter(x, 'b' in x.tags && x.id < 3).map(x, x.title)",
            objects.clone()
        ),
        json!(["item 0", "item 1", "item 2"])
    );
    assert_eq!(
        ok("[input.items, input.items].size()", objects.clone()),
        json!(2)
    );
    assert_eq!(ok("size(input.items + input.items)", objects), json!(10000));
}

#[test]
fn runtime_errors_are_errors_not_panics() {
    let vars = json!({"input": {"a": 1, "s": "x", "zero": 0}});
    for source in [
        "1 + 'a'",
        "input.a + 1.5",
        "input.a / input.zero",
        "input.a % input.zero",
        "input.missing",
        "unknown_variable",
        "input.s.nope()",
        "undefined_function(1)",
        "[1, 2][5]",
        "{'a': 1}['b']",
        "9223372036854775807 + 1",
        "input.a.b",
        "size(1)",
        "int('x')",
        "{'a': 1, 'a': 2}",
    ] {
        let e = err(source, vars.clone());
        assert!(!e.message.is_empty(), "{source}");
        assert_eq!(e.column, None, "{source}");
    }
    assert!(
        err("unknown_variable", Value::Null)
            .message
            .contains("unknown_variable")
    );
    assert!(
        err("input.missing", vars.clone())
            .message
            .contains("missing")
    );
    assert!(err("1", json!([1])).message.contains("JSON object"));
}

#[test]
fn results_convert_to_json() {
    let vars = json!({"input": {"big": 18446744073709551615u64, "list": [1, "a", null]}});
    assert_eq!(ok("42", Value::Null), json!(42));
    assert_eq!(ok("-42", Value::Null), json!(-42));
    assert_eq!(ok("42u", Value::Null), json!(42));
    assert_eq!(ok("2.5", Value::Null), json!(2.5));
    assert_eq!(ok("'héllo'", Value::Null), json!("héllo"));
    assert_eq!(ok("true", Value::Null), json!(true));
    assert_eq!(ok("null", Value::Null), json!(null));
    assert_eq!(
        ok("[1, 'two', 3.0, [null]]", Value::Null),
        json!([1, "two", 3.0, [null]])
    );
    assert_eq!(
        ok("{'a': 1, 'b': {'c': [true]}}", Value::Null),
        json!({"a": 1, "b": {"c": [true]}})
    );
    assert_eq!(
        ok("{1: 'one', true: 'yes'}", Value::Null),
        json!({"1": "one", "true": "yes"})
    );
    assert_eq!(ok("b'hi'", Value::Null), json!("aGk="));
    assert_eq!(ok("duration('1500ms')", Value::Null), json!("1.5s"));
    assert_eq!(ok("duration('-90s')", Value::Null), json!("-90s"));
    assert_eq!(
        ok("timestamp('2024-05-01T10:00:00Z')", Value::Null),
        json!("2024-05-01T10:00:00+00:00")
    );
    assert_eq!(
        ok("input.big", vars.clone()),
        json!(18446744073709551615u64)
    );
    assert_eq!(ok("input.list", vars.clone()), json!([1, "a", null]));
    assert_eq!(ok("input", vars.clone()), vars["input"]);
    assert!(err("optional.of(1)", Value::Null).message.contains("JSON"));
    assert!(err("1.0 / 0.0", Value::Null).message.contains("JSON"));
}

#[test]
fn truthiness() {
    for (source, expected) in [
        ("true", true),
        ("false", false),
        ("null", false),
        ("0", false),
        ("0.0", false),
        ("3", true),
        ("-0.5", true),
        ("''", false),
        ("'no'", true),
        ("[]", false),
        ("[0]", true),
        ("{}", false),
        ("{'a': false}", true),
    ] {
        assert_eq!(
            Expr::parse(source)
                .unwrap()
                .eval_bool(&Value::Null)
                .unwrap(),
            expected,
            "{source}"
        );
    }
}

#[test]
fn variables_the_expression_does_not_name_are_not_converted() {
    // `nodes` is not valid for CEL (too deep), but the expression does not name it
    let mut deep = json!(1);
    for _ in 0..(MAX_VALUE_DEPTH + 10) {
        deep = json!([deep]);
    }
    let vars = json!({"input": {"a": 1}, "nodes": deep});
    assert_eq!(ok("input.a", vars.clone()), json!(1));
    let e = err("size(nodes)", vars);
    assert!(e.message.contains("nested deeper"), "{e}");
}

#[test]
fn conditions() {
    let preds = ["search", "review"];
    let vars = json!({
        "input": {"pr": 12, "draft": false, "empty": "", "title": "x"},
        "inputs": {"search": {"items": []}, "review": {}, "other": {"ok": true}}
    });
    let cond = |s: &str| Condition::parse(s, &preds).unwrap();

    assert!(matches!(cond("true"), Condition::Literal(true)));
    assert!(matches!(cond("  FALSE "), Condition::Literal(false)));
    assert!(matches!(cond("True"), Condition::Literal(true)));
    assert!(cond("TRUE").eval(&Value::Null).unwrap());
    assert!(!cond("false").eval(&vars).unwrap());

    assert!(matches!(cond("input.pr"), Condition::InputKey(k) if k == "pr"));
    assert!(cond("input.pr").eval(&vars).unwrap());
    assert!(cond(" input.title ").eval(&vars).unwrap());
    assert!(!cond("input.draft").eval(&vars).unwrap());
    assert!(!cond("input.empty").eval(&vars).unwrap());
    assert!(!cond("input.missing").eval(&vars).unwrap());
    assert!(!cond("input.pr").eval(&Value::Null).unwrap());

    assert!(matches!(cond("search"), Condition::Predecessor(p) if p == "search"));
    assert!(cond("search").eval(&vars).unwrap());
    assert!(!cond("review").eval(&vars).unwrap());
    assert!(!cond("search").eval(&json!({"inputs": {}})).unwrap());

    // not a predecessor: an expression, and an unknown variable is an error
    assert!(matches!(cond("other"), Condition::Expr(_)));
    assert!(cond("other").eval(&vars).is_err());
    assert!(matches!(cond("input.pr.number"), Condition::Expr(_)));
    assert!(matches!(cond("input.pr > 10"), Condition::Expr(_)));
    assert!(cond("input.pr > 10 && !input.draft").eval(&vars).unwrap());
    assert!(!cond("size(inputs.search.items) > 0").eval(&vars).unwrap());
    assert!(cond("inputs.other.ok").eval(&vars).unwrap());
    assert!(cond("input.missing").eval(&vars).is_ok());
    assert!(Condition::parse("input.pr >", &preds).is_err());
}

/// Pieces of expressions, the expensive shapes among them (macros nested over lists, strings and
/// lists concatenated to themselves, comparisons of big values), for the property below.
const PIECES: &[&str] = &[
    "input.items",
    "input.s",
    "input.n",
    "[1, 2, 3]",
    "'abcdefgh'",
    "input.items.map(x, input.items)",
    "input.items.map(x, input.items.map(y, input.s + input.s))",
    "input.items.filter(x, x > 1)",
    "input.items.all(x, input.items.exists(y, y == x))",
    "size(input.items)",
    "{'k': input.items}",
    "(input.s + input.s)",
    "(input.items + input.items)",
    "string(input.n)",
    "input.items[0]",
    "has(input.s)",
];
const JOINS: &[&str] = &[" + ", " == ", " != ", " && ", " || ", " in ", " * ", " < "];

fn arb_source() -> impl proptest::strategy::Strategy<Value = String> {
    use proptest::prelude::*;
    let piece = prop::sample::select(PIECES);
    let join = prop::sample::select(JOINS);
    (piece.clone(), prop::collection::vec((join, piece), 0..12)).prop_map(|(first, rest)| {
        let mut source = first.to_owned();
        for (join, piece) in rest {
            // Wrapping in brackets now and then nests lists and macros over what came before.
            source = if piece.len() % 3 == 0 {
                format!("[{source}]{join}{piece}")
            } else {
                format!("{source}{join}{piece}")
            };
        }
        source
    })
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
    /// Any expression within the source limits either fails cleanly or returns a value whose
    /// size the work budget bounds (a budget unit is at most 64 bytes of string, or one value)
    /// and whose depth the value limit bounds: no panic, no unbounded output.
    #[test]
    fn prop_any_expression_is_bounded_in_work_and_output(source in arb_source()) {
        let items: Vec<Value> = (0..200).map(|i| json!(i)).collect();
        let vars = json!({"input": {"items": items, "s": "x".repeat(1000), "n": 7}});
        let vars_len = vars.to_string().len();
        if let Ok(expr) = Expr::parse(&source)
            && let Ok(value) = expr.eval(&vars)
        {
            let len = value.to_string().len();
            proptest::prop_assert!(
                len <= 64 * MAX_EVAL_COST as usize + vars_len,
                "{source}: {len} bytes"
            );
            proptest::prop_assert!(crate::core::json::depth(&value) <= MAX_VALUE_DEPTH);
        }
    }
}
