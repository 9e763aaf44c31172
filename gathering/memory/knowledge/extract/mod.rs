//! Text out of an uploaded document: its bytes and file name (or content type) become
//! [`Extracted`] sections, each with the path of headings above it (a page for a PDF, a row range
//! for a CSV). Pure and synchronous: the caller runs it off the async workers. A document that
//! cannot be read is an error, never a panic.

mod html;
mod markdown;
mod pdf;
mod table;

/// A document's text, cut where its headings are.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Extracted {
    /// In document order; none has empty text.
    pub sections: Vec<Section>,
}

/// The text under one heading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// The headings above the text, outermost first (`["page 3"]` for a PDF page,
    /// `["data.csv", "rows 1-12"]` for CSV rows, empty for plain text).
    pub heading_path: Vec<String>,
    /// Paragraphs separated by a blank line, lines by a newline; trimmed.
    pub text: String,
}

/// The kinds of document the knowledge base reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Markdown,
    Text,
    Html,
    Pdf,
    Csv,
}

/// Why a document gives no text.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ExtractError {
    /// Neither the file name's extension nor the content type is a kind we read.
    #[error("unsupported document type {0:?}: upload .md, .txt, .html, .pdf or .csv")]
    Unsupported(String),
    /// The bytes are not a valid document of their kind.
    #[error("the document cannot be read: {0}")]
    Corrupt(String),
    /// The document is valid but has no text.
    #[error("the document has no text")]
    Empty,
}

impl Format {
    /// The kind of `file_name` by its extension, else by `content_type` (parameters ignored).
    pub fn detect(file_name: &str, content_type: Option<&str>) -> Result<Format, ExtractError> {
        let extension = file_name
            .rsplit_once('.')
            .map(|(_, ext)| ext.to_ascii_lowercase());
        let by_extension = match extension.as_deref() {
            Some("md" | "markdown") => Some(Format::Markdown),
            Some("txt" | "text") => Some(Format::Text),
            Some("html" | "htm") => Some(Format::Html),
            Some("pdf") => Some(Format::Pdf),
            Some("csv") => Some(Format::Csv),
            _ => None,
        };
        if let Some(format) = by_extension {
            return Ok(format);
        }
        let essence = content_type
            .map(|t| {
                t.split(';')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_ascii_lowercase()
            })
            .unwrap_or_default();
        match essence.as_str() {
            "text/markdown" | "text/x-markdown" => Ok(Format::Markdown),
            "text/plain" => Ok(Format::Text),
            "text/html" | "application/xhtml+xml" => Ok(Format::Html),
            "application/pdf" => Ok(Format::Pdf),
            "text/csv" => Ok(Format::Csv),
            _ => Err(ExtractError::Unsupported(match extension {
                Some(ext) if essence.is_empty() => format!(".{ext}"),
                _ if essence.is_empty() => file_name.to_owned(),
                _ => essence,
            })),
        }
    }

    /// The content type stored with a document of this kind.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Markdown => "text/markdown",
            Format::Text => "text/plain",
            Format::Html => "text/html",
            Format::Pdf => "application/pdf",
            Format::Csv => "text/csv",
        }
    }
}

/// The sections of a document of kind `format` named `file_name`.
pub fn extract(format: Format, file_name: &str, bytes: &[u8]) -> Result<Extracted, ExtractError> {
    let sections = match format {
        Format::Markdown => markdown::sections(utf8(bytes)?),
        Format::Text => vec![Section {
            heading_path: Vec::new(),
            text: normalize(utf8(bytes)?),
        }],
        Format::Html => html::sections(utf8(bytes)?),
        Format::Pdf => pdf::sections(bytes)?,
        Format::Csv => table::sections(file_name, bytes)?,
    };
    let sections: Vec<Section> = sections
        .into_iter()
        .filter(|s| !s.text.trim().is_empty())
        .collect();
    if sections.is_empty() {
        return Err(ExtractError::Empty);
    }
    Ok(Extracted { sections })
}

/// The bytes as text (a leading byte order mark dropped).
fn utf8(bytes: &[u8]) -> Result<&str, ExtractError> {
    let text = std::str::from_utf8(bytes)
        .map_err(|e| ExtractError::Corrupt(format!("not UTF-8 text ({e})")))?;
    Ok(text.strip_prefix('\u{feff}').unwrap_or(text))
}

/// Line ends made `\n`, trailing spaces of lines dropped, runs of blank lines made one, the whole
/// trimmed; control characters other than newlines and tabs dropped (Postgres refuses NUL).
pub(crate) fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank_run = 0;
    for line in text.split('\n') {
        let line: String = line
            .chars()
            .filter(|c| !c.is_control() || *c == '\t')
            .collect();
        let line = line.trim_end();
        if line.trim().is_empty() {
            blank_run += 1;
            continue;
        }
        if !out.is_empty() {
            out.push_str(if blank_run > 0 { "\n\n" } else { "\n" });
        }
        blank_run = 0;
        out.push_str(line);
    }
    out
}

/// Collapses runs of whitespace into one space (for headings and inline HTML text).
pub(crate) fn collapse_spaces(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_extension_decides_then_the_content_type() {
        assert_eq!(Format::detect("a.MD", None), Ok(Format::Markdown));
        assert_eq!(
            Format::detect("notes.txt", Some("application/octet-stream")),
            Ok(Format::Text)
        );
        assert_eq!(
            Format::detect("upload", Some("application/pdf; x=1")),
            Ok(Format::Pdf)
        );
        assert_eq!(Format::detect("page.htm", None), Ok(Format::Html));
        assert_eq!(Format::detect("t.csv", None), Ok(Format::Csv));
        assert_eq!(
            Format::detect("a.docx", None),
            Err(ExtractError::Unsupported(".docx".into()))
        );
        assert_eq!(
            Format::detect("blob", Some("image/png")),
            Err(ExtractError::Unsupported("image/png".into()))
        );
    }

    #[test]
    fn text_is_normalized_into_paragraphs() {
        let got = extract(
            Format::Text,
            "a.txt",
            "\u{feff}First line  \r\nsecond\r\n\r\n\r\n\nNext\u{0}para\n".as_bytes(),
        )
        .unwrap();
        assert_eq!(
            got.sections,
            vec![Section {
                heading_path: vec![],
                text: "First line\nsecond\n\nNextpara".into()
            }]
        );
    }

    #[test]
    fn empty_and_invalid_text_are_refused() {
        assert_eq!(
            extract(Format::Text, "a.txt", b"  \n\n "),
            Err(ExtractError::Empty)
        );
        assert!(matches!(
            extract(Format::Text, "a.txt", &[0xff, 0xfe, 0x00]),
            Err(ExtractError::Corrupt(_))
        ));
    }
}
