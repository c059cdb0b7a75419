//! Ranking passages: more query words matched first, then the query's names
//! whose words stand together, then BM25, then newest.
//!
//! A collector that, for every matching passage, counts how many of the
//! query's words it matches (with one cheap cursor per word, moved forward
//! only), and keeps the best `limit` by (words matched, score, date). This is
//! the order of web search engines and Meilisearch: a passage that names
//! every thing asked for beats one that repeats a single word.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::query::{Scorer, Weight};
use tantivy::{DocAddress, DocId, DocSet, Score, SegmentOrdinal, SegmentReader};

/// The sort key of a passage.
#[derive(Clone, Copy, Debug)]
pub struct Key {
    pub matched: u32,
    /// Names of the query (runs of capitalised words) whose words stand
    /// together in the passage.
    pub together: u32,
    pub score: Score,
    /// Seconds since the epoch; `i64::MIN` when the article has no date.
    pub date: i64,
}

impl PartialEq for Key {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Key {}
impl PartialOrd for Key {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Key {
    fn cmp(&self, other: &Self) -> Ordering {
        self.matched
            .cmp(&other.matched)
            .then(self.together.cmp(&other.together))
            .then(self.score.total_cmp(&other.score))
            .then(self.date.cmp(&other.date))
    }
}

/// A ranked passage.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ranked {
    pub key: Key,
    pub address: DocAddress,
}

impl Ord for Ranked {
    /// Greater is better; on equal keys, the lower address wins (stable order).
    fn cmp(&self, other: &Self) -> Ordering {
        self.key
            .cmp(&other.key)
            .then_with(|| other.address.cmp(&self.address))
    }
}
impl PartialOrd for Ranked {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Collects the best passages of a query.
pub struct Ranker {
    /// One weight per positive query word, scoring disabled: only for counting.
    pub words: Vec<Box<dyn Weight>>,
    /// One weight per name of the query, matching where its words stand
    /// together (scoring disabled).
    pub together: Vec<Box<dyn Weight>>,
    pub limit: usize,
    pub date_field: String,
}

pub struct SegmentRanker {
    segment: SegmentOrdinal,
    words: Vec<Box<dyn Scorer>>,
    together: Vec<Box<dyn Scorer>>,
    dates: Option<Column<tantivy::DateTime>>,
    /// Min-heap of the best so far (reversed order).
    best: BinaryHeap<std::cmp::Reverse<Ranked>>,
    limit: usize,
}

impl Collector for Ranker {
    type Fruit = Vec<Ranked>;
    type Child = SegmentRanker;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegmentRanker> {
        let words = self
            .words
            .iter()
            .map(|w| w.scorer(reader, 1.0))
            .collect::<tantivy::Result<Vec<_>>>()?;
        let together = self
            .together
            .iter()
            .map(|w| w.scorer(reader, 1.0))
            .collect::<tantivy::Result<Vec<_>>>()?;
        let dates = reader.fast_fields().date(&self.date_field).ok();
        Ok(SegmentRanker {
            segment,
            words,
            together,
            dates,
            best: BinaryHeap::with_capacity(self.limit + 1),
            limit: self.limit,
        })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(&self, fruits: Vec<Vec<Ranked>>) -> tantivy::Result<Vec<Ranked>> {
        let mut all: Vec<Ranked> = fruits.into_iter().flatten().collect();
        all.sort_unstable_by(|a, b| b.cmp(a));
        all.truncate(self.limit);
        Ok(all)
    }
}

impl SegmentCollector for SegmentRanker {
    type Fruit = Vec<Ranked>;

    fn collect(&mut self, doc: DocId, score: Score) {
        if self.limit == 0 {
            return;
        }
        let count = |scorers: &mut Vec<Box<dyn Scorer>>| {
            let mut n = 0;
            for w in scorers.iter_mut() {
                if w.doc() < doc {
                    w.seek(doc);
                }
                if w.doc() == doc {
                    n += 1;
                }
            }
            n
        };
        let matched = count(&mut self.words);
        let together = count(&mut self.together);
        let date = self
            .dates
            .as_ref()
            .and_then(|c| c.first(doc))
            .map_or(i64::MIN, |d| d.into_timestamp_secs());
        let ranked = Ranked {
            key: Key {
                matched,
                together,
                score,
                date,
            },
            address: DocAddress::new(self.segment, doc),
        };
        if self.best.len() < self.limit {
            self.best.push(std::cmp::Reverse(ranked));
        } else if let Some(worst) = self.best.peek() {
            if ranked > worst.0 {
                self.best.pop();
                self.best.push(std::cmp::Reverse(ranked));
            }
        }
    }

    fn harvest(self) -> Vec<Ranked> {
        self.best.into_iter().map(|r| r.0).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(matched: u32, score: f32, date: i64) -> Key {
        Key {
            matched,
            together: 0,
            score,
            date,
        }
    }

    #[test]
    fn more_words_beat_higher_scores_and_dates_break_ties() {
        assert!(key(2, 0.1, 0) > key(1, 99.0, 100));
        assert!(key(1, 2.0, 0) > key(1, 1.0, 100));
        assert!(key(1, 1.0, 100) > key(1, 1.0, 0));
        assert!(key(1, 1.0, 0) > key(1, 1.0, i64::MIN));
    }
}
