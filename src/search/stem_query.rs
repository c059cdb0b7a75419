//! A word's other forms: one stem, or a phrase of stems.
//!
//! The index holds no stem term for a word that is its own stem
//! ([`crate::terms::stem_is_indexed`]): `mort` is indexed as `mort` in
//! `body` alone, `morts` as `morts` there and `~mort` in `stems`. So the
//! words of stem `mort` are the occurrences of `~mort` and those of `mort`,
//! two terms in two fields at positions of one numbering (both fields get
//! the same texts, in the same order). [`StemQuery`] reads each stem of a
//! phrase as the union of its terms and scores it as BM25 would score one
//! term: the sum of the terms' frequencies in a passage (of the phrase's
//! occurrences, for a phrase), the passage's length in `body` (its number
//! of words), and for each stem the passages holding any of its terms.

use tantivy::postings::{Postings, SegmentPostings};
use tantivy::query::{Bm25Weight, EmptyScorer, EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocId, DocSet, Score, SegmentReader, Term, TERMINATED};

/// The passages holding the words of one stem, or of several at given
/// offsets (a phrase), scored as one term.
#[derive(Clone, Debug)]
pub struct StemQuery {
    /// Where passage lengths are read: the field of exact words.
    norms: Field,
    /// Each stem's offset in the phrase, the terms of its words and, for
    /// more than one term, the passages holding any of them
    /// ([`passages_holding_any`]).
    slots: Vec<Stem>,
    /// How far out of place the second of two stems may stand (0 for
    /// longer phrases).
    slop: u32,
}

/// One stem of a [`StemQuery`].
#[derive(Clone, Debug)]
pub struct Stem {
    /// Its offset in the phrase.
    pub offset: usize,
    /// The terms of its words, each in the field that holds it.
    pub terms: Vec<Term>,
    /// With more than one term, the passages holding any of them
    /// ([`passages_holding_any`]); with one, unused: its passage count is
    /// asked of the statistics.
    pub passages: u64,
}

impl StemQuery {
    /// The words of the stems of `slots`, sorted by offset; lengths are
    /// read in `norms`. `slop` applies to two stems only.
    pub fn new(norms: Field, slots: Vec<Stem>, slop: u32) -> StemQuery {
        let slop = if slots.len() == 2 { slop } else { 0 };
        StemQuery { norms, slots, slop }
    }
}

/// The passages holding any of `terms`, deleted ones included (as
/// tantivy's passage counts include them): what BM25 takes for the count
/// of terms read as one. The sum of their counts less the passages that
/// hold two of them, found by walking the rarer of two lists and skipping
/// through the other (a stem has two terms only when it is a word of its
/// own).
pub fn passages_holding_any(searcher: &tantivy::Searcher, terms: &[Term]) -> tantivy::Result<u64> {
    let mut count = 0u64;
    for reader in searcher.segment_readers() {
        let mut postings = Vec::with_capacity(terms.len());
        for term in terms {
            let inverted = reader.inverted_index(term.field())?;
            if let Some(p) = inverted.read_postings(term, IndexRecordOption::Basic)? {
                postings.push(p);
            }
        }
        count += match postings.as_mut_slice() {
            [] => 0,
            [one] => u64::from(one.doc_freq()),
            [a, b] => {
                let (rare, common) = if a.doc_freq() <= b.doc_freq() {
                    (a, b)
                } else {
                    (b, a)
                };
                let total = u64::from(rare.doc_freq()) + u64::from(common.doc_freq());
                let mut both = 0u64;
                let mut doc = rare.doc();
                while doc != TERMINATED {
                    if common.doc() < doc {
                        common.seek(doc);
                    }
                    if common.doc() == doc {
                        both += 1;
                    }
                    doc = rare.advance();
                }
                total - both
            }
            _ => {
                let mut slot = Slot {
                    postings,
                    offset: 0,
                    positions: Vec::new(),
                };
                let mut n = 0u64;
                let mut doc = slot.doc();
                while doc != TERMINATED {
                    n += 1;
                    doc = slot.advance(doc);
                }
                n
            }
        };
    }
    Ok(count)
}

/// BM25's inverse document frequency, as tantivy computes it.
fn idf(doc_freq: u64, total: u64) -> f32 {
    let (n, total) = (doc_freq as f64, total as f64);
    (1.0 + (total - n + 0.5) / (n + 0.5)).ln() as f32
}

/// The average length of `field` over `total` passages.
fn average_length(
    stats: &dyn tantivy::query::Bm25StatisticsProvider,
    field: Field,
    total: u64,
) -> tantivy::Result<Score> {
    Ok(stats.total_num_tokens(field)? as Score / total.max(1) as Score)
}

impl Query for StemQuery {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let bm25 = match scoring {
            EnableScoring::Enabled {
                statistics_provider: stats,
                ..
            } => {
                let total = stats.total_num_docs()?;
                let mut counts = Vec::with_capacity(self.slots.len());
                for stem in &self.slots {
                    counts.push(match stem.terms.as_slice() {
                        [one] => stats.doc_freq(one)?,
                        _ => stem.passages,
                    });
                }
                let average = average_length(stats, self.norms, total)?;
                // One stem is one term; a phrase's weight is the sum of its
                // stems' (as tantivy weighs phrases).
                let first = counts.first().copied().unwrap_or(0);
                let sum: f32 = counts.iter().map(|&c| idf(c, total)).sum();
                let w = Bm25Weight::for_one_term(first, total, average);
                Some(if counts.len() > 1 {
                    w.boost_by(sum / idf(first, total))
                } else {
                    w
                })
            }
            EnableScoring::Disabled { .. } => None,
        };
        Ok(Box::new(StemWeight {
            query: self.clone(),
            bm25,
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for stem in &self.slots {
            for term in &stem.terms {
                visitor(term, self.slots.len() > 1);
            }
        }
    }
}

struct StemWeight {
    query: StemQuery,
    /// `None` when scoring is off.
    bm25: Option<Bm25Weight>,
}

impl StemWeight {
    fn stem_scorer(
        &self,
        reader: &SegmentReader,
        boost: Score,
    ) -> tantivy::Result<Option<StemScorer>> {
        let phrase = self.query.slots.len() > 1;
        let option = if phrase {
            IndexRecordOption::WithFreqsAndPositions
        } else {
            IndexRecordOption::WithFreqs
        };
        let mut slots = Vec::with_capacity(self.query.slots.len());
        for stem in &self.query.slots {
            let mut postings = Vec::with_capacity(stem.terms.len());
            for term in &stem.terms {
                let inverted = reader.inverted_index(term.field())?;
                if let Some(p) = inverted.read_postings(term, option)? {
                    postings.push(p);
                }
            }
            if postings.is_empty() {
                return Ok(None);
            }
            slots.push(Slot {
                postings,
                offset: stem.offset as i64,
                positions: Vec::new(),
            });
        }
        if slots.is_empty() {
            return Ok(None);
        }
        // The rarest stem leads the search for passages holding them all.
        let lead = (0..slots.len())
            .min_by_key(|&i| slots[i].postings.iter().map(|p| p.doc_freq()).sum::<u32>())
            .unwrap_or(0);
        let mut scorer = StemScorer {
            lead,
            slots,
            slop: i64::from(self.query.slop),
            fieldnorms: reader.get_fieldnorms_reader(self.query.norms)?,
            bm25: self.bm25.as_ref().map(|w| w.boost_by(boost)),
            doc: 0,
            freq: 0,
            scratch: Vec::new(),
        };
        scorer.doc = scorer.settle(0);
        Ok(Some(scorer))
    }
}

impl Weight for StemWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(match self.stem_scorer(reader, boost)? {
            Some(mut s) if s.slots.len() == 1 && s.slots[0].postings.len() == 1 => {
                // Most stems have one term: read it as a term is read.
                match s.slots[0].postings.pop() {
                    Some(postings) => Box::new(OneTerm {
                        postings,
                        fieldnorms: s.fieldnorms,
                        bm25: s.bm25,
                    }),
                    None => Box::new(EmptyScorer),
                }
            }
            Some(mut s) if s.slots.len() == 1 && s.slots[0].postings.len() == 2 => {
                // A stem that is a word of its own: its stem term and the
                // word, in one pass of two cursors.
                let (b, a) = (s.slots[0].postings.pop(), s.slots[0].postings.pop());
                Box::new(TwoLists::new(a, b, s.fieldnorms, TwoScore::OneTerm(s.bm25)))
            }
            Some(s) => Box::new(s),
            None => Box::new(EmptyScorer),
        })
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let not_a_match =
            || tantivy::TantivyError::InvalidArgument(format!("passage {doc} does not match"));
        let mut scorer = self.stem_scorer(reader, 1.0)?.ok_or_else(not_a_match)?;
        if scorer.seek(doc) != doc {
            return Err(not_a_match());
        }
        let mut e = Explanation::new("StemQuery: BM25 of its words as one term", scorer.score());
        e.add_const("occurrences", scorer.freq() as Score);
        Ok(e)
    }
}

/// A stem with one term: its postings, scored with `body`'s lengths.
struct OneTerm {
    postings: SegmentPostings,
    fieldnorms: tantivy::fieldnorm::FieldNormReader,
    bm25: Option<Bm25Weight>,
}

impl DocSet for OneTerm {
    fn advance(&mut self) -> DocId {
        self.postings.advance()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        self.postings.seek(target)
    }

    fn doc(&self) -> DocId {
        self.postings.doc()
    }

    fn size_hint(&self) -> u32 {
        self.postings.size_hint()
    }
}

impl Scorer for OneTerm {
    fn score(&mut self) -> Score {
        match &self.bm25 {
            Some(w) => w.score(
                self.fieldnorms.fieldnorm_id(self.postings.doc()),
                self.postings.term_freq(),
            ),
            None => 1.0,
        }
    }
}

/// Two posting lists read as one (a stem term and the word it equals),
/// scored as [`TwoScore`] says with `body`'s lengths.
struct TwoLists {
    a: Option<SegmentPostings>,
    b: Option<SegmentPostings>,
    fieldnorms: tantivy::fieldnorm::FieldNormReader,
    score: TwoScore,
    doc: DocId,
}

/// How a [`TwoLists`] scores a passage; `None` weights when scoring is off.
enum TwoScore {
    /// As one term: BM25 of the two frequencies summed.
    OneTerm(Option<Bm25Weight>),
    /// As a word (`a`) and its stem (`a` and `b`): the better of the two
    /// plus `tie` of the other (see [`WordForms`]).
    Forms(Option<(Bm25Weight, Bm25Weight)>, Score),
}

fn at(p: &Option<SegmentPostings>) -> DocId {
    p.as_ref().map_or(TERMINATED, DocSet::doc)
}

impl TwoLists {
    fn new(
        a: Option<SegmentPostings>,
        b: Option<SegmentPostings>,
        fieldnorms: tantivy::fieldnorm::FieldNormReader,
        score: TwoScore,
    ) -> TwoLists {
        let doc = at(&a).min(at(&b));
        TwoLists {
            a,
            b,
            fieldnorms,
            score,
            doc,
        }
    }

    /// Occurrences of each term in the current passage.
    fn freqs(&self) -> (u32, u32) {
        let tf = |p: &Option<SegmentPostings>| match p {
            Some(p) if p.doc() == self.doc => p.term_freq(),
            _ => 0,
        };
        (tf(&self.a), tf(&self.b))
    }
}

impl DocSet for TwoLists {
    fn advance(&mut self) -> DocId {
        let doc = self.doc;
        for p in [&mut self.a, &mut self.b].into_iter().flatten() {
            if p.doc() == doc {
                p.advance();
            }
        }
        self.doc = at(&self.a).min(at(&self.b));
        self.doc
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc >= target {
            return self.doc;
        }
        for p in [&mut self.a, &mut self.b].into_iter().flatten() {
            if p.doc() < target {
                p.seek(target);
            }
        }
        self.doc = at(&self.a).min(at(&self.b));
        self.doc
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        [&self.a, &self.b]
            .into_iter()
            .flatten()
            .map(DocSet::size_hint)
            .fold(0u32, u32::saturating_add)
    }
}

impl Scorer for TwoLists {
    fn score(&mut self) -> Score {
        let norm = self.fieldnorms.fieldnorm_id(self.doc);
        let (a, b) = self.freqs();
        match &self.score {
            TwoScore::OneTerm(Some(w)) => w.score(norm, a + b),
            TwoScore::Forms(Some((exact, stem)), tie) => {
                let as_typed = if a > 0 { exact.score(norm, a) } else { 0.0 };
                let forms = stem.score(norm, a + b);
                as_typed.max(forms) + tie * as_typed.min(forms)
            }
            TwoScore::OneTerm(None) | TwoScore::Forms(None, _) => 1.0,
        }
    }
}

/// One stem of the query: the union of its terms' postings.
struct Slot {
    postings: Vec<SegmentPostings>,
    /// The stem's offset in the phrase.
    offset: i64,
    /// Scratch: the stem's positions in the current passage.
    positions: Vec<u32>,
}

impl Slot {
    fn doc(&self) -> DocId {
        match self.postings.as_slice() {
            [one] => one.doc(),
            all => all.iter().map(DocSet::doc).min().unwrap_or(TERMINATED),
        }
    }

    /// Moves past `doc`, the current passage.
    fn advance(&mut self, doc: DocId) -> DocId {
        for p in &mut self.postings {
            if p.doc() == doc {
                p.advance();
            }
        }
        self.doc()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        for p in &mut self.postings {
            if p.doc() < target {
                p.seek(target);
            }
        }
        self.doc()
    }

    fn term_freq(&self, doc: DocId) -> u32 {
        self.postings
            .iter()
            .filter(|p| p.doc() == doc)
            .map(|p| p.term_freq())
            .sum()
    }

    /// Fills `positions` with the stem's positions in `doc`, minus its
    /// offset, sorted.
    fn read_positions(&mut self, doc: DocId, scratch: &mut Vec<u32>) {
        self.positions.clear();
        for p in self.postings.iter_mut().filter(|p| p.doc() == doc) {
            p.positions(scratch);
            self.positions.extend_from_slice(scratch);
        }
        self.positions.sort_unstable();
    }
}

/// The passages of a [`StemQuery`], in order.
struct StemScorer {
    slots: Vec<Slot>,
    /// The slot with the fewest passages.
    lead: usize,
    slop: i64,
    fieldnorms: tantivy::fieldnorm::FieldNormReader,
    bm25: Option<Bm25Weight>,
    doc: DocId,
    /// Occurrences of the phrase in `doc` (unused for one stem).
    freq: u32,
    /// Scratch for positions.
    scratch: Vec<u32>,
}

impl StemScorer {
    /// The first passage from `target` on that holds every stem (in place,
    /// for a phrase), with its occurrences in `freq`.
    fn settle(&mut self, mut target: DocId) -> DocId {
        if let [one] = self.slots.as_mut_slice() {
            // Frequencies are read when scoring only.
            return one.seek(target);
        }
        loop {
            // The rarest stem leads; the others are sought to it.
            let lead = self.lead;
            let mut candidate = self.slots[lead].seek(target);
            let mut agreed = 1;
            let mut i = lead;
            while agreed < self.slots.len() && candidate != TERMINATED {
                i = (i + 1) % self.slots.len();
                if i == lead {
                    continue;
                }
                let doc = self.slots[i].seek(candidate);
                if doc == candidate {
                    agreed += 1;
                } else {
                    candidate = self.slots[lead].seek(doc);
                    agreed = 1;
                    i = lead;
                }
            }
            if candidate == TERMINATED {
                self.freq = 0;
                return TERMINATED;
            }
            self.freq = self.occurrences(candidate);
            if self.freq > 0 {
                return candidate;
            }
            target = candidate + 1;
        }
    }

    /// Occurrences of the stem or phrase in the current passage.
    fn freq(&self) -> u32 {
        match self.slots.as_slice() {
            [one] => one.term_freq(self.doc),
            _ => self.freq,
        }
    }

    fn occurrences(&mut self, doc: DocId) -> u32 {
        for slot in &mut self.slots {
            slot.read_positions(doc, &mut self.scratch);
        }
        phrase_occurrences(&self.slots, self.slop)
    }
}

/// Occurrences of a phrase of `slots` (their positions read): starts where
/// every slot stands at its offset; with two slots, places of the first
/// with the second at most `slop` positions away from its own.
fn phrase_occurrences(slots: &[Slot], slop: i64) -> u32 {
    let start = |slot: &Slot, p: u32| i64::from(p) - slot.offset;
    let Some((first, rest)) = slots.split_first() else {
        return 0;
    };
    let mut count = 0;
    for &p in &first.positions {
        let at = start(first, p);
        let found = rest.iter().all(|slot| {
            let lowest = at - slop;
            let i = slot.positions.partition_point(|&q| start(slot, q) < lowest);
            slot.positions
                .get(i)
                .is_some_and(|&q| (start(slot, q) - at).abs() <= slop)
        });
        if found {
            count += 1;
        }
    }
    count
}

impl DocSet for StemScorer {
    fn advance(&mut self) -> DocId {
        if self.doc == TERMINATED {
            return TERMINATED;
        }
        if let [one] = self.slots.as_mut_slice() {
            self.doc = one.advance(self.doc);
            return self.doc;
        }
        self.doc = self.settle(self.doc + 1);
        self.doc
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc >= target {
            return self.doc;
        }
        self.doc = self.settle(target);
        self.doc
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.slots
            .iter()
            .map(|s| {
                s.postings
                    .iter()
                    .map(DocSet::size_hint)
                    .fold(0u32, u32::saturating_add)
            })
            .min()
            .unwrap_or(0)
    }
}

impl Scorer for StemScorer {
    fn score(&mut self) -> Score {
        match &self.bm25 {
            Some(w) => w.score(self.fieldnorms.fieldnorm_id(self.doc), self.freq()),
            None => 1.0,
        }
    }
}

/// A word that is its own stem, as typed and in its other forms (`mort`:
/// `mort`, and `~mort` for `morts`, `morte`), read in one pass: the score
/// of the word as typed plus `tie` of the smaller of the two, as a
/// dis-max of an exact [`tantivy::query::TermQuery`] and a [`StemQuery`]
/// would give, without reading the word's postings twice.
#[derive(Clone, Debug)]
pub struct WordForms {
    /// The word, in `body`.
    pub exact: Term,
    /// Its stem term, in `stems`.
    pub stem: Term,
    /// The passages holding either ([`passages_holding_any`]).
    pub passages: u64,
    /// Weights of the word as typed and of its stem.
    pub exact_weight: Score,
    pub stem_weight: Score,
    pub tie: Score,
}

impl Query for WordForms {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let bm25 = match scoring {
            EnableScoring::Enabled {
                statistics_provider: stats,
                ..
            } => {
                let total = stats.total_num_docs()?;
                let average = average_length(stats, self.exact.field(), total)?;
                let exact = Bm25Weight::for_one_term(stats.doc_freq(&self.exact)?, total, average)
                    .boost_by(self.exact_weight);
                let stem = Bm25Weight::for_one_term(self.passages, total, average)
                    .boost_by(self.stem_weight);
                Some((exact, stem))
            }
            EnableScoring::Disabled { .. } => None,
        };
        Ok(Box::new(FormsWeight {
            query: self.clone(),
            bm25,
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        visitor(&self.exact, false);
        visitor(&self.stem, false);
    }
}

struct FormsWeight {
    query: WordForms,
    /// (word as typed, stem); `None` when scoring is off.
    bm25: Option<(Bm25Weight, Bm25Weight)>,
}

impl FormsWeight {
    fn forms_scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<TwoLists> {
        let read = |t: &Term| -> tantivy::Result<Option<SegmentPostings>> {
            Ok(reader
                .inverted_index(t.field())?
                .read_postings(t, IndexRecordOption::WithFreqs)?)
        };
        let bm25 = self
            .bm25
            .as_ref()
            .map(|(e, s)| (e.boost_by(boost), s.boost_by(boost)));
        Ok(TwoLists::new(
            read(&self.query.exact)?,
            read(&self.query.stem)?,
            reader.get_fieldnorms_reader(self.query.exact.field())?,
            TwoScore::Forms(bm25, self.query.tie),
        ))
    }
}

impl Weight for FormsWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(Box::new(self.forms_scorer(reader, boost)?))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.forms_scorer(reader, 1.0)?;
        if scorer.seek(doc) != doc {
            return Err(tantivy::TantivyError::InvalidArgument(format!(
                "passage {doc} does not match"
            )));
        }
        Ok(Explanation::new(
            "WordForms: the word as typed, and tie of its stem",
            scorer.score(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An index of `texts` in RAM, with the schema and tokenizers of
    /// recoupe's indexes.
    fn index_of(texts: &[&str]) -> (tantivy::Index, crate::schema::Fields) {
        let titled: Vec<(&str, &str)> = texts.iter().map(|t| ("", *t)).collect();
        index_of_titled(&titled)
    }

    /// The same, each passage after its title (as the indexer adds them).
    fn index_of_titled(texts: &[(&str, &str)]) -> (tantivy::Index, crate::schema::Fields) {
        use crate::analysis::tokenizer::{FrenchTokenizer, Terms};
        let s = crate::schema::load();
        let index = tantivy::Index::create_in_ram(s.schema.clone());
        let analyzer = std::sync::Arc::new(crate::analysis::Analyzer::default());
        for terms in [Terms::Exact, Terms::Stems, Terms::Names] {
            index.tokenizers().register(
                terms.tokenizer_name(),
                FrenchTokenizer::new(analyzer.clone(), terms),
            );
        }
        let mut writer: tantivy::IndexWriter<tantivy::TantivyDocument> =
            index.writer_with_num_threads(1, 15_000_000).unwrap();
        for (title, text) in texts {
            let mut doc = tantivy::TantivyDocument::default();
            for field in [s.fields.body, s.fields.stems] {
                if !title.is_empty() {
                    doc.add_text(field, title);
                }
                doc.add_text(field, text);
            }
            writer.add_document(doc).unwrap();
        }
        writer.commit().unwrap();
        (index, s.fields)
    }

    fn scores(searcher: &tantivy::Searcher, query: &dyn Query) -> Vec<(u32, f32)> {
        let top = tantivy::collector::TopDocs::with_limit(100).order_by_score();
        let mut found: Vec<(u32, f32)> = searcher
            .search(query, &top)
            .unwrap()
            .into_iter()
            .map(|(score, address)| (address.doc_id, score))
            .collect();
        found.sort_by_key(|f| f.0);
        found
    }

    #[test]
    fn a_phrase_across_both_fields_matches_where_its_words_stand_whatever_the_title() {
        let analyzer = crate::analysis::Analyzer::default();
        // Titles ending with words that are their own stems (no stem term),
        // or made only of them.
        for title in [
            "Syrie : des jihadistes récupérées par Daech",
            "Paris, Kaboul",
        ] {
            assert!(analyzer.is_own_stem("daech") && analyzer.is_own_stem("kaboul"));
            let (index, f) = index_of_titled(&[
                (
                    title,
                    "Ils ne voulaient pas sortir du camp, puis les militaires sont venus.",
                ),
                (title, "Le camp militaire de Kati."),
                (title, "Les camps militaires du nord."),
            ]);
            let searcher = index.reader().unwrap().searcher();
            let slot = |offset: usize, terms: Vec<Term>| Stem {
                offset,
                terms,
                passages: 0,
            };
            let phrase = StemQuery::new(
                f.body,
                vec![
                    slot(
                        0,
                        vec![
                            Term::from_field_text(f.stems, "~camp"),
                            Term::from_field_text(f.body, "camp"),
                        ],
                    ),
                    slot(1, vec![Term::from_field_text(f.stems, "~militair")]),
                ],
                0,
            );
            let found: Vec<u32> = scores(&searcher, &phrase).iter().map(|x| x.0).collect();
            assert_eq!(found, [1, 2], "{title}");
        }
    }

    #[test]
    fn a_word_read_in_one_pass_scores_as_its_two_forms_read_apart() {
        use tantivy::query::{BoostQuery, DisjunctionMaxQuery, TermQuery};
        let (index, f) = index_of(&[
            "Un mort dans l'explosion.",
            "Trois morts et un mort dans l'explosion du dépôt de carburant.",
            "Une passante est morte.",
            "Aucun blessé.",
            "Les morts, les morts encore.",
        ]);
        let searcher = index.reader().unwrap().searcher();
        let exact = Term::from_field_text(f.body, "mort");
        let stem = Term::from_field_text(f.stems, "~mort");
        let passages = passages_holding_any(&searcher, &[stem.clone(), exact.clone()]).unwrap();
        assert_eq!(passages, 4, "every passage but the one without the word");
        let apart = DisjunctionMaxQuery::with_tie_breaker(
            vec![
                Box::new(BoostQuery::new(
                    Box::new(TermQuery::new(exact.clone(), IndexRecordOption::WithFreqs)),
                    1.5,
                )),
                Box::new(BoostQuery::new(
                    Box::new(StemQuery::new(
                        f.body,
                        vec![Stem {
                            offset: 0,
                            terms: vec![stem.clone(), exact.clone()],
                            passages,
                        }],
                        0,
                    )),
                    0.8,
                )),
            ],
            0.5,
        );
        let one_pass = WordForms {
            exact,
            stem,
            passages,
            exact_weight: 1.5,
            stem_weight: 0.8,
            tie: 0.5,
        };
        let (a, b) = (scores(&searcher, &apart), scores(&searcher, &one_pass));
        assert_eq!(a.len(), 4);
        assert_eq!(
            a.iter().map(|x| x.0).collect::<Vec<_>>(),
            b.iter().map(|x| x.0).collect::<Vec<_>>()
        );
        for ((doc, x), (_, y)) in a.iter().zip(&b) {
            assert!(
                (x - y).abs() < 1e-5,
                "passage {doc}: {x} apart, {y} in one pass"
            );
        }
    }

    fn slot(offset: i64, positions: &[u32]) -> Slot {
        Slot {
            postings: Vec::new(),
            offset,
            positions: positions.to_vec(),
        }
    }

    proptest::proptest! {
        #[test]
        fn two_stems_occur_where_some_place_of_the_second_is_within_slop_of_the_first(
            first in proptest::collection::btree_set(0u32..60, 0..12),
            second in proptest::collection::btree_set(0u32..60, 0..12),
            offset in 1i64..3,
            slop in 0i64..4,
        ) {
            let a: Vec<u32> = first.into_iter().collect();
            let b: Vec<u32> = second.into_iter().collect();
            let expected = a
                .iter()
                .filter(|&&p| {
                    b.iter()
                        .any(|&q| ((i64::from(q) - offset) - i64::from(p)).abs() <= slop)
                })
                .count() as u32;
            let slots = [slot(0, &a), slot(offset, &b)];
            proptest::prop_assert_eq!(phrase_occurrences(&slots, slop), expected);
        }
    }

    #[test]
    fn a_phrase_occurs_where_each_stem_stands_at_its_offset() {
        // "morts civils" at 3-4 and 10-11; "civils" alone at 7.
        let slots = [slot(0, &[3, 10, 20]), slot(1, &[4, 7, 11])];
        assert_eq!(phrase_occurrences(&slots, 0), 2);
        let three = [slot(0, &[3]), slot(1, &[4]), slot(2, &[6])];
        assert_eq!(phrase_occurrences(&three, 0), 0);
    }

    #[test]
    fn two_stems_may_stand_slop_positions_out_of_place_either_way() {
        // The second stem one word further (slop 1), or before the first
        // (a swap costs 2).
        let apart = [slot(0, &[3]), slot(1, &[5])];
        assert_eq!(phrase_occurrences(&apart, 0), 0);
        assert_eq!(phrase_occurrences(&apart, 1), 1);
        let swapped = [slot(0, &[5]), slot(1, &[4])];
        assert_eq!(phrase_occurrences(&swapped, 1), 0);
        assert_eq!(phrase_occurrences(&swapped, 2), 1);
    }
}
