//! Evaluation: the charges of the budget, the weighing of values, and the conversions between
//! JSON and CEL values.

use super::*;

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
pub(super) fn charge_function(spent: Arc<AtomicU64>) -> CelFunction {
    Box::new(move |ftx| charge(&spent, ftx))
}

pub(super) fn charge<'c, 'k>(
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
pub(super) fn execution_message(error: &ExecutionError) -> String {
    match error {
        ExecutionError::FunctionError { function, message } if function == BUDGET => {
            message.clone()
        }
        other => other.to_string(),
    }
}

/// A JSON value as a CEL value, its strings borrowed: integers as `int` (`uint` past
/// `i64::MAX`), other numbers as `double`.
pub(super) fn to_cel<'v>(value: &'v Value, depth: usize) -> Result<Box<dyn Val + 'v>, String> {
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
pub(super) fn to_json(value: &CelValue, depth: usize) -> Result<Value, ExprError> {
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

pub(super) fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
