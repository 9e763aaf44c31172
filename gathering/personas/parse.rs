//! The persona file format: Markdown with YAML front matter, parsed and validated into a
//! [`PersonaSpec`] (pure: no I/O). Errors carry the file's own 1-based line numbers.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};

use super::lines::{item_line, key_line, yaml_error};

/// Largest persona file accepted, in bytes.
const MAX_FILE_BYTES: usize = 64 * 1024;
/// Largest prompt (the Markdown body, trimmed), in bytes.
const MAX_PROMPT_BYTES: usize = 32 * 1024;
/// Most items in each list field.
const MAX_LIST_ITEMS: usize = 32;
/// Longest list item, in characters.
const MAX_ITEM_CHARS: usize = 100;
/// Longest `display_name`, in characters.
const MAX_DISPLAY_NAME_CHARS: usize = 100;
/// Longest `role`, in characters.
const MAX_ROLE_CHARS: usize = 200;
/// Longest `communication_style`, in characters.
const MAX_STYLE_CHARS: usize = 500;
/// Longest `default_model`, in characters.
const MAX_MODEL_CHARS: usize = 200;
/// The front matter's opening and closing line.
const DELIMITER: &str = "---";

/// A persona's unique name: `^[a-z0-9][a-z0-9-]{0,62}$`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct PersonaName(String);

impl PersonaName {
    /// Checks `s` against `^[a-z0-9][a-z0-9-]{0,62}$`.
    pub fn parse(s: &str) -> Result<Self, String> {
        let valid_first = s
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
        let valid_rest = s
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if valid_first && valid_rest && s.len() <= 63 {
            Ok(Self(s.to_owned()))
        } else {
            Err(format!(
                "invalid persona name {s:?}: use 1 to 63 lowercase letters, digits and hyphens, \
                 starting with a letter or digit"
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PersonaName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for PersonaName {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// A persona: its identity (the front matter) and its prompt (the Markdown body).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PersonaSpec {
    pub name: PersonaName,
    /// 1..=100 characters.
    pub display_name: String,
    /// 1..=200 characters.
    pub role: String,
    #[serde(default)]
    pub traits: Vec<String>,
    #[serde(default)]
    pub communication_style: String,
    #[serde(default)]
    pub specializations: Vec<String>,
    /// Language codes, e.g. `["en"]`.
    #[serde(default)]
    pub languages: Vec<String>,
    #[serde(default)]
    pub default_model: Option<String>,
    /// 0.0..=2.0.
    #[serde(default)]
    pub temperature: Option<f32>,
    /// Tool names this persona's agents may use by default.
    #[serde(default)]
    pub allowed_skills: Vec<String>,
    /// The Markdown body after the front matter: the persona's full prompt (trimmed, non-empty,
    /// <= 32 KiB).
    #[serde(default)]
    pub prompt: String,
}

impl PersonaSpec {
    /// Checks every limit; the message names the offending field.
    pub fn validate(&self) -> Result<(), String> {
        self.check().map_err(|(_, message)| message)
    }

    /// Like [`validate`](Self::validate), also returning the offending field's name.
    fn check(&self) -> Result<(), (&'static str, String)> {
        check_text("display_name", &self.display_name, MAX_DISPLAY_NAME_CHARS)?;
        check_text("role", &self.role, MAX_ROLE_CHARS)?;
        check_list("traits", &self.traits)?;
        if self.communication_style.chars().count() > MAX_STYLE_CHARS {
            return Err((
                "communication_style",
                format!("communication_style: at most {MAX_STYLE_CHARS} characters"),
            ));
        }
        check_list("specializations", &self.specializations)?;
        check_list("languages", &self.languages)?;
        if let Some(model) = &self.default_model {
            check_text("default_model", model, MAX_MODEL_CHARS)?;
        }
        if let Some(t) = self.temperature
            && !(0.0..=2.0).contains(&t)
        {
            return Err((
                "temperature",
                format!("temperature: {t} is outside 0.0 to 2.0"),
            ));
        }
        check_list("allowed_skills", &self.allowed_skills)?;
        if self.prompt.trim().is_empty() {
            return Err((
                "prompt",
                "prompt: empty (the prompt is the Markdown body after the front matter)".into(),
            ));
        }
        if self.prompt.len() > MAX_PROMPT_BYTES {
            return Err((
                "prompt",
                format!(
                    "prompt: {} bytes, more than the {} KiB allowed",
                    self.prompt.len(),
                    MAX_PROMPT_BYTES / 1024
                ),
            ));
        }
        Ok(())
    }
}

/// A required, single-value text field: not blank, at most `max` characters.
fn check_text(field: &'static str, value: &str, max: usize) -> Result<(), (&'static str, String)> {
    if value.trim().is_empty() {
        return Err((field, format!("{field}: must not be empty")));
    }
    let chars = value.chars().count();
    if chars > max {
        return Err((
            field,
            format!("{field}: {chars} characters, at most {max} allowed"),
        ));
    }
    Ok(())
}

/// A list field: at most [`MAX_LIST_ITEMS`] items, each non-blank and at most
/// [`MAX_ITEM_CHARS`] characters.
fn check_list(field: &'static str, items: &[String]) -> Result<(), (&'static str, String)> {
    if items.len() > MAX_LIST_ITEMS {
        return Err((
            field,
            format!(
                "{field}: {} items, at most {MAX_LIST_ITEMS} allowed",
                items.len()
            ),
        ));
    }
    for (i, item) in items.iter().enumerate() {
        if item.trim().is_empty() {
            return Err((field, format!("{field}[{i}]: must not be empty")));
        }
        let chars = item.chars().count();
        if chars > MAX_ITEM_CHARS {
            return Err((
                field,
                format!("{field}[{i}]: {chars} characters, at most {MAX_ITEM_CHARS} allowed"),
            ));
        }
    }
    Ok(())
}

/// A persona file could not be read as a persona.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}{message}", line.map(|l| format!("line {l}: ")).unwrap_or_default())]
pub struct ParseError {
    /// The file's own 1-based line, where known.
    pub line: Option<usize>,
    pub message: String,
    /// The field a limit refused, as [`PersonaSpec::validate`] names it (`temperature`,
    /// `traits[1]`, `prompt`); `None` for an error in the file's shape or its YAML.
    pub field: Option<String>,
}

impl ParseError {
    pub(super) fn new(line: Option<usize>, message: impl Into<String>) -> Self {
        Self {
            line,
            message: message.into(),
            field: None,
        }
    }
}

/// The front matter as written: [`PersonaSpec`] less `prompt`, rejecting unknown keys.
#[derive(Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a mapping of front-matter keys (name, display_name, role, ...)"
)]
struct FrontMatter {
    name: PersonaName,
    display_name: String,
    role: String,
    #[serde(default)]
    traits: Vec<String>,
    #[serde(default)]
    communication_style: String,
    #[serde(default)]
    specializations: Vec<String>,
    #[serde(default)]
    languages: Vec<String>,
    #[serde(default)]
    default_model: Option<String>,
    #[serde(default)]
    temperature: Option<f32>,
    #[serde(default)]
    allowed_skills: Vec<String>,
}

/// Parses a whole file. Front matter between a first line `---` and the next line `---`; line
/// numbers in errors are the file's own (1-based), so a YAML error on the 3rd line of the front
/// matter is "line 4". Unknown front-matter keys are an error, naming the key. Missing front
/// matter, an unterminated front matter, an empty body, a file over 64 KiB: clear errors.
/// `prompt` comes from the body, never from the front matter (the front matter must not have a
/// `prompt` key).
pub fn parse(text: &str) -> Result<PersonaSpec, ParseError> {
    if text.len() > MAX_FILE_BYTES {
        return Err(ParseError::new(
            None,
            format!(
                "file is {} bytes, more than the {} KiB allowed",
                text.len(),
                MAX_FILE_BYTES / 1024
            ),
        ));
    }
    // Line numbers survive both: the BOM is not a line, and CRLF -> LF keeps every line break.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let text = text.replace("\r\n", "\n");

    let mut lines = text.split_inclusive('\n');
    if lines.next().map(|l| l.trim_end()) != Some(DELIMITER) {
        return Err(ParseError::new(
            Some(1),
            "missing front matter: the file must start with a `---` line",
        ));
    }
    // Byte offsets of the front matter (after line 1) and of the closing delimiter's line.
    let front_start = text.find('\n').map_or(text.len(), |i| i + 1);
    let mut offset = front_start;
    let mut closing = None;
    for (i, line) in lines.enumerate() {
        if line.trim_end() == DELIMITER {
            // Line 1 is the opening delimiter, so the i-th (0-based) line after it is line i + 2.
            closing = Some((i + 2, offset, offset + line.len()));
            break;
        }
        offset += line.len();
    }
    let Some((closing_line, front_end, body_start)) = closing else {
        return Err(ParseError::new(
            Some(1),
            "unterminated front matter: no closing `---` line after the opening one",
        ));
    };
    let front = &text[front_start..front_end];
    let body = &text[body_start..];
    let body_line = closing_line + 1;

    if front.trim().is_empty() {
        return Err(ParseError::new(
            Some(2),
            "empty front matter: name, display_name and role are required",
        ));
    }
    if let Some(line) = key_line(front, "prompt") {
        return Err(ParseError::new(
            Some(line),
            "`prompt` is not a front-matter key: the prompt is the Markdown body after the \
             closing `---`",
        ));
    }
    let fm: FrontMatter = yaml_serde::from_str(front).map_err(|e| yaml_error(front, e))?;

    let prompt = body.trim();
    if prompt.is_empty() {
        return Err(ParseError::new(
            Some(body_line),
            "empty body: the Markdown after the front matter is the persona's prompt",
        ));
    }
    let spec = PersonaSpec {
        name: fm.name,
        display_name: fm.display_name,
        role: fm.role,
        traits: fm.traits,
        communication_style: fm.communication_style,
        specializations: fm.specializations,
        languages: fm.languages,
        default_model: fm.default_model,
        temperature: fm.temperature,
        allowed_skills: fm.allowed_skills,
        prompt: prompt.to_owned(),
    };
    spec.check().map_err(|(field, message)| {
        // A list item's message names it: `traits[1]: ...`.
        let item = message
            .strip_prefix(field)
            .and_then(|rest| rest.strip_prefix('['))
            .and_then(|rest| rest.split_once(']'))
            .and_then(|(index, _)| index.parse::<usize>().ok());
        let line = match item {
            _ if field == "prompt" => Some(body_line),
            Some(index) => item_line(front, field, index),
            None => key_line(front, field),
        };
        ParseError {
            line,
            field: Some(item.map_or_else(|| field.to_owned(), |i| format!("{field}[{i}]"))),
            message,
        }
    })?;
    Ok(spec)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "\
---
name: test-persona
display_name: Test Persona
role: Checks the parser
traits: [careful, brief]
communication_style: Short sentences.
specializations:
  - parsing
languages: [en]
temperature: 0.4
allowed_skills: [calculator]
---

You are a test persona.

---

A rule above is part of the body.
";

    fn err(text: &str) -> ParseError {
        match parse(text) {
            Ok(spec) => panic!("expected an error, got {spec:?}"),
            Err(e) => e,
        }
    }

    /// A good file with line `line` (1-based, inside the front matter) replaced by `with`.
    fn good_with(line: usize, with: &str) -> String {
        let mut lines: Vec<&str> = GOOD.lines().collect();
        lines[line - 1] = with;
        lines.join("\n")
    }

    #[test]
    fn parses_a_good_file() {
        let spec = parse(GOOD).unwrap();
        assert_eq!(spec.name.as_str(), "test-persona");
        assert_eq!(spec.display_name, "Test Persona");
        assert_eq!(spec.role, "Checks the parser");
        assert_eq!(spec.traits, ["careful", "brief"]);
        assert_eq!(spec.communication_style, "Short sentences.");
        assert_eq!(spec.specializations, ["parsing"]);
        assert_eq!(spec.languages, ["en"]);
        assert_eq!(spec.default_model, None);
        assert_eq!(spec.temperature, Some(0.4));
        assert_eq!(spec.allowed_skills, ["calculator"]);
        assert_eq!(
            spec.prompt,
            "You are a test persona.\n\n---\n\nA rule above is part of the body."
        );
        spec.validate().unwrap();
    }

    #[test]
    fn optional_fields_default() {
        let spec = parse("---\nname: a\ndisplay_name: A\nrole: r\n---\nbody\n").unwrap();
        assert!(spec.traits.is_empty() && spec.allowed_skills.is_empty());
        assert_eq!(spec.temperature, None);
        assert_eq!(spec.communication_style, "");
        assert_eq!(spec.prompt, "body");
    }

    #[test]
    fn accepts_crlf_and_a_bom() {
        let crlf = format!("\u{feff}{}", GOOD.replace('\n', "\r\n"));
        let spec = parse(&crlf).unwrap();
        assert_eq!(spec, parse(GOOD).unwrap());
        assert!(!spec.prompt.contains('\r'));
        // Line numbers are unchanged by CRLF.
        let bad = good_with(10, "temperature: 3").replace('\n', "\r\n");
        assert_eq!(err(&bad).line, Some(10));
    }

    #[test]
    fn bad_yaml_value_names_its_file_line() {
        // Line 10 of the file is the 9th line of the front matter.
        let e = err(&good_with(10, "temperature: hot"));
        assert_eq!(e.line, Some(10), "{e}");
        assert!(e.message.contains("temperature"), "{e}");
        assert!(e.to_string().starts_with("line 10: "), "{e}");
        // The message does not carry the front matter's own line numbering.
        assert!(!e.message.contains("line 9"), "{e}");
    }

    #[test]
    fn broken_yaml_syntax_names_its_file_line() {
        let e = err(&good_with(4, "role: [unclosed"));
        assert!(matches!(e.line, Some(4..=5)), "{e}");
    }

    #[test]
    fn unknown_key_is_named() {
        let e = err(&good_with(6, "mood: cheerful"));
        assert_eq!(e.line, Some(6), "{e}");
        assert!(e.message.contains("unknown field `mood`"), "{e}");
    }

    #[test]
    fn prompt_key_in_front_matter_is_rejected() {
        let e = err(&good_with(6, "prompt: You are someone else."));
        assert_eq!(e.line, Some(6), "{e}");
        assert!(e.message.contains("prompt"), "{e}");
    }

    #[test]
    fn temperature_out_of_range() {
        let e = err(&good_with(10, "temperature: 3"));
        assert_eq!(e.line, Some(10), "{e}");
        assert!(e.message.starts_with("temperature:"), "{e}");
    }

    #[test]
    fn bad_name() {
        let e = err(&good_with(2, "name: Not Valid"));
        assert_eq!(e.line, Some(2), "{e}");
        assert!(e.message.contains("invalid persona name"), "{e}");
    }

    #[test]
    fn repeated_key_names_the_repeat() {
        let e = err(&good_with(5, "role: again"));
        assert_eq!(e.line, Some(5), "{e}");
        assert!(e.message.contains("duplicate field `role`"), "{e}");
    }

    #[test]
    fn front_matter_must_be_a_mapping() {
        let e = err("---\n- a\n---\nbody\n");
        assert_eq!(e.line, Some(2), "{e}");
        assert!(e.message.contains("a mapping of front-matter keys"), "{e}");
    }

    #[test]
    fn missing_required_field() {
        let e = err(&good_with(4, "# no role"));
        assert!(e.message.contains("missing field `role`"), "{e}");
    }

    #[test]
    fn too_long_and_empty_fields() {
        let long = "x".repeat(101);
        let e = err(&good_with(3, &format!("display_name: {long}")));
        assert_eq!(e.line, Some(3), "{e}");
        assert!(e.message.starts_with("display_name:"), "{e}");

        let e = err(&good_with(5, "traits: ['']"));
        assert_eq!(e.line, Some(5), "{e}");
        assert!(e.message.starts_with("traits[0]:"), "{e}");

        let many = vec!["a"; 33].join(", ");
        let e = err(&good_with(11, &format!("allowed_skills: [{many}]")));
        assert_eq!(e.line, Some(11), "{e}");
        assert!(e.message.starts_with("allowed_skills:"), "{e}");
    }

    #[test]
    fn a_refused_field_is_named_at_its_line() {
        let e = err(&good_with(10, "temperature: 3"));
        assert_eq!(
            (e.line, e.field.as_deref()),
            (Some(10), Some("temperature"))
        );
        // An item of a block list: its own line; of a flow list: the key's.
        let e = err(&good_with(8, "  - ''"));
        assert_eq!(
            (e.line, e.field.as_deref()),
            (Some(8), Some("specializations[0]"))
        );
        let e = err(&good_with(5, "traits: [a, '']"));
        assert_eq!((e.line, e.field.as_deref()), (Some(5), Some("traits[1]")));
        // The file's shape and its YAML name no field.
        assert_eq!(err(&good_with(6, "mood: x")).field, None);
    }

    #[test]
    fn missing_front_matter() {
        let e = err("You are a persona without front matter.\n");
        assert_eq!(e.line, Some(1));
        assert!(e.message.contains("missing front matter"), "{e}");
        assert_eq!(err("").line, Some(1));
    }

    #[test]
    fn unterminated_front_matter() {
        let e = err("---\nname: a\ndisplay_name: A\nrole: r\n\nYou are ...\n");
        assert_eq!(e.line, Some(1));
        assert!(e.message.contains("unterminated front matter"), "{e}");
    }

    #[test]
    fn empty_front_matter() {
        let e = err("---\n---\nbody\n");
        assert!(e.message.contains("empty front matter"), "{e}");
    }

    #[test]
    fn empty_body() {
        let e = err("---\nname: a\ndisplay_name: A\nrole: r\n---\n  \n\n");
        assert_eq!(e.line, Some(6), "{e}");
        assert!(e.message.contains("empty body"), "{e}");
        assert!(
            err("---\nname: a\ndisplay_name: A\nrole: r\n---")
                .message
                .contains("empty body")
        );
    }

    #[test]
    fn oversized_file_and_prompt() {
        let huge = format!("{GOOD}{}", "x".repeat(MAX_FILE_BYTES));
        let e = err(&huge);
        assert_eq!(e.line, None);
        assert!(e.message.contains("64 KiB"), "{e}");

        let big_prompt = format!("{GOOD}{}", "x".repeat(MAX_PROMPT_BYTES));
        let e = err(&big_prompt);
        assert_eq!(e.line, Some(13), "{e}");
        assert!(e.message.starts_with("prompt:"), "{e}");
    }

    #[test]
    fn persona_names() {
        for ok in ["a", "0", "code-reviewer", "a-", &"a".repeat(63)] {
            assert_eq!(PersonaName::parse(ok).unwrap().as_str(), ok);
        }
        for bad in ["", "-a", "A", "a_b", "a b", "é", &"a".repeat(64)] {
            assert!(PersonaName::parse(bad).is_err(), "{bad:?}");
        }
        assert_eq!(PersonaName::parse("x-1").unwrap().to_string(), "x-1");
        let name: Result<PersonaName, _> = serde_json::from_str("\"Bad\"");
        assert!(name.is_err());
    }

    #[test]
    fn spec_round_trips_through_json() {
        let spec = parse(GOOD).unwrap();
        let json = serde_json::to_string(&spec).unwrap();
        let back: PersonaSpec = serde_json::from_str(&json).unwrap();
        assert_eq!(back, spec);
    }

    #[test]
    fn shipped_personas_parse() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/personas");
        let mut count = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|e| e != "md") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let spec = parse(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            spec.validate().unwrap();
            let stem = path.file_stem().unwrap().to_string_lossy();
            assert_eq!(stem, spec.name.as_str(), "{}", path.display());
            assert!(spec.default_model.is_none(), "{}", path.display());
            count += 1;
        }
        assert!(count >= 10, "only {count} personas in {dir}");
    }
}
