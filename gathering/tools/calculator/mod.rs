//! The `calculator` built-in tool: a small hand-written arithmetic parser and evaluator over
//! `f64` (numbers, `+ - * / % ^`, unary signs, parentheses, a few functions and constants). It
//! never evaluates code; anything outside that grammar is refused with the character position.
//! Its tests are in `tests.rs`.

use std::time::Duration;

use serde_json::{Value, json};

use super::{Risk, Tool, ToolContext, ToolDefinition, ToolError};

/// The longest expression accepted, in characters.
const MAX_EXPRESSION_CHARS: usize = 1000;
/// The deepest nesting accepted (parentheses, unary signs, exponents).
const MAX_DEPTH: usize = 64;
/// The longest number literal accepted, in characters.
const MAX_NUMBER_CHARS: usize = 64;

/// The `calculator` tool.
pub struct Calculator {
    definition: ToolDefinition,
}

impl Calculator {
    pub fn new() -> Self {
        Self {
            definition: ToolDefinition {
                name: "calculator".to_string(),
                description: "Evaluates an arithmetic expression exactly as written and returns \
                    the number. Supports numbers (e.g. 3, 2.5, 1e-3), + - * / % (remainder), ^ \
                    (power, right-associative), unary minus, parentheses, the functions sqrt, \
                    abs, round, floor, ceil, ln, log10, min(a, b, ...), max(a, b, ...) and the \
                    constants pi and e. Nothing else (no variables, no code)."
                    .to_string(),
                parameters: json!({
                    "type": "object",
                    "properties": {
                        "expression": {
                            "type": "string",
                            "maxLength": MAX_EXPRESSION_CHARS,
                            "description": "The expression, such as (2 + 3) * 4 ^ 2 / sqrt(16)"
                        }
                    },
                    "required": ["expression"],
                    "additionalProperties": false
                }),
                risk: Risk::ReadOnly,
                timeout: Duration::from_secs(2),
                source: "builtin".to_string(),
            },
        }
    }
}

impl Default for Calculator {
    fn default() -> Self {
        Self::new()
    }
}

#[async_trait::async_trait]
impl Tool for Calculator {
    fn definition(&self) -> &ToolDefinition {
        &self.definition
    }

    async fn call(&self, _ctx: &ToolContext, arguments: Value) -> Result<Value, ToolError> {
        let expression = arguments
            .get("expression")
            .and_then(Value::as_str)
            .ok_or_else(|| {
                ToolError::InvalidArguments("\"expression\" must be a string".to_string())
            })?;
        let result = evaluate(expression)?;
        Ok(json!({ "expression": expression, "result": number_json(result) }))
    }
}

/// `value` as JSON: an integer when it is one (and exactly representable), else a float.
fn number_json(value: f64) -> Value {
    const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53
    if value.fract() == 0.0 && value.abs() <= EXACT {
        // Exact: an integral f64 within ±2^53 converts to i64 without loss (and -0 becomes 0).
        json!(value as i64)
    } else {
        json!(value)
    }
}

/// Evaluates `expression`; the result is always finite.
pub fn evaluate(expression: &str) -> Result<f64, ToolError> {
    let length = expression.chars().count();
    if length > MAX_EXPRESSION_CHARS {
        return Err(invalid(format!(
            "the expression is {length} characters long; at most {MAX_EXPRESSION_CHARS} are \
             accepted"
        )));
    }
    let tokens = tokenize(expression)?;
    if tokens.is_empty() {
        return Err(invalid("the expression is empty".to_string()));
    }
    let mut parser = Parser {
        tokens: &tokens,
        next: 0,
        depth: 0,
        end: length + 1,
        failure: None,
    };
    let value = parser.expression()?;
    if let Some(token) = parser.peek() {
        return Err(match token.kind {
            Kind::Close => invalid(format!(
                "unbalanced parentheses: ')' at character {} closes nothing",
                token.position
            )),
            _ => invalid(format!(
                "unexpected {} at character {}: expected an operator or the end",
                token.kind.describe(),
                token.position
            )),
        });
    }
    // Syntax first, then the first evaluation failure (division by zero, overflow...).
    if let Some(failure) = parser.failure {
        return Err(failure);
    }
    if !value.is_finite() {
        return Err(invalid("the result is not a finite number".to_string()));
    }
    Ok(value)
}

fn invalid(message: String) -> ToolError {
    ToolError::InvalidArguments(message)
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Function {
    Sqrt,
    Abs,
    Round,
    Floor,
    Ceil,
    Ln,
    Log10,
    Min,
    Max,
}

impl Function {
    fn name(self) -> &'static str {
        match self {
            Function::Sqrt => "sqrt",
            Function::Abs => "abs",
            Function::Round => "round",
            Function::Floor => "floor",
            Function::Ceil => "ceil",
            Function::Ln => "ln",
            Function::Log10 => "log10",
            Function::Min => "min",
            Function::Max => "max",
        }
    }

    /// Whether it takes one or more arguments (else exactly one).
    fn variadic(self) -> bool {
        matches!(self, Function::Min | Function::Max)
    }

    fn apply(self, arguments: &[f64]) -> f64 {
        let first = arguments.first().copied().unwrap_or(f64::NAN);
        match self {
            Function::Sqrt => first.sqrt(),
            Function::Abs => first.abs(),
            Function::Round => first.round(),
            Function::Floor => first.floor(),
            Function::Ceil => first.ceil(),
            Function::Ln => first.ln(),
            Function::Log10 => first.log10(),
            Function::Min => arguments.iter().copied().fold(f64::INFINITY, f64::min),
            Function::Max => arguments.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Number(f64),
    Constant(f64, &'static str),
    Function(Function),
    Plus,
    Minus,
    Star,
    Slash,
    Percent,
    Caret,
    Open,
    Close,
    Comma,
}

impl Kind {
    fn describe(self) -> String {
        match self {
            Kind::Number(n) => format!("number {n}"),
            Kind::Constant(_, name) => format!("constant '{name}'"),
            Kind::Function(f) => format!("function '{}'", f.name()),
            Kind::Plus => "'+'".to_string(),
            Kind::Minus => "'-'".to_string(),
            Kind::Star => "'*'".to_string(),
            Kind::Slash => "'/'".to_string(),
            Kind::Percent => "'%'".to_string(),
            Kind::Caret => "'^'".to_string(),
            Kind::Open => "'('".to_string(),
            Kind::Close => "')'".to_string(),
            Kind::Comma => "','".to_string(),
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Token {
    kind: Kind,
    /// 1-based character position in the expression.
    position: usize,
}

fn tokenize(expression: &str) -> Result<Vec<Token>, ToolError> {
    let chars: Vec<char> = expression.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let position = i + 1;
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let single = match c {
            '+' => Some(Kind::Plus),
            '-' => Some(Kind::Minus),
            '*' => Some(Kind::Star),
            '/' => Some(Kind::Slash),
            '%' => Some(Kind::Percent),
            '^' => Some(Kind::Caret),
            '(' => Some(Kind::Open),
            ')' => Some(Kind::Close),
            ',' => Some(Kind::Comma),
            _ => None,
        };
        if let Some(kind) = single {
            if kind == Kind::Star && chars.get(i + 1) == Some(&'*') {
                return Err(invalid(format!(
                    "unexpected '**' at character {position}: use ^ for powers"
                )));
            }
            tokens.push(Token { kind, position });
            i += 1;
        } else if c.is_ascii_digit() || c == '.' {
            let (kind, next) = number(&chars, i)?;
            tokens.push(Token { kind, position });
            i = next;
        } else if c.is_ascii_alphabetic() {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            let kind = match word.to_ascii_lowercase().as_str() {
                "pi" => Kind::Constant(std::f64::consts::PI, "pi"),
                "e" => Kind::Constant(std::f64::consts::E, "e"),
                "sqrt" => Kind::Function(Function::Sqrt),
                "abs" => Kind::Function(Function::Abs),
                "round" => Kind::Function(Function::Round),
                "floor" => Kind::Function(Function::Floor),
                "ceil" => Kind::Function(Function::Ceil),
                "ln" => Kind::Function(Function::Ln),
                "log10" => Kind::Function(Function::Log10),
                "min" => Kind::Function(Function::Min),
                "max" => Kind::Function(Function::Max),
                _ => {
                    let shown: String = word.chars().take(32).collect();
                    return Err(invalid(format!(
                        "unknown name '{shown}' at character {position}: only the functions \
                         sqrt, abs, round, floor, ceil, ln, log10, min, max and the constants pi \
                         and e are known"
                    )));
                }
            };
            tokens.push(Token { kind, position });
        } else {
            return Err(invalid(format!(
                "unexpected character {c:?} at character {position}"
            )));
        }
    }
    Ok(tokens)
}

/// Reads the number literal starting at `start`: digits, an optional fraction and an optional
/// exponent. Returns it and the index after it.
fn number(chars: &[char], start: usize) -> Result<(Kind, usize), ToolError> {
    let position = start + 1;
    let digits = |mut i: usize| {
        while i < chars.len() && chars[i].is_ascii_digit() {
            i += 1;
        }
        i
    };
    let mut i = digits(start);
    let mut mantissa_digits = i - start;
    if chars.get(i) == Some(&'.') {
        let after = digits(i + 1);
        mantissa_digits += after - (i + 1);
        i = after;
    }
    if mantissa_digits == 0 {
        return Err(invalid(format!(
            "a '.' at character {position} is not a number"
        )));
    }
    if matches!(chars.get(i), Some('e' | 'E')) {
        let mut j = i + 1;
        if matches!(chars.get(j), Some('+' | '-')) {
            j += 1;
        }
        let end = digits(j);
        // Only an exponent if digits follow; otherwise the `e` is left for the next token.
        if end > j {
            i = end;
        }
    }
    let length = i - start;
    if length > MAX_NUMBER_CHARS {
        return Err(invalid(format!(
            "the number at character {position} is {length} characters long; at most \
             {MAX_NUMBER_CHARS} are accepted"
        )));
    }
    let text: String = chars[start..i].iter().collect();
    let value: f64 = text
        .parse()
        .map_err(|_| invalid(format!("invalid number {text:?} at character {position}")))?;
    if !value.is_finite() {
        return Err(invalid(format!(
            "the number {text} at character {position} is too large"
        )));
    }
    Ok((Kind::Number(value), i))
}

/// Precedence climbing by hand; evaluates while it parses. Evaluation failures are remembered
/// (the first one wins) and reported only once the whole expression has parsed.
struct Parser<'a> {
    tokens: &'a [Token],
    next: usize,
    depth: usize,
    /// The position reported for "at the end".
    end: usize,
    failure: Option<ToolError>,
}

impl Parser<'_> {
    fn peek(&self) -> Option<Token> {
        self.tokens.get(self.next).copied()
    }

    fn advance(&mut self) -> Option<Token> {
        let token = self.peek();
        if token.is_some() {
            self.next += 1;
        }
        token
    }

    /// Runs `f` one nesting level deeper, refusing past [`MAX_DEPTH`].
    fn nested<T>(
        &mut self,
        position: usize,
        f: impl FnOnce(&mut Self) -> Result<T, ToolError>,
    ) -> Result<T, ToolError> {
        if self.depth >= MAX_DEPTH {
            return Err(invalid(format!(
                "the expression nests too deeply at character {position}: at most {MAX_DEPTH} \
                 levels of parentheses, signs and powers"
            )));
        }
        self.depth += 1;
        let result = f(self);
        self.depth -= 1;
        result
    }

    /// Checks a computed value: a non-finite one is remembered as the failure.
    fn checked(&mut self, value: f64, position: usize, what: &str) -> f64 {
        if !value.is_finite() && self.failure.is_none() {
            self.failure = Some(invalid(format!(
                "{what} at character {position} does not give a finite number (overflow or \
                 outside its domain)"
            )));
        }
        value
    }

    fn fail(&mut self, message: String) -> f64 {
        if self.failure.is_none() {
            self.failure = Some(invalid(message));
        }
        f64::NAN
    }

    /// expression := term (('+' | '-') term)*
    fn expression(&mut self) -> Result<f64, ToolError> {
        let mut value = self.term()?;
        while let Some(token) = self.peek() {
            let add = match token.kind {
                Kind::Plus => true,
                Kind::Minus => false,
                _ => break,
            };
            self.next += 1;
            let right = self.term()?;
            let result = if add { value + right } else { value - right };
            let what = if add { "'+'" } else { "'-'" };
            value = self.checked(result, token.position, what);
        }
        Ok(value)
    }

    /// term := unary (('*' | '/' | '%') unary)*
    fn term(&mut self) -> Result<f64, ToolError> {
        let mut value = self.unary()?;
        while let Some(token) = self.peek() {
            if !matches!(token.kind, Kind::Star | Kind::Slash | Kind::Percent) {
                break;
            }
            self.next += 1;
            let right = self.unary()?;
            value = match token.kind {
                Kind::Star => self.checked(value * right, token.position, "'*'"),
                _ if right == 0.0 => {
                    self.fail(format!("division by zero at character {}", token.position))
                }
                Kind::Slash => self.checked(value / right, token.position, "'/'"),
                _ => self.checked(value % right, token.position, "'%'"),
            };
        }
        Ok(value)
    }

    /// unary := ('-' | '+') unary | power
    fn unary(&mut self) -> Result<f64, ToolError> {
        match self.peek() {
            Some(Token {
                kind: Kind::Minus,
                position,
            }) => {
                self.next += 1;
                let value = self.nested(position, Self::unary)?;
                Ok(-value)
            }
            Some(Token {
                kind: Kind::Plus,
                position,
            }) => {
                self.next += 1;
                self.nested(position, Self::unary)
            }
            _ => self.power(),
        }
    }

    /// power := primary ('^' unary)?   (right-associative; binds tighter than a leading sign,
    /// so -2^2 is -4, and the exponent may carry a sign: 2^-1)
    fn power(&mut self) -> Result<f64, ToolError> {
        let base = self.primary()?;
        match self.peek() {
            Some(Token {
                kind: Kind::Caret,
                position,
            }) => {
                self.next += 1;
                let exponent = self.nested(position, Self::unary)?;
                if base == 0.0 && exponent < 0.0 {
                    return Ok(self.fail(format!(
                        "division by zero (0 to a negative power) at character {position}"
                    )));
                }
                Ok(self.checked(base.powf(exponent), position, "'^'"))
            }
            _ => Ok(base),
        }
    }

    /// primary := number | constant | function '(' arguments ')' | '(' expression ')'
    fn primary(&mut self) -> Result<f64, ToolError> {
        let Some(token) = self.advance() else {
            return Err(invalid(format!(
                "the expression ends too early at character {}: expected a number, a name or \
                 '('",
                self.end
            )));
        };
        match token.kind {
            Kind::Number(value) | Kind::Constant(value, _) => Ok(value),
            Kind::Open => {
                let value = self.nested(token.position, Self::expression)?;
                self.close(token.position)?;
                Ok(value)
            }
            Kind::Function(function) => self.call(function, token.position),
            other => Err(invalid(format!(
                "unexpected {} at character {}: expected a number, a name or '('",
                other.describe(),
                token.position
            ))),
        }
    }

    /// Expects the ')' matching the '(' at `open`.
    fn close(&mut self, open: usize) -> Result<(), ToolError> {
        match self.advance() {
            Some(Token {
                kind: Kind::Close, ..
            }) => Ok(()),
            Some(token) => Err(invalid(format!(
                "unexpected {} at character {}: expected ')' to close the '(' at character \
                 {open}",
                token.kind.describe(),
                token.position
            ))),
            None => Err(invalid(format!(
                "unbalanced parentheses: the '(' at character {open} is never closed"
            ))),
        }
    }

    fn call(&mut self, function: Function, position: usize) -> Result<f64, ToolError> {
        let name = function.name();
        let open = match self.advance() {
            Some(Token {
                kind: Kind::Open,
                position,
            }) => position,
            _ => {
                return Err(invalid(format!(
                    "the function '{name}' at character {position} must be followed by '('"
                )));
            }
        };
        let arguments = self.nested(open, |parser| {
            let mut arguments = vec![parser.expression()?];
            while let Some(Token {
                kind: Kind::Comma, ..
            }) = parser.peek()
            {
                parser.next += 1;
                arguments.push(parser.expression()?);
            }
            Ok(arguments)
        })?;
        self.close(open)?;
        if !function.variadic() && arguments.len() != 1 {
            return Err(invalid(format!(
                "the function '{name}' at character {position} takes exactly one argument, \
                 not {}",
                arguments.len()
            )));
        }
        let value = function.apply(&arguments);
        Ok(self.checked(value, position, &format!("'{name}'")))
    }
}

#[cfg(test)]
mod tests;
