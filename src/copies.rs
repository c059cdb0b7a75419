//! Copies: the same dispatch republished word for word, or nearly.
//!
//! Each passage gets a signature at index time: the 64-bit hashes of its
//! sentences, each sentence normalised (folded, punctuation and spacing
//! dropped, so `Damas, 12 mars (AFP) -` and `DAMAS 12 mars AFP` are one
//! sentence). Sentences shorter than [`MIN_WORDS`] words say too little
//! to identify a text (`Lire aussi.`) and are left out; a passage with no
//! longer sentence is signed by its whole normalised text, if it has
//! [`MIN_WORDS`] words in all.
//!
//! Two passages are copies when they share at least [`SHARE`] of the
//! sentences of the longer one ([`is_copy`]): a passage with a sentence
//! added, cut or changed is still a copy of one of three sentences or
//! more (2 of 3, 3 of 4 shared), never of one of two (1 of 2), and two of
//! five changed is a rewrite (3 of 5). Sentences held by more than
//! [`COMMON_PASSAGES`] passages are boilerplate (a newsletter call, a
//! photo credit): they are not looked up.
//!
//! Only a passage's lowest sentence hashes are indexed ([`indexed`]), as
//! few as still let every copy be found: the lowest hash two copies share
//! is among the indexed ones of both. Candidates are then checked on their
//! whole signature, from their text.
//!
//! The threshold comes from OrangeSum (36,152 articles): of the 17,697
//! pairs of articles sharing a normalised sentence, 2,248 share all of
//! them; between 60 and 100% shared lie updates of one dispatch (a toll
//! raised, a paragraph added: 241 pairs); between 40 and 60%, articles
//! rewritten with other facts (a storm's "14 morts" against "six morts"),
//! which a fact-checker must see apart.

use crate::analysis::fold::fold_str;

/// Words a sentence needs to identify its text.
pub const MIN_WORDS: usize = 4;

/// Share of the longer passage's sentences that two copies have in common.
pub const SHARE: f64 = 0.65;

/// Sentences found in more passages than this are not looked up.
pub const COMMON_PASSAGES: u64 = 200;

/// The normalised sentences of `text` that sign it: hashes, in order,
/// without repeats.
pub fn signature(text: &str) -> Vec<u64> {
    let folded = fold_str(text);
    let mut out: Vec<u64> = Vec::new();
    let mut all_words = 0usize;
    let mut joined = String::new();
    for sentence in folded.split(SENTENCE_ENDS) {
        let words = join_words(sentence, &mut joined);
        all_words += words;
        if words >= MIN_WORDS {
            let h = xxhash_rust::xxh3::xxh3_64(joined.as_bytes());
            if !out.contains(&h) {
                out.push(h);
            }
        }
    }
    // Sentence ends are not word characters: the whole text's words are
    // its sentences' words, in order.
    if out.is_empty() && all_words >= MIN_WORDS {
        join_words(&folded, &mut joined);
        out.push(xxhash_rust::xxh3::xxh3_64(joined.as_bytes()));
    }
    out
}

/// Writes the words of folded `text` into `joined`, one space apart, and
/// says how many there are: the normal form a sentence is hashed in.
fn join_words(text: &str, joined: &mut String) -> usize {
    joined.clear();
    let mut words = 0;
    for w in text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if words > 0 {
            joined.push(' ');
        }
        joined.push_str(w);
        words += 1;
    }
    words
}

/// The hash of a sentence (or title) normalised as [`signature`] does;
/// `None` when it holds no word.
pub fn sentence_hash(sentence: &str) -> Option<u64> {
    let mut joined = String::new();
    (join_words(&fold_str(sentence), &mut joined) > 0)
        .then(|| xxhash_rust::xxh3::xxh3_64(joined.as_bytes()))
}

/// Every sentence of `text` holding a word, short ones included: its byte
/// range in `text` and its [`sentence_hash`]. Sentences end where
/// [`signature`] ends them, so the same text cuts the same way.
pub fn sentences(text: &str) -> Vec<(usize, usize, u64)> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, c) in text.char_indices() {
        if SENTENCE_ENDS.contains(&c) {
            if let Some(h) = sentence_hash(&text[start..i]) {
                out.push((start, i, h));
            }
            start = i + c.len_utf8();
        }
    }
    if let Some(h) = sentence_hash(&text[start..]) {
        out.push((start, text.len(), h));
    }
    out
}

const SENTENCE_ENDS: [char; 6] = ['.', '!', '?', '…', ';', '\n'];

/// The hashes of `signature` the index holds: its lowest
/// `n - ceil(SHARE * n) + 1` of `n`, lowest first.
///
/// When `b` copies `a` they share at least `ceil(SHARE * |b|)` sentences,
/// so fewer than `|b| - ceil(SHARE * |b|) + 1` of `b`'s hashes lie below
/// the lowest one they share: that one is indexed for `b`, and likewise
/// for `a`. Looking `a`'s sentences up therefore finds `b`. Indexing a
/// third to a half of each passage's sentences took 5 MB off the index of
/// OrangeSum's 36,152 articles (126 to 121 MB) and 4% off the
/// instructions of indexing 3,000 of them, with the same copies found for
/// the 300 scale benchmark queries.
pub fn indexed(signature: &[u64]) -> Vec<u64> {
    let n = signature.len();
    let mut low = signature.to_vec();
    low.sort_unstable();
    low.truncate((n + 1).saturating_sub(must_share(n)));
    low
}

/// The fewest sentences a copy of a passage of `n` signed sentences
/// shares with it: `ceil(SHARE * n)`, at least 1.
fn must_share(n: usize) -> usize {
    ((SHARE * n as f64).ceil() as usize).clamp(1, n.max(1))
}

/// A signature in one number, as the index keeps it beside each passage
/// (the `signature` fast field): its sentence count in the high 32 bits,
/// and a 32-bit hash of its sentence hashes, in order, in the low ones.
///
/// Two passages with the same summary have the same sentences (but for one
/// chance in four billion): a copy found with the same summary as its
/// original is taken for one without reading its text. That is most copies:
/// a dispatch republished as sent.
pub fn summary(signature: &[u64]) -> u64 {
    let mut bytes = Vec::with_capacity(signature.len() * 8);
    for h in signature {
        bytes.extend_from_slice(&h.to_le_bytes());
    }
    let hash = xxhash_rust::xxh3::xxh3_64(&bytes) as u32;
    let count = u32::try_from(signature.len()).unwrap_or(u32::MAX);
    (u64::from(count) << 32) | u64::from(hash)
}

/// The number of sentences of the signature a [`summary`] stands for.
pub fn summary_count(summary: u64) -> usize {
    (summary >> 32) as usize
}

/// How many hashes two signatures (each without repeats) share.
pub fn shared(a: &[u64], b: &[u64]) -> usize {
    a.iter().filter(|h| b.contains(h)).count()
}

/// True when two passages of `a` and `b` signed sentences, `shared` of
/// them in common, are copies of each other.
pub fn is_copy(shared: usize, a: usize, b: usize) -> bool {
    let longer = a.max(b);
    longer > 0 && shared as f64 >= SHARE * longer as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn spacing_punctuation_case_and_accents_do_not_change_a_sentence() {
        let a = signature("Damas, 12 mars (AFP) - Le président a parlé aux députés.");
        let b = signature("DAMAS 12 mars AFP   le President a parle aux deputes !");
        assert_eq!(a, b);
        assert_eq!(a.len(), 1);
    }

    #[test]
    fn a_sentence_is_hashed_as_its_folded_words_one_space_apart() {
        // Signatures are stored in the index: this form must not change
        // without a new index version.
        let h = |s: &str| xxhash_rust::xxh3::xxh3_64(s.as_bytes());
        assert_eq!(
            signature("« Réfugiés » d’Irak : l’ŒUVRE continue... Vu."),
            vec![h("refugies d irak l oeuvre continue")]
        );
        assert_eq!(signature("Vu. Lu; Su! Bu."), vec![h("vu lu su bu")]);
        assert_eq!(sentence_hash(" Élysée,  Paris "), Some(h("elysee paris")));
    }

    #[test]
    fn short_sentences_do_not_sign_unless_nothing_else_does() {
        let s = signature("Lire aussi. Le président syrien a rencontré son homologue turc.");
        assert_eq!(s.len(), 1);
        assert_eq!(signature("Vu. Lu. Su. Bu."), signature("vu lu su bu"));
        assert_eq!(signature("Vu. Lu. Su. Bu.").len(), 1);
        assert!(signature("Oui. Non.").is_empty());
        assert!(signature("").is_empty());
    }

    #[test]
    fn a_sentence_changed_in_three_is_a_copy_one_in_two_is_not() {
        assert!(is_copy(2, 3, 3));
        assert!(is_copy(3, 4, 4));
        assert!(is_copy(4, 4, 5));
        assert!(!is_copy(1, 2, 2));
        assert!(!is_copy(3, 5, 5));
        assert!(!is_copy(2, 2, 5));
        assert!(is_copy(1, 1, 1));
        assert!(!is_copy(0, 0, 0));
    }

    #[test]
    fn a_summary_tells_its_count_and_changes_with_any_sentence_or_their_order() {
        let a = signature("Le président a parlé aux députés. Les députés ont voté la loi hier.");
        assert_eq!(a.len(), 2);
        assert_eq!(summary_count(summary(&a)), 2);
        assert_eq!(
            summary(&a),
            summary(&signature(
                "LE PRESIDENT A PARLE AUX DEPUTES; les deputes ont vote la loi hier"
            ))
        );
        let reversed: Vec<u64> = a.iter().rev().copied().collect();
        assert_ne!(summary(&a), summary(&reversed));
        assert_ne!(summary(&a), summary(&a[..1]));
        assert_eq!(summary_count(summary(&[])), 0);
    }

    #[test]
    fn sentences_cut_where_signatures_do_and_name_their_place() {
        let text = "Damas, 12 mars (AFP) - Le président a parlé. Oui ! Fin";
        let cut = sentences(text);
        assert_eq!(cut.len(), 3);
        assert_eq!(&text[cut[1].0..cut[1].1], " Oui ");
        assert_eq!(
            Some(cut[0].2),
            sentence_hash("DAMAS 12 mars AFP le President a parle")
        );
        assert_eq!(signature(text)[0], cut[0].2);
        assert!(sentences(" . ; ").is_empty());
    }

    proptest! {
        #[test]
        fn sentences_lie_on_character_boundaries(text in any::<String>()) {
            for (start, end, _) in sentences(&text) {
                prop_assert!(start <= end && end <= text.len());
                prop_assert!(text.is_char_boundary(start) && text.is_char_boundary(end));
            }
        }

        #[test]
        fn two_copies_share_one_indexed_sentence(
            common in proptest::collection::hash_set(any::<u64>(), 1..30),
            only_a in proptest::collection::hash_set(any::<u64>(), 0..15),
            only_b in proptest::collection::hash_set(any::<u64>(), 0..15),
        ) {
            let a: Vec<u64> = common.iter().chain(only_a.difference(&common)).copied().collect();
            let b: Vec<u64> = common
                .iter()
                .chain(only_b.iter().filter(|h| !common.contains(h) && !only_a.contains(h)))
                .copied()
                .collect();
            let n = shared(&a, &b);
            prop_assert_eq!(n, common.len());
            if is_copy(n, a.len(), b.len()) {
                let (ia, ib) = (indexed(&a), indexed(&b));
                prop_assert!(ib.iter().any(|h| a.contains(h)), "b's indexed hashes miss a");
                prop_assert!(ia.iter().any(|h| b.contains(h)), "a's indexed hashes miss b");
            }
        }

        #[test]
        fn indexed_hashes_are_the_lowest_and_fewer(sig in proptest::collection::vec(any::<u64>(), 0..40)) {
            let low = indexed(&sig);
            prop_assert!(low.len() <= sig.len());
            prop_assert!(!sig.is_empty() || low.is_empty());
            prop_assert!(sig.len() < 3 || low.len() < sig.len());
            let mut sorted = sig.clone();
            sorted.sort_unstable();
            prop_assert_eq!(&sorted[..low.len()], &low[..]);
        }

        #[test]
        fn any_text_signs_without_repeats(text in any::<String>()) {
            let s = signature(&text);
            let mut sorted = s.clone();
            sorted.sort_unstable();
            sorted.dedup();
            prop_assert_eq!(sorted.len(), s.len());
        }
    }
}
