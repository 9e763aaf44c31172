//! The sandboxed expression language of pipelines: CEL (the Common Expression Language, through
//! the `cel` crate), for conditions, transforms and filters. An expression is compiled once, when
//! the pipeline is validated ([`Expr::parse`]), and evaluated many times over JSON variables
//! ([`Expr::eval`]): `input`, `inputs`, `trigger`, `item`, `nodes`, whatever the caller binds.
//! [`Condition`] adds the forms the original GatheRing's conditions were written in (`true`,
//! `input.approved`, a predecessor's id) in front of CEL.
//!
//! What is available: CEL's standard library without extensions. Arithmetic (`+ - * / %`, with
//! overflow and division by zero as errors), comparisons, `&&`/`||`/`!` (commutative, as CEL's
//! are: an error on one side is absorbed by a deciding value on the other), `?:`, `in`, `size()`,
//! `has()`, indexing and field selection, list and map literals, the conversions (`int()`,
//! `double()`, `string()`, `type()`, ...), the string methods `contains`, `startsWith`,
//! `endsWith` and `matches` (Rust's `regex`, whose matching is linear in the text: no
//! catastrophic backtracking), timestamps and durations, and the macros `all`, `exists`,
//! `exists_one`, `map` and `filter`. JSON integers are CEL `int`s (`uint` past `i64::MAX`), other
//! numbers `double`s; CEL does not mix them in arithmetic (`1 + 1.0` is an error), though it
//! compares them.
//!
//! Bounds, all of them checked, none of them a timeout (the `cel` crate has no limit of its own
//! on evaluation, so the budget below is built here):
//! - **No effects.** CEL has no I/O, no clock, no recursion, no loops but the macros over a list
//!   or map that already exists; no function is registered beyond the standard ones (none of the
//!   string extensions either: `replace` could multiply a string's size at every call).
//! - **Source size**: at most [`MAX_SOURCE_BYTES`] bytes.
//! - **Stack**: a scan before the CEL parser sees the text (string literals and comments skipped)
//!   refuses nesting of parentheses, brackets and braces deeper than [`MAX_NESTING`], and more
//!   than [`MAX_OPERATORS`] operators (binary and unary operators, `in`, `?`, `.`, `[`): the parser and
//!   the evaluator recurse on both, and a chain of 1,500 `+` overflows a 2 MiB stack. Within the
//!   bounds the worst shapes need under 800 KiB, dependencies optimised as this project's
//!   profiles have them (the `worst_shapes_fit_in_a_small_stack` test runs them on a 1 MiB
//!   thread; tokio's workers have 2 MiB).
//! - **Work and memory**: each evaluation has a budget of [`MAX_EVAL_COST`] steps; past it, it
//!   fails. Compiling puts charges into the syntax tree (calls of a function no CEL source can
//!   name): a macro (`map`, `filter`, `all`, `exists`, `exists_one`) charges the size of the list
//!   or map it walks (which it copies, element by element) plus its length times the size of its
//!   body in nodes; every operand whose size the work of its operation depends on (`+` of strings
//!   and lists, `==`, `in`, the string functions, conversions) or that is copied (the entries of
//!   list and map literals, what `map` and `filter` collect) charges its size, a sum's operands
//!   once for each sum they are copied into. A value's size is its number of values, and one
//!   more per 64 bytes of a string. What is not charged takes constant time (field selection,
//!   indexing, `size`, logic and arithmetic on numbers) and is run at most once per node per
//!   macro step, so the work and the memory of one evaluation are proportional to the budget,
//!   beside the conversion of the variables the expression names (those it does not name are
//!   not converted) and of its result. A budget of a million is, with dependencies optimised,
//!   some hundreds of milliseconds and of megabytes at the very worst: run evaluations off the
//!   async workers (`spawn_blocking`).
//! - **Values**: variables and results nested deeper than [`MAX_VALUE_DEPTH`] are refused.
//! - **Panics**: compiling and evaluating run under `catch_unwind`; a panic in the crate becomes
//!   an [`ExprError`] (a stack overflow would not, hence the scan).

mod eval;
mod scan;
mod tree;

use std::collections::{BTreeSet, HashMap};
use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, LazyLock};

use base64::Engine as _;
use cel::common::ast::operators::{
    ADD, CONDITIONAL, DIVIDE, EQUALS, GREATER, GREATER_EQUALS, IN, INDEX, LESS, LESS_EQUALS,
    LOGICAL_AND, LOGICAL_NOT, LOGICAL_OR, MODULO, MULTIPLY, NEGATE, NOT_EQUALS, NOT_STRICTLY_FALSE,
    SUBSTRACT,
};
use cel::common::ast::{
    CallExpr, ComprehensionExpr, EntryExpr, Expr as Ast, IdedExpr, LiteralValue,
};
use cel::common::types::{
    CelBool, CelBytes, CelDouble, CelInt, CelList, CelMap, CelMapKey, CelNull, CelString, CelUInt,
};
use cel::common::value::{CowVal, Val};
use cel::objects::Key;
use cel::parser::Parser;
use cel::{Context, Env, ExecutionError, FunctionContext, Value as CelValue};
use serde_json::Value;

use eval::{charge_function, execution_message, json_type, to_cel, to_json};
use scan::{parse_error, scan};
use tree::prepare;

/// The longest source accepted, in bytes.
pub const MAX_SOURCE_BYTES: usize = 4096;
/// The deepest nesting of parentheses, brackets and braces accepted.
pub const MAX_NESTING: usize = 64;
/// The most operators (binary, unary, `in`, `?`, `.`, `[`) one expression may have.
pub const MAX_OPERATORS: usize = 256;
/// The budget of one evaluation, in steps: see the module's documentation for what is charged.
pub const MAX_EVAL_COST: u64 = 1_000_000;
/// The deepest JSON value accepted as a variable or returned as a result: the ceiling of what is
/// stored. A node's output is held to the tighter [`crate::core::json::MAX_DEPTH`] by the
/// executor, since the server wraps outputs before storing them.
pub const MAX_VALUE_DEPTH: usize = crate::core::json::STORED_MAX_DEPTH;

/// The function that charges the budget (see [`charge`]), called from the syntax tree. No CEL
/// identifier starts with `@`, so no expression can call it or shadow it.
const CHARGE: &str = "@charge";
/// The name [`CHARGE`]'s error is reported under, recognised to give its message alone.
const BUDGET: &str = "@budget";

/// The deepest syntax tree accepted. The scan's bounds keep trees well under it; this guards the
/// evaluator should the parser nest more than the scan counts.
const MAX_TREE_DEPTH: usize = 512;

/// The standard library, built once.
static ENV: LazyLock<Arc<Env>> = LazyLock::new(|| Arc::new(Env::stdlib()));

/// A compiled expression. Parse once at validation; evaluate many times.
#[derive(Clone)]
pub struct Expr {
    source: String,
    /// The expression's syntax tree, its macros expanded and the budget's charges put in (see
    /// [`prepare`]).
    program: Arc<IdedExpr>,
    /// The identifiers the expression names: the variables to convert, the others left out.
    variables: Arc<BTreeSet<String>>,
}

impl fmt::Debug for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Expr").field(&self.source).finish()
    }
}

/// Why an expression did not compile or evaluate.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct ExprError {
    pub message: String,
    /// The 1-based column of the problem, in characters, when the parser or the scan gives one
    /// (on its line, for a source of several lines, whose line the message names). The message
    /// does not repeat it.
    pub column: Option<usize>,
}

impl ExprError {
    fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            column: None,
        }
    }

    fn at(message: impl Into<String>, column: usize) -> Self {
        Self {
            message: message.into(),
            column: Some(column),
        }
    }
}

impl Expr {
    /// Compiles `source`. Limits: at most [`MAX_SOURCE_BYTES`] bytes; nesting depth (parentheses,
    /// brackets, braces) at most [`MAX_NESTING`] and at most [`MAX_OPERATORS`] operators, both
    /// checked by a cheap scan before the CEL parser sees the text, so that no input overflows
    /// the parser's stack.
    pub fn parse(source: &str) -> Result<Self, ExprError> {
        if source.len() > MAX_SOURCE_BYTES {
            return Err(ExprError::new(format!(
                "the expression is {} bytes long; at most {MAX_SOURCE_BYTES} are allowed",
                source.len()
            )));
        }
        if source.trim().is_empty() {
            return Err(ExprError::new("the expression is empty"));
        }
        scan(source)?;
        let parsed = catch_unwind(|| Parser::new().parse_with_source_info(source))
            .map_err(|_| ExprError::new("the expression could not be compiled"))?;
        let (mut tree, _) = parsed.map_err(|errors| parse_error(source, &errors))?;
        let mut variables = BTreeSet::new();
        prepare(&mut tree, 0, &mut variables)?;
        Ok(Self {
            source: source.to_owned(),
            program: Arc::new(tree),
            variables: Arc::new(variables),
        })
    }

    /// The source the expression was compiled from.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Evaluates with the variables of `vars` (a JSON object: each top-level key is a variable,
    /// e.g. `input`, `inputs`, `trigger`, `item`, `nodes`; `null` is no variables). The result
    /// as JSON. Errors (unknown variable, type errors, division by zero, no such key, the budget
    /// spent) are an [`ExprError`] with a message, never a panic.
    pub fn eval(&self, vars: &Value) -> Result<Value, ExprError> {
        let bound = match vars {
            Value::Object(map) => Some(map),
            Value::Null => None,
            other => {
                return Err(ExprError::new(format!(
                    "the variables must be a JSON object, not {}",
                    json_type(other)
                )));
            }
        };
        let mut context = Context::with_env(Arc::clone(&ENV));
        if let Some(map) = bound {
            for name in self.variables.iter() {
                if let Some(value) = map.get(name) {
                    let value = to_cel(value, 0)
                        .map_err(|e| ExprError::new(format!("variable `{name}`: {e}")))?;
                    context.add_variable_as_val(name.as_str(), value);
                }
            }
        }
        let spent = Arc::new(AtomicU64::new(0));
        context
            .add_function(CHARGE, charge_function(Arc::clone(&spent)))
            .map_err(|e| ExprError::new(e.to_string()))?;
        // `Context::resolve`, not `Value::resolve_val`: the latter is `#[inline(always)]`, so the
        // whole evaluator would be compiled into this crate, unoptimised in a debug build, where
        // its frames are many times larger
        let program = &self.program;
        let result = catch_unwind(AssertUnwindSafe(|| context.resolve(program)))
            .map_err(|_| ExprError::new("the expression failed while evaluating"))?;
        let value = result.map_err(|e| ExprError::new(execution_message(&e)))?;
        to_json(&value, 0)
    }

    /// [`Expr::eval`], then truthiness, for conditions: a bool as it is; `null` false; numbers
    /// true unless 0; strings, lists and maps true unless empty.
    pub fn eval_bool(&self, vars: &Value) -> Result<bool, ExprError> {
        self.eval(vars).map(|value| truthy(&value))
    }
}

/// A condition as the original's format writes it, or an expression.
#[derive(Debug, Clone)]
pub enum Condition {
    /// `true` / `false`, in any case, trimmed.
    Literal(bool),
    /// `input.<key>`, the key a plain identifier (`[A-Za-z_][A-Za-z0-9_]*`): the truthiness of
    /// `<key>` in the merged output of the predecessors; a missing key is false.
    InputKey(String),
    /// A bare predecessor id: the truthiness of that predecessor's whole output; none is false.
    Predecessor(String),
    /// Anything else: a CEL expression, compiled.
    Expr(Expr),
}

impl Condition {
    /// Recognises the forms in the order of [`Condition`]'s variants. `predecessors`: the ids of
    /// the node's predecessors (so that a bare id is recognised).
    pub fn parse(source: &str, predecessors: &[&str]) -> Result<Self, ExprError> {
        let trimmed = source.trim();
        if trimmed.eq_ignore_ascii_case("true") {
            return Ok(Self::Literal(true));
        }
        if trimmed.eq_ignore_ascii_case("false") {
            return Ok(Self::Literal(false));
        }
        if let Some(key) = trimmed.strip_prefix("input.")
            && is_identifier(key)
        {
            return Ok(Self::InputKey(key.to_owned()));
        }
        if predecessors.contains(&trimmed) {
            return Ok(Self::Predecessor(trimmed.to_owned()));
        }
        Expr::parse(source).map(Self::Expr)
    }

    /// `vars` as for [`Expr::eval`]: `vars["inputs"]` is an object {predecessor id: its output},
    /// `vars["input"]` the merge of the predecessors' outputs. [`Condition::InputKey`] looks up
    /// `input.<key>`, [`Condition::Predecessor`] `inputs.<id>`, with the truthiness of
    /// [`Expr::eval_bool`]; what is missing is false, not an error.
    pub fn eval(&self, vars: &Value) -> Result<bool, ExprError> {
        match self {
            Self::Literal(value) => Ok(*value),
            Self::InputKey(key) => Ok(lookup(vars, "input", key).is_some_and(truthy)),
            Self::Predecessor(id) => Ok(lookup(vars, "inputs", id).is_some_and(truthy)),
            Self::Expr(expr) => expr.eval_bool(vars),
        }
    }
}

/// `vars[variable][key]`, when both are there.
fn lookup<'a>(vars: &'a Value, variable: &str, key: &str) -> Option<&'a Value> {
    vars.get(variable)?.as_object()?.get(key)
}

/// CEL's truthiness as conditions use it.
fn truthy(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
    }
}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests;
