//! HTML into sections: `h1`-`h6` start a section whose path is the headings above it; block
//! elements become paragraphs and lines; scripts, styles, navigation and the document head are
//! left out. The tree is walked without recursion, so deep nesting cannot exhaust the stack.

use scraper::{Html, Node};

use super::{Section, collapse_spaces, normalize};

/// Elements whose content is not part of the text.
const SKIPPED: &[&str] = &[
    "head", "script", "style", "nav", "noscript", "template", "svg", "iframe", "object", "canvas",
    "button", "select", "textarea",
];

/// Elements that end a paragraph.
const BLOCKS: &[&str] = &[
    "p",
    "div",
    "section",
    "article",
    "main",
    "header",
    "footer",
    "aside",
    "ul",
    "ol",
    "dl",
    "table",
    "blockquote",
    "pre",
    "figure",
    "form",
    "hr",
    "address",
    "details",
    "fieldset",
];

/// Elements that end a line.
const LINES: &[&str] = &[
    "li",
    "dt",
    "dd",
    "tr",
    "br",
    "caption",
    "figcaption",
    "summary",
    "legend",
];

/// The sections of an HTML document.
pub(super) fn sections(source: &str) -> Vec<Section> {
    let html = Html::parse_document(source);
    let mut out = Builder::default();
    let root = html.tree.root();
    let mut next = root.first_child();
    while let Some(node) = next {
        let descend = match node.value() {
            Node::Element(element) => out.open(element.name()),
            Node::Text(text) => {
                out.text(text);
                false
            }
            Node::Document | Node::Fragment => true,
            _ => false,
        };
        if descend && let Some(child) = node.first_child() {
            next = Some(child);
            continue;
        }
        // Leave this node, and every ancestor whose last child it was.
        let mut leaving = node;
        next = loop {
            if let Node::Element(element) = leaving.value() {
                out.close(element.name());
            }
            if let Some(sibling) = leaving.next_sibling() {
                break Some(sibling);
            }
            match leaving.parent() {
                Some(parent) if parent.id() != root.id() => leaving = parent,
                _ => break None,
            }
        };
    }
    out.finish()
}

#[derive(Default)]
struct Builder {
    sections: Vec<Section>,
    /// The open headings, outermost first, with their levels (1-6).
    path: Vec<(u8, String)>,
    /// The text of the current section so far.
    text: String,
    /// The heading being read, while inside one.
    heading: Option<(u8, String)>,
    /// How many skipped elements enclose the current node (their text is left out).
    skipped: usize,
    /// How many `pre` elements enclose the current node (their whitespace is kept).
    pre: usize,
}

fn heading_level(name: &str) -> Option<u8> {
    match name {
        "h1" => Some(1),
        "h2" => Some(2),
        "h3" => Some(3),
        "h4" => Some(4),
        "h5" => Some(5),
        "h6" => Some(6),
        _ => None,
    }
}

impl Builder {
    /// Enters an element; whether to read its children.
    fn open(&mut self, name: &str) -> bool {
        if SKIPPED.contains(&name) {
            self.skipped += 1;
            return false;
        }
        if let Some(level) = heading_level(name)
            && self.heading.is_none()
        {
            self.flush();
            self.heading = Some((level, String::new()));
        }
        if name == "pre" {
            self.pre += 1;
        }
        self.block_break(name);
        true
    }

    /// Leaves an element (also one that [`Builder::open`] skipped).
    fn close(&mut self, name: &str) {
        if SKIPPED.contains(&name) {
            self.skipped = self.skipped.saturating_sub(1);
            return;
        }
        if let Some(level) = heading_level(name)
            && self
                .heading
                .as_ref()
                .is_some_and(|(open, _)| *open == level)
            && let Some((level, text)) = self.heading.take()
        {
            self.path.retain(|(open, _)| *open < level);
            let text = collapse_spaces(&text);
            if !text.is_empty() {
                self.path.push((level, text));
            }
            return;
        }
        if name == "pre" {
            self.pre = self.pre.saturating_sub(1);
        }
        if matches!(name, "td" | "th") {
            self.push(" ");
        }
        self.block_break(name);
    }

    /// A paragraph break at the edges of block elements, a line break at those of lines (one
    /// break where several meet).
    fn block_break(&mut self, name: &str) {
        let wanted = if BLOCKS.contains(&name) {
            "\n\n"
        } else if LINES.contains(&name) {
            "\n"
        } else {
            return;
        };
        let buffer = self.buffer();
        let trimmed = buffer.trim_end_matches([' ', '\t']).len();
        buffer.truncate(trimmed);
        let present = buffer.len() - buffer.trim_end_matches('\n').len();
        if present < wanted.len() {
            buffer.push_str(&wanted[present..]);
        }
    }

    fn text(&mut self, text: &str) {
        if self.skipped > 0 {
            return;
        }
        if self.pre > 0 {
            self.push(text);
            return;
        }
        // Inline text: runs of whitespace are one space, kept at the edges so words of
        // neighbouring inline elements stay apart.
        let mut collapsed = collapse_spaces(text);
        if collapsed.is_empty() {
            if !text.is_empty() && !self.buffer().ends_with(char::is_whitespace) {
                self.push(" ");
            }
            return;
        }
        let after_space = self
            .buffer()
            .chars()
            .next_back()
            .is_none_or(char::is_whitespace);
        if text.starts_with(char::is_whitespace) && !after_space {
            collapsed.insert(0, ' ');
        }
        if text.ends_with(char::is_whitespace) {
            collapsed.push(' ');
        }
        self.push(&collapsed);
    }

    fn push(&mut self, text: &str) {
        self.buffer().push_str(text);
    }

    /// Where text goes: the heading being read, else the section.
    fn buffer(&mut self) -> &mut String {
        match &mut self.heading {
            Some((_, heading)) => heading,
            None => &mut self.text,
        }
    }

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

    #[test]
    fn headings_give_the_path_and_noise_is_dropped() {
        let html = r#"<!doctype html><html><head><title>T</title><style>p{}</style></head>
            <body><nav><a href="/">Home</a> <a>Menu</a></nav>
            <p>Before   any <b>heading</b>.</p>
            <h1>Manual <small>v2</small></h1><p>Intro.</p><script>var x = 1;</script>
            <h2>Setup</h2><ul><li>first</li><li>second</li></ul>
            <pre>line one
  line two</pre>
            <h3>Detail</h3><table><tr><td>a</td><td>b</td></tr></table>
            <h2>Usage</h2><div>Run<br>it.</div></body></html>"#;
        let got = sections(html);
        let paths: Vec<Vec<String>> = got.iter().map(|s| s.heading_path.clone()).collect();
        assert_eq!(
            paths,
            vec![
                vec![],
                vec!["Manual v2".to_string()],
                vec!["Manual v2".into(), "Setup".into()],
                vec!["Manual v2".into(), "Setup".into(), "Detail".into()],
                vec!["Manual v2".into(), "Usage".into()],
            ]
        );
        assert_eq!(got[0].text, "Before any heading.");
        assert_eq!(got[1].text, "Intro.");
        assert_eq!(got[2].text, "first\nsecond\n\nline one\n  line two");
        assert_eq!(got[3].text, "a b");
        assert_eq!(got[4].text, "Run\nit.");
    }

    #[test]
    fn deep_nesting_does_not_exhaust_the_stack() {
        let depth = 50_000;
        let html = format!("{}deep{}", "<div>".repeat(depth), "</div>".repeat(depth));
        let got = sections(&html);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].text, "deep");
    }
}
