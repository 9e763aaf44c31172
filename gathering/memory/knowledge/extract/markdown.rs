//! Markdown (CommonMark with tables) into sections: each heading starts a section whose path is
//! the headings above it; blocks become paragraphs, list items and table rows lines; front
//! matter and raw HTML are left out.

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use super::{Section, collapse_spaces, normalize};

/// The sections of a Markdown text.
pub(super) fn sections(source: &str) -> Vec<Section> {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_YAML_STYLE_METADATA_BLOCKS
        | Options::ENABLE_PLUSES_DELIMITED_METADATA_BLOCKS;
    let mut out = Builder::default();
    for event in Parser::new_ext(source, options) {
        out.event(event);
    }
    out.finish()
}

#[derive(Default)]
struct Builder {
    sections: Vec<Section>,
    /// The open headings, outermost first, with their levels.
    path: Vec<(HeadingLevel, String)>,
    /// The text of the current section so far.
    text: String,
    /// The heading being read, while inside one.
    heading: Option<(HeadingLevel, String)>,
    /// Inside front matter (left out).
    in_metadata: bool,
    /// Inside a fenced or indented code block (its line breaks are kept).
    in_code: bool,
}

impl Builder {
    fn event(&mut self, event: Event<'_>) {
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                self.flush();
                self.heading = Some((level, String::new()));
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((level, text)) = self.heading.take() {
                    self.path.retain(|(open, _)| *open < level);
                    let text = collapse_spaces(&text);
                    if !text.is_empty() {
                        self.path.push((level, text));
                    }
                }
            }
            Event::Start(Tag::MetadataBlock(_)) => self.in_metadata = true,
            Event::End(TagEnd::MetadataBlock(_)) => self.in_metadata = false,
            Event::Start(Tag::CodeBlock(_)) => {
                self.in_code = true;
                self.paragraph_break();
            }
            Event::End(TagEnd::CodeBlock) => {
                self.in_code = false;
                self.paragraph_break();
            }
            Event::End(
                TagEnd::Paragraph
                | TagEnd::BlockQuote(_)
                | TagEnd::List(_)
                | TagEnd::Table
                | TagEnd::FootnoteDefinition
                | TagEnd::DefinitionList,
            ) => self.paragraph_break(),
            Event::End(
                TagEnd::Item
                | TagEnd::TableHead
                | TagEnd::TableRow
                | TagEnd::DefinitionListTitle
                | TagEnd::DefinitionListDefinition,
            ) => self.push("\n"),
            Event::End(TagEnd::TableCell) => self.push(" | "),
            Event::Text(text) if self.in_code => self.push(&text),
            Event::Text(text) | Event::Code(text) => self.push(&text.replace('\n', " ")),
            Event::InlineMath(text) | Event::DisplayMath(text) => self.push(&text),
            Event::SoftBreak => self.push(" "),
            Event::HardBreak => self.push("\n"),
            Event::Rule => self.paragraph_break(),
            _ => {}
        }
    }

    fn push(&mut self, text: &str) {
        if self.in_metadata {
            return;
        }
        match &mut self.heading {
            Some((_, heading)) => heading.push_str(text),
            None => self.text.push_str(text),
        }
    }

    fn paragraph_break(&mut self) {
        if self.heading.is_none() {
            self.text.push_str("\n\n");
        }
    }

    /// Ends the current section (kept when it has text).
    fn flush(&mut self) {
        let text = normalize(&std::mem::take(&mut self.text));
        if !text.is_empty() {
            self.sections.push(Section {
                heading_path: self.path.iter().map(|(_, h)| h.clone()).collect(),
                text,
            });
        }
    }

    fn finish(mut self) -> Vec<Section> {
        self.flush();
        self.sections
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(p: &[&str]) -> Vec<String> {
        p.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn headings_give_the_path_of_each_section() {
        let md = "---\ntitle: hidden\n---\nIntro *text*.\n\n# Guide\n\nFirst para\nwraps.\n\n\
                  ## Install `cargo`\n\n- one\n- two\n\n```sh\ncargo build\ncargo test\n```\n\n\
                  # Other\n\n### Deep\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n## Back\n\nEnd.";
        let got = sections(md);
        let paths: Vec<_> = got.iter().map(|s| s.heading_path.clone()).collect();
        assert_eq!(
            paths,
            vec![
                path(&[]),
                path(&["Guide"]),
                path(&["Guide", "Install cargo"]),
                path(&["Other", "Deep"]),
                path(&["Other", "Back"]),
            ]
        );
        assert_eq!(got[0].text, "Intro text.");
        assert_eq!(got[1].text, "First para wraps.");
        assert_eq!(got[2].text, "one\ntwo\n\ncargo build\ncargo test");
        assert!(got[3].text.contains("a | b"), "{}", got[3].text);
        assert!(got[3].text.contains("1 | 2"), "{}", got[3].text);
        assert_eq!(got[4].text, "End.");
    }

    #[test]
    fn a_heading_without_text_below_gives_no_section() {
        let got = sections("# A\n## B\ntext");
        assert_eq!(
            got,
            vec![Section {
                heading_path: path(&["A", "B"]),
                text: "text".into()
            }]
        );
    }
}
