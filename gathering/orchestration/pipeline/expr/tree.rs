//! Preparing the parsed syntax tree: the identifiers it names, its depth, and the charges of
//! the evaluation budget put into it.

use super::*;

/// Walks the parsed tree: collects the identifiers it names, refuses a tree deeper than
/// [`MAX_TREE_DEPTH`] or one the evaluator cannot run, and puts in the charges of the budget
/// (see [`charge`]): each comprehension's range is wrapped in `@charge(range, 1, size of the
/// body)`, and each operand whose size the work of its operation, or the copy it makes, depends
/// on in `@charge(operand, copies, 0)`: the operands of the operators and functions of
/// [`charges_operands`], the entries of list and map literals, what `map` and `filter` collect.
/// Literals and the calls that return a scalar ([`returns_scalar`]) are not charged. Recursive,
/// on a tree the scan keeps shallow.
pub(super) fn prepare(
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
pub(super) fn size(node: &IdedExpr) -> u64 {
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
