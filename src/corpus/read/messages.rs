//! The wording of reading problems: each starts from what is wrong and ends
//! with what to do.

use serde_json::Value;

use super::super::Problem;

pub(super) const NO_TEXT: &str = "no text (expected a title, lead or body field)";

/// A problem reason for a JSON syntax error: the column, serde's message
/// without its position, and `advice`.
pub(super) fn json_reason(e: &serde_json::Error, advice: &str) -> String {
    let full = e.to_string();
    let message = match full.rfind(" at line ") {
        Some(i) => full.get(..i).unwrap_or(&full),
        None => full.as_str(),
    };
    format!(
        "malformed JSON at column {}: {message}; {advice}",
        e.column()
    )
}

pub(super) fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

pub(super) fn not_an_object(rel: &str, index: u64, value: &Value) -> Problem {
    Problem::new(
        rel,
        None,
        format!(
            "element {index} of the array is {}, not an article object; remove it or make it an object",
            kind_of(value)
        ),
    )
}

pub(super) fn not_an_object_line(rel: &str, line: u64, value: &Value) -> Problem {
    Problem::new(
        rel,
        Some(line),
        format!(
            "expected a JSON object (one article per line), found {}",
            kind_of(value)
        ),
    )
}

pub(super) fn whole_file_kind(value: &Value) -> String {
    format!(
        "the file holds {}; expected an article object or an array of article objects",
        kind_of(value)
    )
}

/// A problem for invalid UTF-8 found at byte `at` of `content`, with the
/// line it is on.
pub(super) fn utf8_problem(rel: &str, content: &[u8], at: usize) -> Problem {
    let newlines = content
        .get(..at)
        .unwrap_or(content)
        .iter()
        .filter(|b| **b == b'\n')
        .count();
    let line = u64::try_from(newlines)
        .unwrap_or(u64::MAX)
        .saturating_add(1);
    Problem::new(
        rel,
        Some(line),
        format!("invalid UTF-8 at byte {at}; save the file as UTF-8"),
    )
}

/// The warning for a date field that holds no date recoupe understands.
pub(super) fn date_warning(rel: &str, line: Option<u64>, prefix: &str, value: &str) -> Problem {
    let reason = match crate::corpus::date::year_out_of_range(value) {
        Some(year) => format!(
            ": year {year} is outside {}-{}",
            crate::corpus::date::YEARS.start(),
            crate::corpus::date::YEARS.end()
        ),
        None => " not understood".to_string(),
    };
    Problem::new(
        rel,
        line,
        format!("{prefix}date {value:?}{reason}; indexed without a date"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_warning_quotes_the_value() {
        assert_eq!(
            date_warning("f.jsonl", Some(3), "", "2020-13-40").to_string(),
            "f.jsonl:3: date \"2020-13-40\" not understood; indexed without a date"
        );
        assert_eq!(
            date_warning("f.jsonl", Some(4), "", "0001-01-01T00:00:00Z").to_string(),
            "f.jsonl:4: date \"0001-01-01T00:00:00Z\": year 1 is outside 1800-2200; indexed without a date"
        );
    }
}
