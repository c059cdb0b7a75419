//! The answers of the HTTP API (`recoupe serve`), built from the same
//! [`super::Hit`], [`super::Spelling`] and [`super::Article`] as the CLI's.

use serde::Serialize;

use super::{csv_line, Hit, Spelling, Summary, VERSION};
use crate::search::{self, Answer};

/// `GET /api/search`.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct SearchResponse {
    pub version: u32,
    pub query: String,
    /// Matching passages and articles, filters applied.
    pub total_passages: u64,
    pub total_articles: u64,
    pub offset: usize,
    pub limit: usize,
    pub hits: Vec<Hit>,
    pub facets: Facets,
    /// The spellings found among the matches, with their passages.
    pub spellings: Vec<Spelling>,
    /// The spellings the request left out (`xspell`), as given.
    pub excluded_spellings: Vec<String>,
    /// Query words too common to find passages alone (see
    /// [`Summary::scoring_only`]).
    pub scoring_only: Vec<String>,
}

/// Matching passages by source and by month.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Facets {
    /// Most passages first.
    pub sources: Vec<SourceCount>,
    /// In order; undated passages are not counted.
    pub months: Vec<MonthCount>,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct SourceCount {
    pub name: String,
    pub count: u64,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct MonthCount {
    /// `YYYY-MM`.
    pub month: String,
    pub count: u64,
}

impl SearchResponse {
    pub fn new(query: &str, options: &search::SearchOptions, answer: &Answer) -> Self {
        let summary = Summary::new(query, &answer.totals);
        let t = &answer.totals;
        SearchResponse {
            version: VERSION,
            query: query.to_string(),
            total_passages: t.passages,
            total_articles: t.articles,
            offset: options.offset,
            limit: options.limit,
            hits: answer.hits.iter().map(|h| Hit::new(query, h)).collect(),
            facets: Facets {
                sources: t
                    .sources
                    .iter()
                    .map(|(name, count)| SourceCount {
                        name: name.clone(),
                        count: *count,
                    })
                    .collect(),
                months: t
                    .months
                    .iter()
                    .map(|(month, count)| MonthCount {
                        month: month.clone(),
                        count: *count,
                    })
                    .collect(),
            },
            spellings: summary.spellings,
            excluded_spellings: options.exclude_spellings.clone(),
            scoring_only: summary.scoring_only,
        }
    }
}

/// `POST /api/batch`: one row per name given, in order, those that found
/// nothing included.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct BatchResponse {
    pub version: u32,
    pub names: Vec<BatchRow>,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct BatchRow {
    pub name: String,
    pub passages: u64,
    pub articles: u64,
    pub spellings: Vec<Spelling>,
    pub first_date: Option<String>,
    pub last_date: Option<String>,
    /// The best hits (at most [`BATCH_HITS`]).
    pub hits: Vec<Hit>,
}

/// Hits shown per name of a batch.
pub const BATCH_HITS: usize = 3;

/// The columns of a batch as CSV.
pub const BATCH_CSV_COLUMNS: [&str; 9] = [
    "name",
    "passages",
    "articles",
    "first_date",
    "last_date",
    "spellings",
    "top_doc",
    "top_title",
    "top_url",
];

impl BatchRow {
    pub fn new(name: &str, answer: &Answer) -> Self {
        let t = &answer.totals;
        BatchRow {
            name: name.to_string(),
            passages: t.passages,
            articles: t.articles,
            spellings: Summary::new(name, t).spellings,
            first_date: t.first_date.clone(),
            last_date: t.last_date.clone(),
            hits: answer.hits.iter().map(|h| Hit::new(name, h)).collect(),
        }
    }

    /// This row as CSV, in [`BATCH_CSV_COLUMNS`] order (spellings as
    /// `spelling (passages)`, joined by `; `).
    pub fn csv(&self) -> String {
        let top = self.hits.first();
        let spellings: Vec<String> = self
            .spellings
            .iter()
            .map(|s| format!("{} ({})", s.spelling, s.passages))
            .collect();
        csv_line(&[
            self.name.clone(),
            self.passages.to_string(),
            self.articles.to_string(),
            self.first_date.clone().unwrap_or_default(),
            self.last_date.clone().unwrap_or_default(),
            spellings.join("; "),
            top.map(|h| h.doc.clone()).unwrap_or_default(),
            top.map(|h| h.title.clone()).unwrap_or_default(),
            top.map(|h| h.url.clone()).unwrap_or_default(),
        ])
    }
}

/// `GET /api/variants`.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct VariantsResponse {
    pub version: u32,
    pub query: String,
    pub variants: Vec<search::Variant>,
}

/// `GET /health`.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Health {
    pub status: &'static str,
    /// The index generation searched (`g00000002`).
    pub generation: String,
    /// When that generation's last commit was written (RFC 3339, UTC).
    pub last_commit: Option<String>,
    pub passages: u64,
}

/// Every API error: `{"error": {"status": 400, "message": "…"}}`.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct ErrorResponse {
    pub error: ErrorBody,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct ErrorBody {
    pub status: u16,
    pub message: String,
}

impl ErrorResponse {
    pub fn new(status: u16, message: impl Into<String>) -> Self {
        ErrorResponse {
            error: ErrorBody {
                status,
                message: message.into(),
            },
        }
    }
}
