//! CSV into sections of consecutive rows: each row a paragraph of `header: value` lines, each
//! section's path the file name and its rows (`rows 1-12`, data rows counted from 1).

use super::{ExtractError, Section};

/// About how much text one section of rows holds (a row is never split between sections).
const SECTION_CHARS: usize = 600;

/// The rows of a CSV file with a header line, in sections.
pub(super) fn sections(file_name: &str, bytes: &[u8]) -> Result<Vec<Section>, ExtractError> {
    let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(true)
        .from_reader(bytes);
    let headers: Vec<String> = reader
        .headers()
        .map_err(corrupt)?
        .iter()
        .enumerate()
        .map(|(i, h)| match h.trim() {
            "" => format!("column {}", i + 1),
            h => h.to_owned(),
        })
        .collect();
    let mut sections = Vec::new();
    let mut text = String::new();
    let mut first_row = 0;
    let mut last_row = 0;
    for (index, record) in reader.records().enumerate() {
        let record = record.map_err(corrupt)?;
        let row = index + 1;
        let lines: Vec<String> = record
            .iter()
            .enumerate()
            .filter(|(_, value)| !value.trim().is_empty())
            .map(|(i, value)| {
                let header = headers
                    .get(i)
                    .cloned()
                    .unwrap_or_else(|| format!("column {}", i + 1));
                format!("{header}: {}", one_line(value))
            })
            .collect();
        if lines.is_empty() {
            continue;
        }
        let paragraph = lines.join("\n");
        if !text.is_empty() && text.len() + 2 + paragraph.len() > SECTION_CHARS {
            sections.push(section(file_name, first_row, last_row, &mut text));
        }
        if text.is_empty() {
            first_row = row;
        } else {
            text.push_str("\n\n");
        }
        text.push_str(&paragraph);
        last_row = row;
    }
    if !text.is_empty() {
        sections.push(section(file_name, first_row, last_row, &mut text));
    }
    Ok(sections)
}

fn section(file_name: &str, first: usize, last: usize, text: &mut String) -> Section {
    let rows = if first == last {
        format!("row {first}")
    } else {
        format!("rows {first}-{last}")
    };
    Section {
        heading_path: vec![file_name.to_owned(), rows],
        text: std::mem::take(text),
    }
}

/// A cell's value on one line, without control characters.
fn one_line(value: &str) -> String {
    value
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .filter(|c| !c.is_control())
        .collect()
}

fn corrupt(e: csv::Error) -> ExtractError {
    ExtractError::Corrupt(format!("invalid CSV ({e})"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_become_header_value_lines_with_their_row_range() {
        let csv = "name,city,\nAda,London,x\n,,\nGrace,\"New\nYork\",\n";
        let got = sections("people.csv", csv.as_bytes()).unwrap();
        assert_eq!(
            got,
            vec![Section {
                heading_path: vec!["people.csv".into(), "rows 1-3".into()],
                text: "name: Ada\ncity: London\ncolumn 3: x\n\nname: Grace\ncity: New York".into()
            }]
        );
    }

    #[test]
    fn long_tables_are_cut_between_rows() {
        let mut csv = String::from("id,text\n");
        for i in 0..100 {
            csv.push_str(&format!("{i},{}\n", "word ".repeat(10)));
        }
        let got = sections("t.csv", csv.as_bytes()).unwrap();
        assert!(got.len() > 5);
        assert_eq!(got[0].heading_path[1], "rows 1-9");
        assert!(got.iter().all(|s| s.text.len() <= SECTION_CHARS));
        let rows: usize = got.iter().map(|s| s.text.split("\n\n").count()).sum();
        assert_eq!(rows, 100);
    }

    #[test]
    fn invalid_utf8_is_corrupt() {
        assert!(matches!(
            sections("t.csv", b"a,b\n\xff\xfe,1\n"),
            Err(ExtractError::Corrupt(_))
        ));
    }
}
