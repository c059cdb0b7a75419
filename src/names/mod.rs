//! Spelling keys for proper names (placeholder until the name matcher lands).
pub fn spelling_key(_word: &str) -> Option<String> {
    None
}

/// Version of the spelling-key scheme; part of the index fingerprint because
/// name keys are stored in the index.
pub const KEY_VERSION: &str = "0";

/// Arabic articles joined to names (placeholder list).
pub fn is_article(word: &str) -> bool {
    matches!(
        word,
        "al" | "el" | "ul" | "ach" | "ech" | "as" | "ad" | "an" | "ar" | "at" | "az"
    )
}
