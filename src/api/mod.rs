//! What recoupe answers, as tools read it: the one set of types that the
//! CLI's `--json` and `--format csv` and the HTTP API all write. The JSON
//! shapes are documented here, field by field; a change that removes or
//! renames a field raises [`VERSION`].
//!
//! `recoupe search --json` writes one [`Hit`] a line, then one line
//! `{"summary": Summary}`.

pub mod alert;
pub mod request;
pub mod web;

pub use alert::Alert;

use serde::Serialize;

use crate::search::plan::How;
use crate::search::{self, Totals};

/// The version of these shapes.
pub const VERSION: u32 = 1;

/// One ranked passage.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Hit {
    /// The query, as given.
    pub query: String,
    /// 1 for the best hit.
    pub rank: usize,
    pub score: f32,
    /// The article's id (or, without one, its file and line).
    pub doc: String,
    /// The passage's number in its article, from 0.
    pub passage: u64,
    pub title: String,
    /// `YYYY-MM-DD`, or null when the article has no date.
    pub date: Option<String>,
    pub source: String,
    pub url: String,
    /// The corpus file, relative to the corpus folder.
    pub path: String,
    /// The passage's whole text.
    pub text: String,
    /// The best fragment of `text`, as the terminal shows it.
    pub snippet: String,
    /// Each match in `snippet`, byte offsets into it.
    pub snippet_marks: Vec<Mark>,
    /// Each match in `title`, byte offsets into it.
    pub title_marks: Vec<Mark>,
    /// `[start, end]` byte offsets into `text` of each match.
    pub highlights: Vec<[usize; 2]>,
    /// Each match with its text and how it matched.
    pub matches: Vec<search::Match>,
    /// Present (true) only when the passage matches through its article's
    /// title alone.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub title_only: bool,
    /// With `--group article`: the article's next best passages (same
    /// shape; their `rank` is their place within the article, from 2).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub more: Vec<Hit>,
    /// Other articles holding a copy of this passage (ids, at most 50),
    /// which are not shown apart; absent when there is none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub copies: Vec<String>,
    /// How many other articles hold a copy (absent when none).
    #[serde(skip_serializing_if = "is_zero")]
    pub copies_total: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// A match in a hit's snippet or title: where, how, and for which query
/// word through which spelling.
#[derive(Clone, Debug, Serialize, serde::Deserialize, PartialEq)]
pub struct Mark {
    pub start: usize,
    pub end: usize,
    pub how: How,
    /// The query word it answers, as typed.
    pub query: String,
    /// The spelling, alias or typo that matched.
    pub via: String,
}

/// Marks for `spans` of `shown` (a snippet or title), each told which
/// query word and spelling it answers by the passage match of the same
/// words and kind (or, failing that, of the same kind).
fn marks(shown: &str, spans: &[(usize, usize, How)], matches: &[search::Match]) -> Vec<Mark> {
    let fold = crate::analysis::fold::fold_str;
    let folded: Vec<String> = matches.iter().map(|m| fold(&m.text)).collect();
    spans
        .iter()
        .filter_map(|&(start, end, how)| {
            let words = fold(shown.get(start..end)?);
            let by_text = matches
                .iter()
                .zip(&folded)
                .find(|(m, f)| m.how == how && **f == words)
                .map(|(m, _)| m);
            let m = by_text.or_else(|| matches.iter().find(|m| m.how == how));
            Some(Mark {
                start,
                end,
                how,
                query: m.map(|m| m.query.clone()).unwrap_or_default(),
                via: m.map(|m| m.via.clone()).unwrap_or_default(),
            })
        })
        .collect()
}

impl Hit {
    pub fn new(query: &str, hit: &search::Hit) -> Hit {
        Hit {
            query: query.to_string(),
            rank: hit.rank,
            score: hit.score,
            doc: hit.doc.clone(),
            passage: hit.passage,
            title: hit.title.clone(),
            date: hit.date.clone(),
            source: hit.source.clone(),
            url: hit.url.clone(),
            path: hit.path.clone(),
            text: hit.text.clone(),
            snippet: hit.snippet.clone(),
            snippet_marks: marks(&hit.snippet, &hit.snippet_highlights, &hit.matches),
            title_marks: hit
                .title_matches
                .iter()
                .map(|m| Mark {
                    start: m.start,
                    end: m.end,
                    how: m.how,
                    query: m.query.clone(),
                    via: m.via.clone(),
                })
                .collect(),
            highlights: hit.matches.iter().map(|m| [m.start, m.end]).collect(),
            matches: hit.matches.clone(),
            title_only: hit.title_only,
            more: hit.more.iter().map(|m| Hit::new(query, m)).collect(),
            copies: hit.copies.clone(),
            copies_total: hit.copies_total,
        }
    }
}

/// True when `gap`, the text between two matched words, leaves them one
/// name or phrase to a reader: only spaces, hyphens and apostrophes.
pub fn joins_words(gap: &str) -> bool {
    gap.chars()
        .all(|c| matches!(c, ' ' | '-' | '\'' | '’' | '\u{a0}'))
}

/// The matches of `text` as a reader counts them: the words of one name
/// or phrase matched one by one (`al` and `Charaa` of `al-Charaa`) joined
/// across spaces, hyphens and apostrophes; sorted byte ranges.
pub fn merged_spans(text: &str, matches: &[search::Match]) -> Vec<(usize, usize)> {
    let mut sorted: Vec<(usize, usize)> = matches.iter().map(|m| (m.start, m.end)).collect();
    sorted.sort_unstable();
    let mut spans: Vec<(usize, usize)> = Vec::new();
    for (s, e) in sorted {
        match spans.last_mut() {
            Some(last) if s < last.1 => last.1 = last.1.max(e),
            Some(last) if text.get(last.1..s).is_some_and(joins_words) => {
                last.1 = last.1.max(e);
            }
            _ => spans.push((s, e)),
        }
    }
    spans
}

/// What a query matches in the whole index, beyond the hits shown.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Summary {
    pub query: String,
    /// Matching passages.
    pub passages: u64,
    /// Articles holding at least one matching passage.
    pub articles: u64,
    /// For each query word searched under other spellings: the spellings
    /// found among the matching passages, with how many passages hold each.
    pub spellings: Vec<Spelling>,
    /// Query words, as typed, too common to find passages alone (in over
    /// 5% of passages, beside rarer words of a short query): they only add
    /// to the score of the passages the others find. Left out when empty.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub scoring_only: Vec<String>,
}

/// One spelling found for a query word.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Spelling {
    /// As the passages write it (for an alias: the alias).
    pub spelling: String,
    /// exact, variant, alias or typo.
    pub how: How,
    /// The query word it stands for, as typed.
    pub via: String,
    /// Matching passages that hold it.
    pub passages: u64,
}

impl Summary {
    pub fn new(query: &str, totals: &Totals) -> Summary {
        Summary {
            query: query.to_string(),
            passages: totals.passages,
            articles: totals.articles,
            spellings: totals
                .spellings
                .iter()
                .map(|s| Spelling {
                    spelling: s.spelling.clone(),
                    how: s.how,
                    via: s.query.clone(),
                    passages: s.passages,
                })
                .collect(),
            scoring_only: totals.scoring_only.clone(),
        }
    }
}

/// The `--json` line that closes each query's hits.
#[derive(Serialize)]
pub struct SummaryLine<'a> {
    pub summary: &'a Summary,
}

/// A whole article with the matches of a query (`recoupe show --json`).
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Article {
    pub doc: String,
    pub title: String,
    pub date: Option<String>,
    pub source: String,
    pub url: String,
    pub path: String,
    /// Matches in the title, byte offsets into it.
    pub title_matches: Vec<search::Match>,
    /// Every passage in reading order.
    pub passages: Vec<ArticlePassage>,
    /// Matches over all passages, a name matched word by word counting
    /// once ([`merged_spans`]).
    pub total_matches: usize,
}

/// One passage of an [`Article`].
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct ArticlePassage {
    pub passage: u64,
    pub text: String,
    /// Matches in `text`, byte offsets into it.
    pub matches: Vec<search::Match>,
}

impl Article {
    pub fn new(a: &search::Article) -> Article {
        Article {
            doc: a.doc.clone(),
            title: a.title.clone(),
            date: a.date.clone(),
            source: a.source.clone(),
            url: a.url.clone(),
            path: a.path.clone(),
            title_matches: a.title_matches.clone(),
            passages: a
                .passages
                .iter()
                .map(|p| ArticlePassage {
                    passage: p.passage,
                    text: p.text.clone(),
                    matches: p.matches.clone(),
                })
                .collect(),
            total_matches: a
                .passages
                .iter()
                .map(|p| merged_spans(&p.text, &p.matches).len())
                .sum(),
        }
    }
}

/// The columns of `--format csv`, one row per hit.
pub const CSV_COLUMNS: [&str; 9] = [
    "query",
    "rank",
    "doc",
    "date",
    "source",
    "title",
    "url",
    "spellings",
    "snippet",
];

impl Hit {
    /// The distinct spellings of the passage that matched, as written: a
    /// name's words matched one by one read as one (`al-Charaa`, `Ahmad
    /// al-Charaa`), joined across spaces, hyphens and apostrophes.
    pub fn spellings(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for (s, e) in merged_spans(&self.text, &self.matches) {
            if let Some(t) = self.text.get(s..e) {
                if !out.iter().any(|o| o == t) {
                    out.push(t.to_string());
                }
            }
        }
        out
    }

    /// This hit's CSV row, in [`CSV_COLUMNS`] order (spellings joined by
    /// `; `).
    pub fn csv_row(&self) -> [String; 9] {
        [
            self.query.clone(),
            self.rank.to_string(),
            self.doc.clone(),
            self.date.clone().unwrap_or_default(),
            self.source.clone(),
            self.title.clone(),
            self.url.clone(),
            self.spellings().join("; "),
            self.snippet.clone(),
        ]
    }
}

/// One CSV field: quoted when it holds a comma, quote or line break (RFC
/// 4180), and prefixed with `'` when a spreadsheet would take it for a
/// formula (`=`, `+`, `-`, `@` first).
pub fn csv_field(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_string()
    };
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

/// One CSV line (with its `\r\n`).
pub fn csv_line<S: AsRef<str>>(fields: &[S]) -> String {
    let mut line = fields
        .iter()
        .map(|f| csv_field(f.as_ref()))
        .collect::<Vec<_>>()
        .join(",");
    line.push_str("\r\n");
    line
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn csv_quotes_what_needs_it_and_defuses_formulas() {
        assert_eq!(csv_field("Damas"), "Damas");
        assert_eq!(csv_field("Damas, Syrie"), "\"Damas, Syrie\"");
        assert_eq!(csv_field("le \"raïs\""), "\"le \"\"raïs\"\"\"");
        assert_eq!(csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_field("-Damas"), "'-Damas");
        assert_eq!(csv_line(&["a", "b,c"]), "a,\"b,c\"\r\n");
    }

    /// Reads one CSV line back (quoted fields, doubled quotes).
    fn parse(line: &str) -> Vec<String> {
        let mut fields = vec![String::new()];
        let mut quoted = false;
        let mut chars = line.strip_suffix("\r\n").unwrap().chars().peekable();
        while let Some(c) = chars.next() {
            match (c, quoted) {
                ('"', true) if chars.peek() == Some(&'"') => {
                    chars.next();
                    fields.last_mut().unwrap().push('"');
                }
                ('"', _) => quoted = !quoted,
                (',', false) => fields.push(String::new()),
                (c, _) => fields.last_mut().unwrap().push(c),
            }
        }
        fields
    }

    proptest! {
        #[test]
        fn any_fields_read_back(fields in proptest::collection::vec(any::<String>(), 1..6)) {
            let back = parse(&csv_line(&fields));
            let expected: Vec<String> = fields
                .iter()
                .map(|f| if f.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{f}") } else { f.clone() })
                .collect();
            prop_assert_eq!(back, expected);
        }
    }
}
