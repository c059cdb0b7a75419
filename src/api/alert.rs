//! What the watchlist caught: one [`Alert`] per new passage matching a
//! watched query, written as one JSON line by `recoupe index --alerts` and
//! kept in the index folder's alerts log (`recoupe watch report`).

use serde::{Deserialize, Serialize};

use super::Mark;
use crate::search::{self, plan::How};

/// A new passage that a watched query matches.
///
/// `run` comes first in the JSON line, so that a log can be read back by
/// run without parsing each line whole.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Alert {
    /// The indexer run whose commit brought the passage (counted from 1 in
    /// the index's life, carried over by rebuilds).
    pub run: u64,
    /// When that run committed, RFC 3339 (UTC).
    pub caught: String,
    /// The watched query, as the watchlist holds it.
    pub watch: String,
    /// Its label, or null.
    pub label: Option<String>,
    /// The article's id (or, without one, its file and line).
    pub doc: String,
    /// The passage's number in its article, from 0.
    pub passage: u64,
    pub title: String,
    /// `YYYY-MM-DD`, or null when the article has no date.
    pub date: Option<String>,
    pub source: String,
    pub url: String,
    /// The best fragment of the passage, as search shows it.
    pub snippet: String,
    /// Each match in `snippet`, byte offsets into it.
    pub snippet_marks: Vec<Mark>,
    /// Each match in `title`, byte offsets into it.
    pub title_marks: Vec<Mark>,
    /// Each match in the passage's text: the words as written, the query
    /// word it answers, how and through which spelling.
    pub matches: Vec<search::Match>,
}

impl Alert {
    /// The alert of `hit`, a passage that the watched `query` matched in
    /// run `run`, committed at `caught`.
    pub fn new(
        run: u64,
        caught: &str,
        query: &str,
        label: Option<&str>,
        hit: &search::Hit,
    ) -> Alert {
        let shown = super::Hit::new(query, hit);
        Alert {
            run,
            caught: caught.to_string(),
            watch: query.to_string(),
            label: label.map(str::to_string),
            doc: shown.doc,
            passage: shown.passage,
            title: shown.title,
            date: shown.date,
            source: shown.source,
            url: shown.url,
            snippet: shown.snippet,
            snippet_marks: shown.snippet_marks,
            title_marks: shown.title_marks,
            matches: shown.matches,
        }
    }

    /// What reports call its watch: the label, else the query.
    pub fn name(&self) -> &str {
        self.label.as_deref().unwrap_or(&self.watch)
    }

    /// The spellings it matched through, as the snippet and title write
    /// them: the words of one name matched one by one (`el`, `Chareh`)
    /// joined as a reader reads them (`el-Chareh`), each with the furthest
    /// way one of its words matched; in order, without repeats (case and
    /// accents aside).
    pub fn spellings(&self) -> Vec<(String, How)> {
        let fold = crate::analysis::fold::fold_str;
        let mut out: Vec<(String, How)> = Vec::new();
        for (shown, marks) in [
            (&self.snippet, &self.snippet_marks),
            (&self.title, &self.title_marks),
        ] {
            let mut sorted: Vec<&Mark> = marks.iter().collect();
            sorted.sort_by_key(|m| (m.start, m.end));
            let mut runs: Vec<(usize, usize, How)> = Vec::new();
            for m in sorted {
                match runs.last_mut() {
                    Some(last)
                        if m.start <= last.1
                            || shown.get(last.1..m.start).is_some_and(super::joins_words) =>
                    {
                        last.1 = last.1.max(m.end);
                        last.2 = last.2.max(m.how);
                    }
                    _ => runs.push((m.start, m.end, m.how)),
                }
            }
            for (start, end, how) in runs {
                let Some(text) = shown.get(start..end) else {
                    continue;
                };
                if !out.iter().any(|(s, _)| fold(s) == fold(text)) {
                    out.push((text.to_string(), how));
                }
            }
        }
        out
    }
}

/// A spelling a watch caught, and in how many of its alerts.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct SpellingSeen {
    /// As the passage (or title) writes it.
    pub spelling: String,
    pub how: How,
    pub passages: u64,
}

/// What one watched query caught (`recoupe watch report`).
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct WatchReport {
    pub watch: String,
    pub label: Option<String>,
    /// Alerts (passages) and distinct articles.
    pub passages: u64,
    pub articles: u64,
    /// When the newest alert was caught.
    pub last_caught: String,
    /// Spellings met, most alerts first (case and accents aside).
    pub spellings: Vec<SpellingSeen>,
    /// The alerts, newest caught first (then newest article).
    pub alerts: Vec<Alert>,
}

/// The alerts `alerts` grouped by watched query (case and accents aside),
/// the watch caught most recently first.
pub fn report(alerts: Vec<Alert>) -> Vec<WatchReport> {
    let fold = crate::analysis::fold::fold_str;
    let mut groups: Vec<WatchReport> = Vec::new();
    let mut at: std::collections::HashMap<String, usize> = Default::default();
    for alert in alerts {
        let key = fold(&alert.watch);
        let i = *at.entry(key).or_insert_with(|| {
            groups.push(WatchReport {
                watch: alert.watch.clone(),
                label: alert.label.clone(),
                passages: 0,
                articles: 0,
                last_caught: String::new(),
                spellings: Vec::new(),
                alerts: Vec::new(),
            });
            groups.len() - 1
        });
        let group = &mut groups[i];
        // The newest alert's label is the watch's name now.
        group.label = alert.label.clone();
        group.alerts.push(alert);
    }
    for g in &mut groups {
        g.alerts.sort_by(|a, b| {
            (&b.caught, b.run, &b.date, &a.doc, a.passage)
                .cmp(&(&a.caught, a.run, &a.date, &b.doc, b.passage))
        });
        g.passages = g.alerts.len() as u64;
        let docs: std::collections::HashSet<&str> =
            g.alerts.iter().map(|a| a.doc.as_str()).collect();
        g.articles = docs.len() as u64;
        g.last_caught = g
            .alerts
            .first()
            .map(|a| a.caught.clone())
            .unwrap_or_default();
        let mut seen: Vec<SpellingSeen> = Vec::new();
        for a in &g.alerts {
            for (spelling, how) in a.spellings() {
                match seen
                    .iter_mut()
                    .find(|s| fold(&s.spelling) == fold(&spelling))
                {
                    Some(s) => s.passages += 1,
                    None => seen.push(SpellingSeen {
                        spelling,
                        how,
                        passages: 1,
                    }),
                }
            }
        }
        seen.sort_by(|a, b| b.passages.cmp(&a.passages).then_with(|| a.how.cmp(&b.how)));
        g.spellings = seen;
    }
    groups.sort_by(|a, b| {
        b.last_caught
            .cmp(&a.last_caught)
            .then_with(|| a.watch.cmp(&b.watch))
    });
    groups
}

/// The CSV columns of an alert row.
pub const CSV_COLUMNS: [&str; 11] = [
    "caught",
    "run",
    "watch",
    "label",
    "doc",
    "passage",
    "date",
    "source",
    "title",
    "spellings",
    "snippet",
];

impl Alert {
    /// The alert as a CSV row ([`CSV_COLUMNS`]).
    pub fn csv_row(&self) -> [String; 11] {
        let spellings: Vec<String> = self
            .spellings()
            .into_iter()
            .map(|(s, how)| format!("{s} ({})", how.as_str()))
            .collect();
        [
            self.caught.clone(),
            self.run.to_string(),
            self.watch.clone(),
            self.label.clone().unwrap_or_default(),
            self.doc.clone(),
            self.passage.to_string(),
            self.date.clone().unwrap_or_default(),
            self.source.clone(),
            self.title.clone(),
            spellings.join("; "),
            self.snippet.clone(),
        ]
    }
}
