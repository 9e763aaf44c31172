//! Tests of the calculator: parsing, precedence, functions, errors and limits.

use super::*;

fn ctx() -> ToolContext {
    ToolContext::outside_agents(crate::core::identity::Identity::system())
}

fn eval(expression: &str) -> f64 {
    evaluate(expression).unwrap_or_else(|e| panic!("{expression}: {e}"))
}

fn error(expression: &str) -> String {
    match evaluate(expression) {
        Ok(value) => panic!("{expression} gave {value}, expected an error"),
        Err(ToolError::InvalidArguments(message)) => message,
        Err(other) => panic!("{expression}: unexpected error kind {other:?}"),
    }
}

#[test]
fn numbers() {
    assert_eq!(eval("42"), 42.0);
    assert_eq!(eval("2.5"), 2.5);
    assert_eq!(eval(".5"), 0.5);
    assert_eq!(eval("1e3"), 1000.0);
    assert_eq!(eval("1.5E-2"), 0.015);
    assert_eq!(eval("2e+2"), 200.0);
    assert_eq!(eval("  7 \t"), 7.0);
}

#[test]
fn precedence() {
    assert_eq!(eval("2 + 3 * 4"), 14.0);
    assert_eq!(eval("(2 + 3) * 4"), 20.0);
    assert_eq!(eval("10 - 4 / 2"), 8.0);
    assert_eq!(eval("2 * 3 ^ 2"), 18.0);
    assert_eq!(eval("7 % 4 + 1"), 4.0);
    assert_eq!(eval("1 + 2 * 3 - 4 / 2 ^ 2"), 6.0);
}

#[test]
fn associativity() {
    assert_eq!(eval("10 - 4 - 3"), 3.0);
    assert_eq!(eval("64 / 4 / 2"), 8.0);
    assert_eq!(eval("2 ^ 3 ^ 2"), 512.0);
    assert_eq!(eval("17 % 10 % 4"), 3.0);
}

#[test]
fn unary_signs() {
    assert_eq!(eval("-3"), -3.0);
    assert_eq!(eval("--3"), 3.0);
    assert_eq!(eval("+3"), 3.0);
    assert_eq!(eval("2 * -3"), -6.0);
    assert_eq!(eval("2 - -3"), 5.0);
    assert_eq!(eval("-(2 + 3)"), -5.0);
    assert_eq!(eval("-2 ^ 2"), -4.0);
    assert_eq!(eval("(-2) ^ 2"), 4.0);
}

#[test]
fn powers() {
    assert_eq!(eval("2 ^ 10"), 1024.0);
    assert_eq!(eval("2 ^ -1"), 0.5);
    assert_eq!(eval("4 ^ 0.5"), 2.0);
    assert_eq!(eval("0 ^ 0"), 1.0);
    assert_eq!(eval("2 ^ -2 ^ 2"), 2f64.powf(-4.0));
}

#[test]
fn functions_and_constants() {
    assert_eq!(eval("sqrt(16)"), 4.0);
    assert_eq!(eval("abs(-2.5)"), 2.5);
    assert_eq!(eval("round(2.5)"), 3.0);
    assert_eq!(eval("floor(-1.5)"), -2.0);
    assert_eq!(eval("ceil(1.2)"), 2.0);
    assert_eq!(eval("ln(e)"), 1.0);
    assert_eq!(eval("log10(1000)"), 3.0);
    assert_eq!(eval("min(3, 1, 2)"), 1.0);
    assert_eq!(eval("max(3, 1 + 4, 2)"), 5.0);
    assert_eq!(eval("max(7)"), 7.0);
    assert_eq!(eval("pi"), std::f64::consts::PI);
    assert_eq!(eval("2 * PI"), 2.0 * std::f64::consts::PI);
    assert_eq!(eval("sqrt(max(9, 4)) ^ 2"), 9.0);
}

#[test]
fn empty_input() {
    assert!(error("").contains("empty"));
    assert!(error("   ").contains("empty"));
}

#[test]
fn unknown_names_and_characters() {
    let message = error("2 + x");
    assert!(
        message.contains("'x'") && message.contains("character 5"),
        "{message}"
    );
    let message = error("system(1)");
    assert!(message.contains("'system'"), "{message}");
    let message = error("1 $ 2");
    assert!(
        message.contains("'$'") && message.contains("character 3"),
        "{message}"
    );
    let message = error("2 ** 3");
    assert!(message.contains("use ^"), "{message}");
    let message = error("1 = 1");
    assert!(message.contains("character 3"), "{message}");
}

#[test]
fn unbalanced_parentheses() {
    let message = error("(1 + 2");
    assert!(
        message.contains("never closed") && message.contains("character 1"),
        "{message}"
    );
    let message = error("1 + 2)");
    assert!(
        message.contains("closes nothing") && message.contains("character 6"),
        "{message}"
    );
    let message = error("sqrt(4");
    assert!(message.contains("never closed"), "{message}");
    let message = error("()");
    assert!(
        message.contains("')'") && message.contains("character 2"),
        "{message}"
    );
}

#[test]
fn trailing_garbage_and_missing_operands() {
    let message = error("1 2");
    assert!(message.contains("character 3"), "{message}");
    let message = error("2 pi");
    assert!(message.contains("'pi'"), "{message}");
    let message = error("1 +");
    assert!(message.contains("ends too early"), "{message}");
    let message = error("* 2");
    assert!(message.contains("character 1"), "{message}");
    let message = error("2e");
    assert!(message.contains("character 2"), "{message}");
    let message = error(".");
    assert!(message.contains("not a number"), "{message}");
    let message = error("1.2.3");
    assert!(message.contains("character 4"), "{message}");
}

#[test]
fn function_misuse() {
    assert!(error("sqrt 4").contains("must be followed by '('"));
    assert!(error("sqrt(1, 2)").contains("exactly one argument"));
    assert!(error("min()").contains("')'"));
    assert!(error("pi(2)").contains("'('"));
}

#[test]
fn division_by_zero() {
    assert!(error("1 / 0").contains("division by zero at character 3"));
    assert!(error("5 % (2 - 2)").contains("division by zero"));
    assert!(error("0 ^ -1").contains("division by zero"));
}

#[test]
fn non_finite_results() {
    assert!(error("10 ^ 400").contains("finite"));
    assert!(error("1e308 * 10").contains("finite"));
    assert!(error("sqrt(-1)").contains("'sqrt'"));
    assert!(error("ln(0)").contains("finite"));
    assert!(error("(-8) ^ (1/3)").contains("finite"));
    assert!(error("1e400").contains("too large"));
}

#[test]
fn syntax_errors_come_before_evaluation_errors() {
    assert!(error("1 / 0 +").contains("ends too early"));
}

#[test]
fn depth_bound() {
    let ok = format!("{}1{}", "(".repeat(MAX_DEPTH), ")".repeat(MAX_DEPTH));
    assert_eq!(eval(&ok), 1.0);
    let deep = format!(
        "{}1{}",
        "(".repeat(MAX_DEPTH + 1),
        ")".repeat(MAX_DEPTH + 1)
    );
    assert!(error(&deep).contains("nests too deeply"));
    // Far beyond the bound, and unbalanced: refused without overflowing the stack.
    assert!(error(&"(".repeat(1000)).contains("nests too deeply"));
    assert!(error(&"-".repeat(999)).contains("nests too deeply"));
    assert!(error(&"2^".repeat(400)).contains("nests too deeply"));
    let sum = vec!["1"; 500].join("+");
    assert_eq!(eval(&sum), 500.0);
}

#[test]
fn length_bounds() {
    let long = "1+".repeat(500) + "1";
    assert!(error(&long).contains("at most 1000"));
    let literal = "1".repeat(65);
    assert!(error(&literal).contains("at most 64"));
    let ones = eval(&"1".repeat(64));
    assert!(
        (ones / 1.111_111_111_111_111e63 - 1.0).abs() < 1e-12,
        "{ones}"
    );
}

#[tokio::test]
async fn call_returns_expression_and_result() {
    let calculator = Calculator::new();
    assert_eq!(calculator.definition().name, "calculator");
    assert_eq!(calculator.definition().risk, Risk::ReadOnly);
    let result = calculator
        .call(&ctx(), json!({ "expression": "(2 + 3) * 4" }))
        .await
        .unwrap();
    assert_eq!(result, json!({ "expression": "(2 + 3) * 4", "result": 20 }));
    let result = calculator
        .call(&ctx(), json!({ "expression": "1 / 4" }))
        .await
        .unwrap();
    assert_eq!(result["result"], json!(0.25));
    let result = calculator
        .call(&ctx(), json!({ "expression": "-0" }))
        .await
        .unwrap();
    assert_eq!(result["result"], json!(0));
    assert!(matches!(
        calculator.call(&ctx(), json!({ "expression": 3 })).await,
        Err(ToolError::InvalidArguments(_))
    ));
    assert!(matches!(
        calculator.call(&ctx(), json!(null)).await,
        Err(ToolError::InvalidArguments(_))
    ));
}
