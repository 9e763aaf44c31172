//! PDF into sections, one per page with text (`page N`), by the `pdf-extract` crate. The crate
//! can panic on malformed files, so it runs under `catch_unwind`: a corrupt PDF is an error.

use std::panic::{AssertUnwindSafe, catch_unwind};

use super::{ExtractError, Section, normalize};

/// The pages of a PDF that have text.
pub(super) fn sections(bytes: &[u8]) -> Result<Vec<Section>, ExtractError> {
    if !bytes.starts_with(b"%PDF-") {
        return Err(ExtractError::Corrupt("not a PDF file".into()));
    }
    let pages = catch_unwind(AssertUnwindSafe(|| {
        pdf_extract::extract_text_from_mem_by_pages(bytes)
    }))
    .map_err(|_| ExtractError::Corrupt("the PDF is malformed".into()))?
    .map_err(|e| ExtractError::Corrupt(format!("the PDF is malformed ({e})")))?;
    Ok(pages
        .iter()
        .enumerate()
        .map(|(i, page)| Section {
            heading_path: vec![format!("page {}", i + 1)],
            text: normalize(page),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two pages of one line each (made by `tests/fixtures/knowledge/make_pdf.py`).
    const GUIDE: &[u8] = include_bytes!("../../../../tests/fixtures/knowledge/guide.pdf");

    #[test]
    fn each_page_is_a_section() {
        let got = sections(GUIDE).unwrap();
        let paths: Vec<_> = got.iter().map(|s| s.heading_path.join("/")).collect();
        assert_eq!(paths, vec!["page 1", "page 2"]);
        assert!(
            got[0].text.contains("grey heron crosses"),
            "{:?}",
            got[0].text
        );
        assert!(got[1].text.contains("thirty days"), "{:?}", got[1].text);
    }

    #[test]
    fn a_damaged_pdf_is_an_error() {
        for bytes in [&GUIDE[..GUIDE.len() / 2], &GUIDE[..200], b"%PDF-1.7\n%%EOF"] {
            let got = sections(bytes);
            assert!(matches!(got, Err(ExtractError::Corrupt(_))) || got.unwrap().is_empty());
        }
        assert!(matches!(sections(b"GIF89a"), Err(ExtractError::Corrupt(_))));
    }
}
