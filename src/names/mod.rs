//! Spelling keys for proper names (placeholder until the name matcher lands).
pub fn spelling_key(_word: &str) -> Option<String> {
    None
}
