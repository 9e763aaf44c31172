//! The expressions of one document, compiled within a byte budget. `expr/` bounds each
//! expression (bytes, nesting, operators); this bounds them together
//! ([`MAX_EXPRESSION_BYTES`]), so compiling a whole document takes bounded time whatever its
//! size: compiling is the costliest part of validation, a few microseconds per operator.

use super::expr::ExprError;
use super::model::Problem;
use super::report::{At, Report};

/// The most bytes of expression source (conditions, transforms, filters, `items`, edge
/// conditions) one pipeline may hold.
pub const MAX_EXPRESSION_BYTES: usize = 256 * 1024;

/// What is left of a document's expression budget.
pub(super) struct Sources {
    left: usize,
    refused: bool,
}

impl Sources {
    pub(super) fn new() -> Self {
        Self {
            left: MAX_EXPRESSION_BYTES,
            refused: false,
        }
    }

    /// Whether `src` (at `path`) may be compiled: charges its bytes. The first one past the
    /// budget is reported (`too_large`); it and every later one are not compiled.
    pub(super) fn admit(&mut self, report: &mut Report, src: &str, path: &str) -> bool {
        if !self.refused && src.len() <= self.left {
            self.left -= src.len();
            return true;
        }
        if !self.refused {
            self.refused = true;
            report
                .add(
                    "too_large",
                    format!(
                        "expressions: more than {MAX_EXPRESSION_BYTES} bytes of expression \
                         source in one pipeline; this one and those after it are not compiled"
                    ),
                )
                .at(path.to_owned());
        }
        false
    }
}

pub(super) fn expr_problem<'a>(
    report: &'a mut Report,
    e: &ExprError,
    path: String,
) -> &'a mut Problem {
    let message = match e.column {
        Some(column) => format!("{} (column {column})", e.message),
        None => e.message.clone(),
    };
    report.add("bad_expression", message).at(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_past_the_budget_are_reported_once_and_not_compiled() {
        let mut report = Report::default();
        let mut sources = Sources::new();
        let big = "1".repeat(MAX_EXPRESSION_BYTES / 2);
        assert!(sources.admit(&mut report, &big, "/a"));
        assert!(sources.admit(&mut report, &big, "/b"));
        assert!(!sources.admit(&mut report, "1", "/c"));
        assert!(!sources.admit(&mut report, "1", "/d"));
        let problems = report.into_problems();
        assert_eq!(problems.total(), 1);
        assert_eq!(problems.listed[0].code, "too_large");
        assert_eq!(problems.listed[0].path.as_deref(), Some("/c"));
    }
}
