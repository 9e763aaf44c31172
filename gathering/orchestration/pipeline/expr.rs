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

// The scan ----------------------------------------------------------------------------------

/// Refuses nesting deeper than [`MAX_NESTING`] and more than [`MAX_OPERATORS`] operators,
/// skipping string literals and comments, so that the parser never recurses deeply. It is not a
/// lexer: what it cannot make sense of it leaves to the parser, which reports it.
fn scan(source: &str) -> Result<(), ExprError> {
    let bytes = source.as_bytes();
    let mut depth = 0usize;
    let mut operators = 0usize;
    let mut i = 0usize;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'\'' | b'"' => i = skip_string(bytes, i, false),
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'0'..=b'9' => i = skip_number(bytes, i),
            b'A'..=b'Z' | b'a'..=b'z' | b'_' => {
                let start = i;
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                    i += 1;
                }
                let word = &source[start..i];
                if word == "in" {
                    operators += 1;
                }
                if matches!(bytes.get(i), Some(b'\'' | b'"')) && is_string_prefix(word) {
                    let raw = word.contains(['r', 'R']);
                    i = skip_string(bytes, i, raw);
                }
            }
            b'(' | b'[' | b'{' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Err(scan_error(
                        source,
                        i,
                        format!(
                            "the expression nests parentheses, brackets and braces deeper than \
                             {MAX_NESTING}"
                        ),
                    ));
                }
                if b == b'[' {
                    operators += 1;
                }
                i += 1;
            }
            b')' | b']' | b'}' => {
                depth = depth.saturating_sub(1);
                i += 1;
            }
            b'+' | b'-' | b'*' | b'/' | b'%' | b'<' | b'>' | b'=' | b'!' | b'&' | b'|' | b'?'
            | b'.' => {
                operators += 1;
                let pair = [b, bytes.get(i + 1).copied().unwrap_or(0)];
                i += if matches!(&pair, b"&&" | b"||" | b"==" | b"!=" | b"<=" | b">=") {
                    2
                } else {
                    1
                };
            }
            _ => i += 1,
        }
        if operators > MAX_OPERATORS {
            return Err(scan_error(
                source,
                i.saturating_sub(1),
                format!("the expression has more than {MAX_OPERATORS} operators"),
            ));
        }
    }
    Ok(())
}

/// Whether `word` can prefix a string literal: `r`, `b`, or both, in any case and order.
fn is_string_prefix(word: &str) -> bool {
    matches!(word.to_ascii_lowercase().as_str(), "r" | "b" | "rb" | "br")
}

/// The index just past the string literal whose opening quote is at `start` (or the end of the
/// source, unterminated: the parser will say so).
fn skip_string(bytes: &[u8], start: usize, raw: bool) -> usize {
    let quote = bytes[start];
    let triple = bytes.get(start + 1) == Some(&quote) && bytes.get(start + 2) == Some(&quote);
    let mut i = start + if triple { 3 } else { 1 };
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'\\' && !raw {
            i += 2;
        } else if b == quote
            && (!triple || (bytes.get(i + 1) == Some(&quote) && bytes.get(i + 2) == Some(&quote)))
        {
            return i + if triple { 3 } else { 1 };
        } else {
            i += 1;
        }
    }
    bytes.len()
}

/// The index just past the numeric literal starting at `start`: digits, letters (hexadecimal,
/// `u`, exponents), dots, and a sign right after a decimal exponent's `e`.
fn skip_number(bytes: &[u8], start: usize) -> usize {
    let hex = bytes
        .get(start + 1)
        .is_some_and(|b| matches!(b, b'x' | b'X'))
        && bytes[start] == b'0';
    let mut i = start;
    while i < bytes.len() {
        let b = bytes[i];
        let signed_exponent =
            matches!(b, b'+' | b'-') && !hex && matches!(bytes[i - 1], b'e' | b'E');
        if b.is_ascii_alphanumeric() || b == b'.' || b == b'_' || signed_exponent {
            i += 1;
        } else {
            break;
        }
    }
    i
}

/// An error of the scan at the byte `index`: its 1-based column, in characters on its line, and
/// its line in the message if the source has several.
fn scan_error(source: &str, index: usize, message: String) -> ExprError {
    let index = (0..=index.min(source.len()))
        .rev()
        .find(|&i| source.is_char_boundary(i))
        .unwrap_or(0);
    let before = &source[..index];
    let line_start = before.rfind('\n').map_or(0, |n| n + 1);
    let column = source[line_start..index].chars().count() + 1;
    if source.contains('\n') {
        let line = before.matches('\n').count() + 1;
        ExprError::at(format!("{message} (line {line})"), column)
    } else {
        ExprError::at(message, column)
    }
}

/// The parser's first error (the one it places earliest, its internal "Incomplete" notes
/// passed over), with its column, and its line in the message if the source has several.
fn parse_error(source: &str, errors: &cel::ParseErrors) -> ExprError {
    let first = errors
        .errors
        .iter()
        .find(|e| !e.msg.starts_with("Incomplete"))
        .or_else(|| errors.errors.first());
    let Some(first) = first else {
        return ExprError::new("syntax error");
    };
    let (line, col) = first.pos;
    // cel's own limit on nested subexpressions (which ternaries reach before the scan's bounds)
    // comes as a debug dump
    let msg = if first.msg.contains("Recursion limit of") {
        "the expression nests subexpressions too deeply"
    } else {
        first
            .msg
            .strip_prefix("Syntax error: ")
            .unwrap_or(&first.msg)
    };
    let more = match errors.errors.len() {
        0 | 1 => String::new(),
        n => format!(" (and {} more)", n - 1),
    };
    // the column goes in its field only (callers add it), the line in the message when there
    // are several
    let place = if source.contains('\n') && line > 0 {
        format!(" on line {line}")
    } else {
        String::new()
    };
    let message = format!("syntax error{place}: {msg}{more}");
    match usize::try_from(col) {
        Ok(col) if col > 0 => ExprError::at(message, col),
        _ => ExprError::new(message),
    }
}

// The syntax tree ----------------------------------------------------------------------------

/// Walks the parsed tree: collects the identifiers it names, refuses a tree deeper than
/// [`MAX_TREE_DEPTH`] or one the evaluator cannot run, and puts in the charges of the budget
/// (see [`charge`]): each comprehension's range is wrapped in `@charge(range, 1, size of the
/// body)`, and each operand whose size the work of its operation, or the copy it makes, depends
/// on in `@charge(operand, copies, 0)`: the operands of the operators and functions of
/// [`charges_operands`], the entries of list and map literals, what `map` and `filter` collect.
/// Literals and the calls that return a scalar ([`returns_scalar`]) are not charged. Recursive,
/// on a tree the scan keeps shallow.
fn prepare(
    node: &mut IdedExpr,
    depth: usize,
    variables: &mut BTreeSet<String>,
) -> Result<(), ExprError> {
    if depth > MAX_TREE_DEPTH {
        return Err(too_deep());
    }
    let next = depth + 1;
    if is_sum(node) {
        return prepare_sum(node, 1, depth, variables);
    }
    match &mut node.expr {
        Ast::Unspecified => return Err(ExprError::new("the expression is incomplete")),
        Ast::Literal(_) => {}
        Ast::Ident(name) => {
            variables.insert(name.clone());
        }
        Ast::Select(select) => prepare(&mut select.operand, next, variables)?,
        Ast::Call(call) => {
            let charged = charges_operands(&call.func_name);
            if let Some(target) = call.target.as_deref_mut() {
                prepare(target, next, variables)?;
                // a name as target may be a namespace (`optional.of`): left as written
                if charged && !matches!(target.expr, Ast::Ident(_)) {
                    charge_operand(target, 1);
                }
            }
            for arg in &mut call.args {
                prepare(arg, next, variables)?;
                if charged {
                    charge_operand(arg, 1);
                }
            }
        }
        Ast::List(list) => {
            for element in &mut list.elements {
                prepare(element, next, variables)?;
                charge_operand(element, 1);
            }
        }
        Ast::Map(map) => {
            for entry in &mut map.entries {
                match &mut entry.expr {
                    EntryExpr::MapEntry(entry) => {
                        prepare(&mut entry.key, next, variables)?;
                        prepare(&mut entry.value, next, variables)?;
                        charge_operand(&mut entry.key, 1);
                        charge_operand(&mut entry.value, 1);
                    }
                    EntryExpr::StructField(_) => {
                        return Err(ExprError::new("a map entry without a key"));
                    }
                }
            }
        }
        Ast::Struct(_) => {
            return Err(ExprError::new(
                "message construction (`Name{field: value}`) is not supported",
            ));
        }
        Ast::Comprehension(comprehension) => {
            let ComprehensionExpr {
                iter_range,
                accu_var,
                accu_init,
                loop_cond,
                loop_step,
                result,
                ..
            } = comprehension.as_mut();
            let body = size(loop_cond) + size(loop_step);
            prepare(iter_range, next, variables)?;
            wrap(iter_range, 1, body);
            // the macros' own nodes: literals, the accumulator, `@not_strictly_false`
            for part in [accu_init, loop_cond, result] {
                prepare(part, next, variables)?;
            }
            prepare_step(loop_step, accu_var, next, variables)?;
        }
    }
    Ok(())
}

fn too_deep() -> ExprError {
    ExprError::new("the expression is nested too deeply")
}

/// Whether `node` is `a + b`.
fn is_sum(node: &IdedExpr) -> bool {
    matches!(&node.expr, Ast::Call(call)
        if call.func_name == ADD && call.target.is_none() && call.args.len() == 2)
}

/// [`prepare`] for a sum, whose operands are copied into its result (strings and lists) and
/// copied again by each sum above it: in `a + b + c`, `a` and `b` twice and `c` once. The sums
/// inside a chain are not wrapped (the evaluator would recurse twice as deep), their operands are
/// charged as many times as they are copied.
fn prepare_sum(
    node: &mut IdedExpr,
    copies: u64,
    depth: usize,
    variables: &mut BTreeSet<String>,
) -> Result<(), ExprError> {
    if depth > MAX_TREE_DEPTH {
        return Err(too_deep());
    }
    let Ast::Call(call) = &mut node.expr else {
        return prepare(node, depth, variables);
    };
    for arg in &mut call.args {
        if is_sum(arg) {
            prepare_sum(arg, copies + 1, depth + 1, variables)?;
        } else {
            prepare(arg, depth + 1, variables)?;
            charge_operand(arg, copies);
        }
    }
    Ok(())
}

/// [`prepare`] for a comprehension's loop step, which the macros build around the expressions
/// written in them. The evaluator recognises the shapes `@result + [e]` (`map`, `filter`),
/// `c ? @result + [e] : @result` (`filter`, `map` with a condition) and `@result && e`
/// (`all`, `exists`) and runs them faster: they are kept, only `e` and `c` prepared (and `e`
/// charged, as `map` and `filter` copy it into their result).
fn prepare_step(
    step: &mut IdedExpr,
    accu: &str,
    depth: usize,
    variables: &mut BTreeSet<String>,
) -> Result<(), ExprError> {
    if depth > MAX_TREE_DEPTH {
        return Err(too_deep());
    }
    let is_accu = |e: &IdedExpr| matches!(&e.expr, Ast::Ident(name) if name == accu);
    let Ast::Call(call) = &mut step.expr else {
        return if is_accu(step) {
            Ok(())
        } else {
            prepare(step, depth, variables)
        };
    };
    if call.target.is_some() {
        return prepare(step, depth, variables);
    }
    match (call.func_name.as_str(), call.args.as_mut_slice()) {
        (ADD, [lhs, rhs]) if is_accu(lhs) => match &mut rhs.expr {
            Ast::List(list) => {
                for element in &mut list.elements {
                    prepare(element, depth + 1, variables)?;
                    charge_operand(element, 1);
                }
                Ok(())
            }
            // exists_one's `@result + 1`
            _ => prepare(rhs, depth + 1, variables),
        },
        (LOGICAL_AND | LOGICAL_OR, [lhs, rhs]) if is_accu(lhs) => {
            prepare(rhs, depth + 1, variables)
        }
        (CONDITIONAL, [condition, then, otherwise]) => {
            prepare(condition, depth + 1, variables)?;
            prepare_step(then, accu, depth + 1, variables)?;
            prepare_step(otherwise, accu, depth + 1, variables)
        }
        _ => prepare(step, depth, variables),
    }
}

/// Whether the work of the operator or function `name` grows with the size of its operands
/// (`==`, `in`, the string functions, conversions; sums have [`prepare_sum`]), so that they are
/// charged. Indexing, `size`, the logical operators, negation and the arithmetic of numbers and
/// durations take the same time whatever their operands.
fn charges_operands(name: &str) -> bool {
    !matches!(
        name,
        LOGICAL_AND
            | LOGICAL_OR
            | LOGICAL_NOT
            | CONDITIONAL
            | NEGATE
            | INDEX
            | SUBSTRACT
            | MULTIPLY
            | DIVIDE
            | MODULO
            | NOT_STRICTLY_FALSE
            | "size"
    )
}

/// Whether a call of `name` returns a scalar (a bool or a number), whose size there is no point
/// in charging.
fn returns_scalar(name: &str) -> bool {
    matches!(
        name,
        LOGICAL_AND
            | LOGICAL_OR
            | LOGICAL_NOT
            | NEGATE
            | SUBSTRACT
            | MULTIPLY
            | DIVIDE
            | MODULO
            | NOT_STRICTLY_FALSE
            | EQUALS
            | NOT_EQUALS
            | LESS
            | LESS_EQUALS
            | GREATER
            | GREATER_EQUALS
            | IN
            | "size"
            | "contains"
            | "startsWith"
            | "endsWith"
            | "matches"
            | "int"
            | "uint"
            | "double"
            | "bool"
    )
}

/// Wraps an operand copied or walked `copies` times in `@charge(operand, copies, 0)`, unless it
/// is a literal (its size is bounded by the source's, and it counts in its comprehension's body)
/// or a call that returns a scalar.
fn charge_operand(node: &mut IdedExpr, copies: u64) {
    match &node.expr {
        Ast::Literal(_) => {}
        Ast::Call(call) if returns_scalar(&call.func_name) => {}
        _ => wrap(node, copies, 0),
    }
}

/// Replaces `node` with `@charge(node, copies, per_element)`.
fn wrap(node: &mut IdedExpr, copies: u64, per_element: u64) {
    let int = |n: u64| IdedExpr {
        id: 0,
        expr: Ast::Literal(LiteralValue::Int(CelInt::from(
            i64::try_from(n).unwrap_or(i64::MAX),
        ))),
    };
    let inner = std::mem::take(node);
    *node = IdedExpr {
        id: inner.id,
        expr: Ast::Call(CallExpr {
            func_name: CHARGE.to_owned(),
            target: None,
            args: vec![inner, int(copies), int(per_element)],
        }),
    };
}

/// The number of nodes of a tree (already checked shallow by [`prepare`]).
fn size(node: &IdedExpr) -> u64 {
    1 + match &node.expr {
        Ast::Unspecified | Ast::Literal(_) | Ast::Ident(_) => 0,
        Ast::Select(select) => size(&select.operand),
        Ast::Call(call) => {
            call.target.as_deref().map_or(0, size) + call.args.iter().map(size).sum::<u64>()
        }
        Ast::List(list) => list.elements.iter().map(size).sum(),
        Ast::Map(map) => map
            .entries
            .iter()
            .map(|entry| match &entry.expr {
                EntryExpr::MapEntry(entry) => size(&entry.key) + size(&entry.value),
                EntryExpr::StructField(field) => size(&field.value),
            })
            .sum(),
        Ast::Struct(_) => 0,
        Ast::Comprehension(c) => [
            &c.iter_range,
            &c.accu_init,
            &c.loop_cond,
            &c.loop_step,
            &c.result,
        ]
        .into_iter()
        .map(size)
        .sum(),
    }
}

// Evaluation ---------------------------------------------------------------------------------

/// The type of a function registered on a [`Context`] (`cel`'s own alias is private).
type CelFunction = Box<
    dyn for<'c, 'k> Fn(&mut FunctionContext<'c, 'k>) -> Result<CowVal<'c, 'k>, ExecutionError>
        + Send
        + Sync,
>;

/// [`CHARGE`] for one evaluation: `@charge(value, copies, per_element)` adds to `spent` the
/// size of `value` ([`weigh`]) times `copies`, plus its number of elements times `per_element`
/// (for a comprehension's range, the size of the body run for each); fails once `spent` passes
/// [`MAX_EVAL_COST`]; and hands `value` back untouched.
fn charge_function(spent: Arc<AtomicU64>) -> CelFunction {
    Box::new(move |ftx| charge(&spent, ftx))
}

fn charge<'c, 'k>(
    spent: &AtomicU64,
    ftx: &mut FunctionContext<'c, 'k>,
) -> Result<CowVal<'c, 'k>, ExecutionError> {
    if ftx.args.len() != 3 {
        return Err(ExecutionError::invalid_argument_count(3, ftx.args.len()));
    }
    let int = |arg: &CowVal<'_, '_>| {
        arg.downcast_ref::<CelInt>()
            .map_or(0, |n| u64::try_from(*n.inner()).unwrap_or(0))
    };
    let (copies, per_element) = (int(&ftx.args[1]), int(&ftx.args[2]));
    let value = ftx.args.swap_remove(0);
    let mut cost = weigh(&*value, 0).saturating_mul(copies);
    if per_element > 0 {
        let elements = value
            .as_sizer()
            .map_or(1, |s| u64::try_from(*s.size().inner()).unwrap_or(0));
        cost = cost.saturating_add(elements.max(1).saturating_mul(per_element));
    }
    let total = spent
        .fetch_add(cost, Ordering::Relaxed)
        .saturating_add(cost);
    if total > MAX_EVAL_COST {
        return Err(ExecutionError::function_error(
            BUDGET,
            format!(
                "the expression does too much work: over {MAX_EVAL_COST} steps (the elements \
                 walked by map, filter, all and exists, and the size of the values copied, \
                 concatenated or compared)"
            ),
        ));
    }
    Ok(value)
}

/// The size of a value, for the budget: 1 for each value, and 1 more for each 64 bytes of a
/// string or bytes, lists and maps counted with their elements (and keys). Values nested deeper
/// than [`MAX_VALUE_DEPTH`] count as 1.
fn weigh<'v>(value: &(dyn Val + 'v), depth: usize) -> u64 {
    if let Some(s) = value.downcast_ref::<CelString>() {
        return 1 + (s.inner().len() / 64) as u64;
    }
    if let Some(b) = value.downcast_ref::<CelBytes>() {
        return 1 + (b.inner().len() / 64) as u64;
    }
    if depth >= MAX_VALUE_DEPTH {
        return 1;
    }
    if let Some(list) = value.downcast_ref::<CelList>() {
        return list.inner().iter().fold(1u64, |total, element| {
            total.saturating_add(weigh(&**element, depth + 1))
        });
    }
    if let Some(map) = value.downcast_ref::<CelMap>() {
        return map.inner().iter().fold(1u64, |total, (key, element)| {
            let key = match key {
                CelMapKey::String(s) => 1 + (s.inner().len() / 64) as u64,
                _ => 1,
            };
            total
                .saturating_add(key)
                .saturating_add(weigh(&**element, depth + 1))
        });
    }
    1
}

/// An evaluation error, for people.
fn execution_message(error: &ExecutionError) -> String {
    match error {
        ExecutionError::FunctionError { function, message } if function == BUDGET => {
            message.clone()
        }
        other => other.to_string(),
    }
}

/// A JSON value as a CEL value, its strings borrowed: integers as `int` (`uint` past
/// `i64::MAX`), other numbers as `double`.
fn to_cel<'v>(value: &'v Value, depth: usize) -> Result<Box<dyn Val + 'v>, String> {
    if depth > MAX_VALUE_DEPTH {
        return Err(format!("nested deeper than {MAX_VALUE_DEPTH}"));
    }
    Ok(match value {
        Value::Null => Box::new(CelNull),
        Value::Bool(b) => Box::new(CelBool::from(*b)),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                Box::new(CelInt::from(i))
            } else if let Some(u) = n.as_u64() {
                Box::new(CelUInt::from(u))
            } else {
                Box::new(CelDouble::from(n.as_f64().unwrap_or(f64::NAN)))
            }
        }
        Value::String(s) => Box::new(CelString::from(s.as_str())),
        Value::Array(items) => Box::new(CelList::from(
            items
                .iter()
                .map(|item| to_cel(item, depth + 1))
                .collect::<Result<Vec<_>, _>>()?,
        )),
        Value::Object(map) => {
            let mut entries = HashMap::with_capacity(map.len());
            for (key, value) in map {
                entries.insert(CelMapKey::from(key.as_str()), to_cel(value, depth + 1)?);
            }
            Box::new(CelMap::from(entries))
        }
    })
}

/// A CEL value as JSON: bytes as base64, timestamps as RFC 3339, durations as CEL writes them
/// (`"1.5s"`), map keys as strings (a type as its name). A non-finite double or a value with no
/// JSON form (an optional) is an error.
fn to_json(value: &CelValue, depth: usize) -> Result<Value, ExprError> {
    if depth > MAX_VALUE_DEPTH {
        return Err(ExprError::new(format!(
            "the result is nested deeper than {MAX_VALUE_DEPTH}"
        )));
    }
    Ok(match value {
        CelValue::Null => Value::Null,
        CelValue::Bool(b) => Value::Bool(*b),
        CelValue::Int(i) => Value::from(*i),
        CelValue::UInt(u) => Value::from(*u),
        CelValue::Float(f) => serde_json::Number::from_f64(*f)
            .map(Value::Number)
            .ok_or_else(|| ExprError::new(format!("the result {f} is not a JSON number")))?,
        CelValue::String(s) => Value::String(s.as_str().to_owned()),
        CelValue::Bytes(b) => {
            Value::String(base64::engine::general_purpose::STANDARD.encode(b.as_slice()))
        }
        CelValue::List(items) => Value::Array(
            items
                .iter()
                .map(|item| to_json(item, depth + 1))
                .collect::<Result<_, _>>()?,
        ),
        CelValue::Map(map) => {
            let mut object = serde_json::Map::with_capacity(map.map.len());
            for (key, value) in map.map.iter() {
                let key = match key {
                    Key::String(s) => s.as_str().to_owned(),
                    Key::Int(i) => i.to_string(),
                    Key::Uint(u) => u.to_string(),
                    Key::Bool(b) => b.to_string(),
                };
                object.insert(key, to_json(value, depth + 1)?);
            }
            Value::Object(object)
        }
        CelValue::Timestamp(t) => Value::String(t.to_rfc3339()),
        CelValue::Duration(d) => Value::String(duration_string(d)),
        other => {
            return Err(ExprError::new(format!(
                "the result, of type {}, has no JSON form",
                other.type_of()
            )));
        }
    })
}

/// A duration as CEL's `string()` writes it: seconds, with as many decimals as needed.
fn duration_string(d: &chrono::Duration) -> String {
    let sign = if *d < chrono::Duration::zero() {
        "-"
    } else {
        ""
    };
    let abs = d.abs();
    let seconds = abs.num_seconds();
    let nanos = abs.subsec_nanos().unsigned_abs();
    if nanos == 0 {
        format!("{sign}{seconds}s")
    } else {
        let fraction = format!("{nanos:09}");
        format!("{sign}{seconds}.{}s", fraction.trim_end_matches('0'))
    }
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
#[path = "expr_tests.rs"]
mod tests;
