//! `.txt` and `.md` files: one article a file, read whole (bounded by
//! [`MAX_TEXT_BYTES`]).

use super::super::text::{declared, parse_text};
use super::super::{CorpusFile, Problem};
use super::io::{read_whole, BOM};
use super::messages::{date_warning, utf8_problem, NO_TEXT};
use super::{Record, MAX_TEXT_BYTES};

pub(super) fn read(
    file: &CorpusFile,
    visit: &mut dyn FnMut(Result<Record, Problem>),
) -> Result<(), Problem> {
    let rel = file.rel.as_str();
    let bytes = read_whole(file, MAX_TEXT_BYTES)?;
    let consumed = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
    let content = bytes.strip_prefix(BOM).unwrap_or(&bytes);
    if looks_binary(content) {
        visit(Err(Problem::new(
            rel,
            None,
            "binary file (not text); remove it from the corpus or export it as plain text",
        )));
        return Ok(());
    }
    let text = match std::str::from_utf8(content) {
        Ok(text) => text,
        Err(e) => {
            let at = e.valid_up_to() + (bytes.len() - content.len());
            let mut problem = utf8_problem(rel, content, e.valid_up_to());
            problem.reason = format!("invalid UTF-8 at byte {at}; save the file as UTF-8");
            visit(Err(problem));
            return Ok(());
        }
    };
    if text.trim().is_empty() {
        visit(Err(Problem::new(
            rel,
            None,
            "empty file; add the article text or remove the file",
        )));
        return Ok(());
    }
    let article = parse_text(text, rel);
    let (id, written_date) = declared(text);
    if article.title.is_empty() && article.lead.is_empty() && article.body.is_empty() {
        visit(Err(Problem::new(rel, None, NO_TEXT)));
        return Ok(());
    }
    let date_missing = article.date.is_none();
    let mut record = Record::new(1, id, article, consumed);
    if date_missing {
        if let Some(written) = written_date {
            record.warnings.push(date_warning(rel, None, "", &written));
        }
    }
    visit(Ok(record));
    Ok(())
}

/// True for content that is not text: it holds a NUL byte, or more than one
/// byte in ten among its first 8 KiB is a control character.
fn looks_binary(content: &[u8]) -> bool {
    if content.contains(&0) {
        return true;
    }
    let sample = content.get(..8192).unwrap_or(content);
    let controls = sample
        .iter()
        .filter(|b| (**b < 0x20 && !matches!(**b, b'\t' | b'\n' | b'\r' | 0x0c)) || **b == 0x7f)
        .count();
    controls * 10 > sample.len()
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;

    #[test]
    fn bad_text_files() {
        let dir = tempfile::tempdir().unwrap();
        let cases: [(&str, &[u8], &str, Option<u64>); 5] = [
            (
                "bin.txt",
                b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
                "binary file",
                None,
            ),
            (
                "ctl.txt",
                b"\x01\x02\x03\x04abc\x05\x06",
                "binary file",
                None,
            ),
            ("blank.txt", b" \r\n\t\n", "empty file", None),
            ("zero.md", b"", "empty file", None),
            (
                "latin.txt",
                b"Titre\nLigne deux\nCaf\xe9\n",
                "invalid UTF-8 at byte 20",
                Some(3),
            ),
        ];
        expect_one_problem(dir.path(), &cases);
    }

    #[test]
    fn text_records_have_the_front_matter_id_and_date_warnings() {
        let dir = tempfile::tempdir().unwrap();
        let f = corpus_file(
            dir.path(),
            "a.md",
            b"---\nid: art-7\ndate: bient\xc3\xb4t\n---\nTitre\n\nCorps du texte.\n",
        );
        let got = records(&f);
        let r = got[0].as_ref().unwrap();
        assert_eq!(r.id.as_deref(), Some("art-7"));
        assert_eq!(r.article.date, None);
        assert_eq!(
            r.warnings[0].to_string(),
            "a.md: date \"bientôt\" not understood; indexed without a date"
        );
        let plain = corpus_file(dir.path(), "b.txt", b"Titre\n\nCorps.\n");
        let got = records(&plain);
        let r = got[0].as_ref().unwrap();
        assert_eq!(r.id, None);
        assert!(r.warnings.is_empty());
    }
}
