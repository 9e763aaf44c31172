//! Reading the configuration file: a TOML document checked against [`Config`]'s shape (unknown
//! keys refused, types checked) so a mistake is reported with its line, then kept as a value
//! tree for the environment to be laid over.

use std::path::Path;

use super::{Config, ConfigError};

/// The file's values, once they are known to fit [`Config`].
pub(super) fn read(path: &Path) -> Result<toml::Table, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_owned(),
        source,
    })?;
    let parse_error = |e: toml::de::Error| ConfigError::Parse {
        path: path.to_owned(),
        message: e.message().to_owned() + &span_suffix(&text, e.span()),
    };
    toml::from_str::<Config>(&text).map_err(parse_error)?;
    text.parse::<toml::Table>().map_err(parse_error)
}

fn span_suffix(text: &str, span: Option<std::ops::Range<usize>>) -> String {
    match span {
        Some(span) => {
            let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
            format!(" (line {line})")
        }
        None => String::new(),
    }
}
