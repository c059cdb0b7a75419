//! The collect stage: for every matching passage, a cheap key, and the
//! best candidates by it.
//!
//! For each passage the collector counts, with one forward-only cursor per
//! query word, how many of the query's words it matches (in any way, and
//! as written: exact or stem) and how many of the query's names stand
//! together, and keeps the best candidates in the order [`KeyOrder`] says
//! (the leading fields of the policy's [`super::compare`]).
//!
//! It also counts, over every matching passage, what the answer's totals
//! say ([`Tally`]): passages, distinct articles (by the `record` fast
//! field, the record's dense number, set in one bitset across segments,
//! since a record's passages may lie in several), and passages holding
//! each spelling the caller asks about; when asked, the facets: matching
//! passages by source (the `source_key` fast field's term ordinals,
//! counted per segment and named once at the end) and by month of the
//! article's date.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BinaryHeap, HashMap};

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::query::{Scorer, Weight};
use tantivy::{DocAddress, DocId, DocSet, Score, SegmentOrdinal, SegmentReader};

use crate::search::columns::Columns;

/// What the collector knows of a passage.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Key {
    /// Distinctive query words matched, in any way.
    pub matched: u32,
    /// Distinctive query words matched as written (exact or stem).
    pub literal: u32,
    /// Names of the query (runs of capitalised words) whose words stand
    /// together in the passage.
    pub together: u32,
    /// BM25, alternatives weighted.
    pub score: Score,
    /// Seconds since the epoch; `i64::MIN` when the article has no date.
    pub date: i64,
}

impl Default for Key {
    fn default() -> Self {
        Key {
            matched: 0,
            literal: 0,
            together: 0,
            score: 0.0,
            date: i64::MIN,
        }
    }
}

/// Which fields of [`Key`] order candidates, before the score.
#[derive(Clone, Copy, Debug, Default)]
pub struct KeyOrder {
    /// Newest first, before anything else (`--sort date`).
    pub date_first: bool,
    pub literal: bool,
    pub matched: bool,
    pub together: bool,
}

impl KeyOrder {
    /// `Greater` when `a` is the better candidate.
    pub fn cmp(&self, a: &Key, b: &Key) -> Ordering {
        self.cmp_counting(a.score, a.date, |part| a.part(part), b)
    }

    /// The order of a passage scoring `score` on `date` against `b`, the
    /// counted parts of the passage asked from `count` one at a time, only
    /// as far as the comparison reaches.
    fn cmp_counting(
        &self,
        score: Score,
        date: i64,
        mut count: impl FnMut(Part) -> u32,
        b: &Key,
    ) -> Ordering {
        if self.date_first && date != b.date {
            return date.cmp(&b.date);
        }
        for (on, part) in [
            (self.literal, Part::Literal),
            (self.matched, Part::Matched),
            (self.together, Part::Together),
        ] {
            if on {
                let o = count(part).cmp(&b.part(part));
                if o != Ordering::Equal {
                    return o;
                }
            }
        }
        score.total_cmp(&b.score).then(date.cmp(&b.date))
    }
}

impl Key {
    fn part(&self, part: Part) -> u32 {
        match part {
            Part::Literal => self.literal,
            Part::Matched => self.matched,
            Part::Together => self.together,
        }
    }
}

/// A counted part of a [`Key`], computed only when a comparison needs it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    Literal,
    Matched,
    Together,
}

impl KeyOrder {
    /// Whether a passage scoring `score` on `date` ranks above `worst`, a
    /// passage met before it in the same segment (so `worst` wins ties, as
    /// the lower address), asking `count` only for the parts of its key the
    /// comparison reaches: most passages of a large answer are turned away
    /// by their first differing part, before their other words are counted.
    /// `most` is the highest count each part can reach (by [`Part`]): when
    /// `worst` already has it on every part the order uses, the passage can
    /// at best tie on them, and its score and date decide before anything
    /// is counted.
    pub fn beats(
        &self,
        worst: &Key,
        score: Score,
        date: i64,
        most: [u32; 3],
        count: impl FnMut(Part) -> u32,
    ) -> bool {
        if self.date_first && date != worst.date {
            return date > worst.date;
        }
        let topped = [
            (self.literal, Part::Literal),
            (self.matched, Part::Matched),
            (self.together, Part::Together),
        ]
        .into_iter()
        .all(|(on, part)| !on || worst.part(part) >= most[part as usize]);
        if topped && score.total_cmp(&worst.score).then(date.cmp(&worst.date)) != Ordering::Greater
        {
            return false;
        }
        self.cmp_counting(score, date, count, worst) == Ordering::Greater
    }
}

/// A collected passage.
#[derive(Clone, Copy, Debug)]
pub struct Ranked {
    pub key: Key,
    pub address: DocAddress,
    order: KeyOrder,
}

impl PartialEq for Ranked {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Ranked {}
impl Ord for Ranked {
    /// Greater is better; on equal keys, the lower address wins (stable order).
    fn cmp(&self, other: &Self) -> Ordering {
        self.order
            .cmp(&self.key, &other.key)
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
    /// One weight per counted query word, scoring disabled: only for counting.
    pub words: Vec<Box<dyn Weight>>,
    /// The same words through their exact and stem alternatives only.
    pub literal: Vec<Box<dyn Weight>>,
    /// One weight per name of the query, matching where its words stand
    /// together (scoring disabled).
    pub together: Vec<Box<dyn Weight>>,
    pub limit: usize,
    pub order: KeyOrder,
    /// One weight per spelling to count (scoring disabled).
    pub spellings: Vec<Box<dyn Weight>>,
    /// The record, date and source columns of every segment.
    pub columns: std::sync::Arc<Columns>,
    /// Whether the facets (sources, months) are counted.
    pub facets: bool,
    /// When the query is restricted to a range of record numbers: segments
    /// whose records all lie outside it are skipped before any of their
    /// postings is read (a run's new records are in its own segments).
    pub records: Option<std::ops::Range<u64>>,
}

/// Record numbers beyond this are not counted (a damaged index): the
/// bitset stays under 256 MiB whatever the field holds. Numbers grow by one
/// per record written, so an index reaches it only after two billion
/// writes without a full rebuild.
const MAX_RECORDS: u64 = 1 << 31;

/// Counts over every passage the query matches.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    pub passages: u64,
    pub articles: u64,
    /// Matching passages holding each of [`Ranker::spellings`], in order.
    pub spellings: Vec<u64>,
    /// With facets: matching passages by source, most first (then by
    /// name); passages without a source are not counted.
    pub sources: Vec<(String, u64)>,
    /// With facets: matching passages by month of their article's date,
    /// `(year, month)` in order; undated passages are not counted.
    pub months: Vec<((i32, u32), u64)>,
    /// The earliest and latest dates among the matching passages, seconds
    /// since the epoch (`None` when none is dated).
    pub dates: Option<(i64, i64)>,
}

/// A segment's counts.
#[derive(Default)]
pub struct SegmentTally {
    passages: u64,
    /// Record numbers met.
    records: Records,
    spellings: Vec<u64>,
    /// Passages by the segment's source term ordinal, then named.
    source_ords: Vec<u64>,
    sources: Vec<(String, u64)>,
    /// Passages by month number (`year * 12 + month - 1`).
    months: BTreeMap<i64, u64>,
    dates: Option<(i64, i64)>,
}

/// What the collector returns: the best candidates and the counts.
pub struct Collected {
    pub best: Vec<Ranked>,
    pub tally: Tally,
}

pub struct SegmentRanker {
    segment: SegmentOrdinal,
    words: Vec<Box<dyn Scorer>>,
    literal: Vec<Box<dyn Scorer>>,
    together: Vec<Box<dyn Scorer>>,
    spellings: Vec<Box<dyn Scorer>>,
    /// The doc each spelling cursor is on, kept beside it so that the
    /// passages it cannot match cost one comparison, not a call.
    spelling_at: Vec<DocId>,
    /// The lowest of them: passages before it hold no counted spelling.
    next_spelling: DocId,
    dates: Option<Column<tantivy::DateTime>>,
    /// The record numbers, read without the column's index when every
    /// passage has one (always, but for a damaged segment).
    records: Option<RecordColumn>,
    /// With facets: the source column, and the last date's month (a
    /// record's passages share their date).
    sources: Option<StrColumn>,
    facets: bool,
    last_month: Option<(i64, i64)>,
    /// The last record number met (a record's passages are mostly
    /// consecutive) and its date, and the counts.
    last_record: Option<u64>,
    last_date: i64,
    tally: SegmentTally,
    /// Min-heap of the best so far (reversed order).
    best: BinaryHeap<std::cmp::Reverse<Ranked>>,
    limit: usize,
    order: KeyOrder,
}

fn scorers(
    weights: &[Box<dyn Weight>],
    reader: &SegmentReader,
) -> tantivy::Result<Vec<Box<dyn Scorer>>> {
    weights.iter().map(|w| w.scorer(reader, 1.0)).collect()
}

impl Collector for Ranker {
    type Fruit = Collected;
    type Child = SegmentRanker;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegmentRanker> {
        let columns = self.columns.segment(segment);
        let dates = columns.and_then(|c| c.dates.clone());
        let records = columns
            .and_then(|c| c.records.clone())
            .map(RecordColumn::new);
        let sources = columns
            .filter(|_| self.facets)
            .and_then(|c| c.sources.clone());
        let source_ords = vec![0; sources.as_ref().map_or(0, |c| c.num_terms())];
        Ok(SegmentRanker {
            segment,
            words: scorers(&self.words, reader)?,
            literal: scorers(&self.literal, reader)?,
            together: scorers(&self.together, reader)?,
            spellings: scorers(&self.spellings, reader)?,
            spelling_at: Vec::new(),
            next_spelling: 0,
            dates,
            records,
            sources,
            facets: self.facets,
            last_month: None,
            last_record: None,
            last_date: i64::MIN,
            tally: SegmentTally {
                spellings: vec![0; self.spellings.len()],
                source_ords,
                ..SegmentTally::default()
            },
            best: BinaryHeap::with_capacity(self.limit + 1),
            limit: self.limit,
            order: self.order,
        })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn collect_segment(
        &self,
        weight: &dyn Weight,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<(Vec<Ranked>, SegmentTally)> {
        if let Some(range) = &self.records {
            let records = self
                .columns
                .segment(segment)
                .and_then(|c| c.records.as_ref());
            let overlaps = records.is_some_and(|c| {
                c.num_docs() > 0 && c.min_value() < range.end && c.max_value() >= range.start
            });
            if !overlaps {
                return Ok((
                    Vec::new(),
                    SegmentTally {
                        spellings: vec![0; self.spellings.len()],
                        ..SegmentTally::default()
                    },
                ));
            }
        }
        let mut child = self.for_segment(segment, reader)?;
        match reader.alive_bitset() {
            Some(alive) => weight.for_each(reader, &mut |doc, score| {
                if alive.is_alive(doc) {
                    child.collect(doc, score);
                }
            })?,
            None => weight.for_each(reader, &mut |doc, score| child.collect(doc, score))?,
        }
        Ok(child.harvest())
    }

    fn merge_fruits(&self, fruits: Vec<(Vec<Ranked>, SegmentTally)>) -> tantivy::Result<Collected> {
        let mut best = Vec::new();
        let mut records = Records::default();
        let mut tally = Tally {
            spellings: vec![0; self.spellings.len()],
            ..Tally::default()
        };
        let mut sources: HashMap<String, u64> = HashMap::new();
        let mut months: BTreeMap<i64, u64> = BTreeMap::new();
        for (ranked, t) in fruits {
            best.extend(ranked);
            tally.passages += t.passages;
            for (name, n) in t.sources {
                *sources.entry(name).or_default() += n;
            }
            for (m, n) in t.months {
                *months.entry(m).or_default() += n;
            }
            tally.dates = match (tally.dates, t.dates) {
                (Some((a, b)), Some((c, d))) => Some((a.min(c), b.max(d))),
                (x, y) => x.or(y),
            };
            records.add(t.records);
            for (sum, n) in tally.spellings.iter_mut().zip(t.spellings) {
                *sum += n;
            }
        }
        tally.articles = records.count();
        tally.sources = sources.into_iter().collect();
        tally
            .sources
            .sort_unstable_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        tally.months = months
            .into_iter()
            .map(|(m, n)| ((m.div_euclid(12) as i32, m.rem_euclid(12) as u32 + 1), n))
            .collect();
        best.sort_unstable_by(|a, b| b.cmp(a));
        best.truncate(self.limit);
        Ok(Collected { best, tally })
    }
}

/// A segment's record numbers, read straight from the column's values
/// when every passage has one.
struct RecordColumn {
    column: Column<u64>,
    full: bool,
}

impl RecordColumn {
    fn new(column: Column<u64>) -> RecordColumn {
        let full = column.get_cardinality() == tantivy::columnar::Cardinality::Full;
        RecordColumn { column, full }
    }

    #[inline]
    fn get(&self, doc: DocId) -> Option<u64> {
        if self.full {
            Some(self.column.values.get_val(doc))
        } else {
            self.column.first(doc)
        }
    }
}

/// Records met: a bitset in blocks of [`BLOCK_RECORDS`] numbers, a block
/// allocated when a record of it is first met. A query matching a few
/// passages sets a few blocks; one matching most of the index, at most a
/// bit per record of the index (72 KiB at half a million articles), where a
/// list of every record met grew to megabytes.
#[derive(Default)]
struct Records {
    blocks: Vec<Option<Box<[u64; BLOCK_WORDS]>>>,
}

/// Words of a [`Records`] block.
const BLOCK_WORDS: usize = 64;
/// Record numbers of a [`Records`] block.
const BLOCK_RECORDS: u64 = 64 * BLOCK_WORDS as u64;

impl Records {
    #[inline]
    fn insert(&mut self, record: u64) {
        if record >= MAX_RECORDS {
            return;
        }
        let block = (record / BLOCK_RECORDS) as usize;
        if block >= self.blocks.len() {
            self.blocks.resize(block + 1, None);
        }
        let bits = self.blocks[block].get_or_insert_with(|| Box::new([0; BLOCK_WORDS]));
        let i = record % BLOCK_RECORDS;
        bits[(i / 64) as usize] |= 1 << (i % 64);
    }

    /// Adds the records of `other`.
    fn add(&mut self, other: Records) {
        if self.blocks.len() < other.blocks.len() {
            self.blocks.resize(other.blocks.len(), None);
        }
        for (mine, theirs) in self.blocks.iter_mut().zip(other.blocks) {
            match (mine.as_mut(), theirs) {
                (_, None) => {}
                (None, Some(theirs)) => *mine = Some(theirs),
                (Some(mine), Some(theirs)) => {
                    for (a, b) in mine.iter_mut().zip(theirs.iter()) {
                        *a |= b;
                    }
                }
            }
        }
    }

    /// How many records were met.
    fn count(&self) -> u64 {
        self.blocks
            .iter()
            .flatten()
            .flat_map(|b| b.iter())
            .map(|w| u64::from(w.count_ones()))
            .sum()
    }
}

/// How many of `scorers` match `doc` (each moved forward only).
fn count(scorers: &mut [Box<dyn Scorer>], doc: DocId) -> u32 {
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
}

impl SegmentCollector for SegmentRanker {
    type Fruit = (Vec<Ranked>, SegmentTally);

    fn collect(&mut self, doc: DocId, score: Score) {
        self.tally.passages += 1;
        let record = self.records.as_ref().and_then(|c| c.get(doc));
        // A record's passages share its date: read once per run of them.
        let date = match record {
            Some(r) if self.last_record == Some(r) => self.last_date,
            _ => {
                let date = self
                    .dates
                    .as_ref()
                    .and_then(|c| c.first(doc))
                    .map_or(i64::MIN, |d| d.into_timestamp_secs());
                if let Some(r) = record {
                    self.last_record = Some(r);
                    self.last_date = date;
                    self.tally.records.insert(r);
                }
                date
            }
        };
        if self.spelling_at.len() != self.spellings.len() {
            self.spelling_at = self.spellings.iter().map(|s| s.doc()).collect();
        }
        if doc >= self.next_spelling {
            let mut next = tantivy::TERMINATED;
            for (i, at) in self.spelling_at.iter_mut().enumerate() {
                if *at < doc {
                    *at = self.spellings[i].seek(doc);
                }
                if *at == doc {
                    self.tally.spellings[i] += 1;
                }
                next = next.min(*at);
            }
            self.next_spelling = next;
        }
        if date != i64::MIN {
            self.tally.dates = Some(match self.tally.dates {
                Some((first, last)) => (first.min(date), last.max(date)),
                None => (date, date),
            });
        }
        if self.facets {
            self.count_facets(doc, date);
        }
        if self.limit == 0 {
            return;
        }
        // Counts asked for by the comparison with the worst kept passage.
        let mut known = [None; 3];
        let full = self.best.len() >= self.limit;
        if let Some(worst) = self.best.peek().filter(|_| full) {
            let worst = worst.0.key;
            let (words, literal, together) =
                (&mut self.words, &mut self.literal, &mut self.together);
            let most = [literal.len(), words.len(), together.len()].map(|n| n as u32);
            let beats = self.order.beats(&worst, score, date, most, |part| {
                let n = match part {
                    Part::Literal => count(literal, doc),
                    Part::Matched => count(words, doc),
                    Part::Together => count(together, doc),
                };
                known[part as usize] = Some(n);
                n
            });
            if !beats {
                return;
            }
        }
        let part = |p: Part, scorers: &mut [Box<dyn Scorer>]| {
            known[p as usize].unwrap_or_else(|| count(scorers, doc))
        };
        let ranked = Ranked {
            key: Key {
                literal: part(Part::Literal, &mut self.literal),
                matched: part(Part::Matched, &mut self.words),
                together: part(Part::Together, &mut self.together),
                score,
                date,
            },
            address: DocAddress::new(self.segment, doc),
            order: self.order,
        };
        if !full {
            self.best.push(std::cmp::Reverse(ranked));
        } else if let Some(mut worst) = self.best.peek_mut() {
            // The worst kept passage gives its place: one sift, not two.
            *worst = std::cmp::Reverse(ranked);
        }
    }

    fn harvest(mut self) -> (Vec<Ranked>, SegmentTally) {
        if let Some(column) = &self.sources {
            let mut name = String::new();
            for (ord, &n) in self.tally.source_ords.iter().enumerate() {
                if n > 0 && column.ord_to_str(ord as u64, &mut name).unwrap_or(false) {
                    self.tally.sources.push((std::mem::take(&mut name), n));
                }
            }
        }
        (self.best.into_iter().map(|r| r.0).collect(), self.tally)
    }
}

impl SegmentRanker {
    fn count_facets(&mut self, doc: DocId, date: i64) {
        if let Some(column) = &self.sources {
            if let Some(ord) = column.term_ords(doc).next() {
                if let Some(n) = self.tally.source_ords.get_mut(ord as usize) {
                    *n += 1;
                }
            }
        }
        if date == i64::MIN {
            return;
        }
        let month = match self.last_month {
            Some((d, m)) if d == date => m,
            _ => {
                let m = month_number(date);
                self.last_month = Some((date, m));
                m
            }
        };
        *self.tally.months.entry(month).or_default() += 1;
    }
}

/// `year * 12 + month - 1` of a time in seconds since the epoch (UTC);
/// 0 for a time chrono cannot hold (the index holds none).
fn month_number(secs: i64) -> i64 {
    use chrono::Datelike;
    chrono::DateTime::from_timestamp(secs, 0)
        .map_or(0, |d| i64::from(d.year()) * 12 + i64::from(d.month0()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(matched: u32, score: f32, date: i64) -> Key {
        Key {
            matched,
            score,
            date,
            ..Key::default()
        }
    }

    proptest::proptest! {
        /// Records met in several segments, in any order, near and far
        /// apart, count once each, as a set of the numbers would; numbers
        /// from [`MAX_RECORDS`] on are not counted.
        #[test]
        fn records_met_in_several_segments_count_once_each(
            segments in proptest::collection::vec(
                proptest::collection::vec(
                    proptest::prop_oneof![0u64..10_000, 0u64..(3 * MAX_RECORDS / 2)],
                    0..50,
                ),
                1..5,
            ),
        ) {
            let mut all = Records::default();
            let mut model = std::collections::BTreeSet::new();
            for met in &segments {
                let mut records = Records::default();
                for &r in met {
                    records.insert(r);
                    if r < MAX_RECORDS {
                        model.insert(r);
                    }
                }
                all.add(records);
            }
            proptest::prop_assert_eq!(all.count(), model.len() as u64);
            let blocks = all.blocks.iter().flatten().count() as u64;
            let needed = model.iter().map(|r| r / BLOCK_RECORDS).collect::<std::collections::BTreeSet<_>>();
            proptest::prop_assert_eq!(blocks, needed.len() as u64, "a block only where a record was met");
        }
    }

    #[test]
    fn months_of_dates_across_eras_and_leap_days() {
        let month = |y: i32, m: u32, d: u32| {
            let date = chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap();
            let secs = date.and_hms_opt(0, 0, 0).unwrap().and_utc().timestamp();
            let n = month_number(secs);
            (n.div_euclid(12) as i32, n.rem_euclid(12) as u32 + 1)
        };
        for (y, m, d) in [
            (1970, 1, 1),
            (2024, 2, 29),
            (2000, 3, 1),
            (1969, 12, 31),
            (1900, 2, 28),
            (2261, 12, 31),
            (1678, 1, 1),
        ] {
            assert_eq!(month(y, m, d), (y, m), "{y}-{m}-{d}");
        }
    }

    proptest::proptest! {
        /// Turning a passage away on the first part that differs, without
        /// counting the others, keeps exactly the passages that comparing
        /// whole keys (a tuple of the parts the order uses) keeps, and both
        /// [`KeyOrder::cmp`] and [`KeyOrder::beats`] say so.
        #[test]
        fn deciding_on_the_parts_asked_for_agrees_with_the_whole_key(
            flags in proptest::array::uniform4(proptest::bool::ANY),
            most in proptest::array::uniform3(0u32..3),
            worst in (0u32..3, 0u32..3, 0u32..3, 0u8..3, -1i64..2),
            ours in (0u32..3, 0u32..3, 0u32..3, 0u8..3, -1i64..2),
        ) {
            // No passage counts more than a part's highest.
            let within = |(literal, matched, together, score, date): (u32, u32, u32, u8, i64)| {
                (literal.min(most[0]), matched.min(most[1]), together.min(most[2]), score, date)
            };
            let (worst, ours) = (within(worst), within(ours));
            let order = KeyOrder {
                date_first: flags[0],
                literal: flags[1],
                matched: flags[2],
                together: flags[3],
            };
            let key = |(literal, matched, together, score, date): (u32, u32, u32, u8, i64)| Key {
                literal,
                matched,
                together,
                score: f32::from(score) / 2.0,
                date: if date < 0 { i64::MIN } else { date },
            };
            // The model: the parts the order uses, in its order, as a tuple.
            let whole = |(literal, matched, together, score, date): (u32, u32, u32, u8, i64)| {
                let on = |flag: bool, v: u32| if flag { v } else { 0 };
                let date = if date < 0 { i64::MIN } else { date };
                (
                    if order.date_first { date } else { 0 },
                    on(order.literal, literal),
                    on(order.matched, matched),
                    on(order.together, together),
                    score,
                    date,
                )
            };
            let better = whole(ours) > whole(worst);
            let (worst, ours) = (key(worst), key(ours));
            let beats = order.beats(&worst, ours.score, ours.date, most, |part| {
                match part {
                    Part::Literal => ours.literal,
                    Part::Matched => ours.matched,
                    Part::Together => ours.together,
                }
            });
            proptest::prop_assert_eq!(beats, better);
            proptest::prop_assert_eq!(order.cmp(&ours, &worst) == Ordering::Greater, better);
        }
    }

    #[test]
    fn more_words_beat_higher_scores_and_dates_break_ties() {
        let o = KeyOrder {
            matched: true,
            ..KeyOrder::default()
        };
        let gt = |a: Key, b: Key| o.cmp(&a, &b) == Ordering::Greater;
        assert!(gt(key(2, 0.1, 0), key(1, 99.0, 100)));
        assert!(gt(key(1, 2.0, 0), key(1, 1.0, 100)));
        assert!(gt(key(1, 1.0, 100), key(1, 1.0, 0)));
        assert!(gt(key(1, 1.0, 0), key(1, 1.0, i64::MIN)));
        let by_date = KeyOrder {
            date_first: true,
            ..o
        };
        assert_eq!(
            by_date.cmp(&key(2, 9.0, 0), &key(1, 1.0, 100)),
            Ordering::Less
        );
    }
}
