//! Publication date recognition.
//!
//! Turns the date strings found in article metadata (`2025-02-12`,
//! `2025-02-12T10:00:00+01:00`, `2025-02-12 10:00:00`,
//! `Wed, 12 Feb 2025 10:00:00 +0000`, `12/02/2025`, `12 février 2025`) into a
//! calendar date, and finds French dates written in running text
//! (`le 12 février 2025`, `1er mars 2024`, `12 fevrier 2025`).
//!
//! Guarantees: the calendar date is kept exactly as written (no time zone
//! conversion), impossible dates such as 31 February are rejected, and no
//! input makes these functions panic.

use chrono::{DateTime, Datelike, NaiveDate};

use crate::analysis::fold::fold_str;

/// Reads a date from a metadata value. Returns `None` when the value holds
/// no recognisable date; callers keep the article without a date.
pub fn parse_date(value: &str) -> Option<NaiveDate> {
    parse_any_year(value).filter(|d| YEARS.contains(&d.year()))
}

/// Years a date may have: placeholder dates such as `0001-01-01` (written by
/// many publishing systems for "no date") and far-future typos are not
/// publication dates, and stay out of date filters.
pub const YEARS: std::ops::RangeInclusive<i32> = 1800..=2200;

/// The year of a date `parse_date` refuses only for its year.
pub fn year_out_of_range(value: &str) -> Option<i32> {
    parse_any_year(value)
        .map(|d| d.year())
        .filter(|y| !YEARS.contains(y))
}

fn parse_any_year(value: &str) -> Option<NaiveDate> {
    let s = value.trim();
    if s.is_empty() {
        return None;
    }
    if let Some(d) = iso_prefix(s) {
        return Some(d);
    }
    if let Ok(dt) = DateTime::parse_from_rfc2822(s) {
        return Some(dt.date_naive());
    }
    if let Some(d) = day_month_year_numeric(s) {
        return Some(d);
    }
    french_date_in(s)
}

/// `YYYY-MM-DD` (or `YYYY/MM/DD`), optionally followed by a time part
/// (`T...`, ` ...`), which is not read: the calendar date is kept as written.
fn iso_prefix(s: &str) -> Option<NaiveDate> {
    // Four-digit years only: chrono would also take signs and longer years.
    if !s.get(..4)?.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    ["%Y-%m-%d", "%Y/%m/%d"].iter().find_map(|format| {
        let (date, rest) = NaiveDate::parse_and_remainder(s, format).ok()?;
        let parsed = s.len() - rest.len();
        // Two-digit month and day, as ISO 8601 writes them.
        (parsed == 10 && (rest.is_empty() || rest.starts_with(['T', 't', ' ']))).then_some(date)
    })
}

/// French numeric form `DD/MM/YYYY` (also with `.` or `-` separators), as
/// the first word of the value.
fn day_month_year_numeric(s: &str) -> Option<NaiveDate> {
    let head = s.split_whitespace().next()?;
    if head.rsplit(['/', '.', '-']).next()?.len() != 4 {
        return None;
    }
    ["%d/%m/%Y", "%d.%m.%Y", "%d-%m-%Y"]
        .iter()
        .find_map(|format| NaiveDate::parse_from_str(head, format).ok())
}

/// Month number for a French month name, in any case, with or without
/// accents (`février`, `FEVRIER`, `août`, `aout`); abbreviations such as `déc.` are
/// not accepted.
fn french_month(word: &str) -> Option<u32> {
    // "mai" is the shortest name; "décembre" in UTF-8 the longest.
    if !(3..=10).contains(&word.len()) {
        return None;
    }
    let month = match fold_str(word).as_str() {
        "janvier" => 1,
        "fevrier" => 2,
        "mars" => 3,
        "avril" => 4,
        "mai" => 5,
        "juin" => 6,
        "juillet" => 7,
        "aout" => 8,
        "septembre" => 9,
        "octobre" => 10,
        "novembre" => 11,
        "decembre" => 12,
        _ => return None,
    };
    Some(month)
}

fn day_number(word: &str) -> Option<u32> {
    let digits = word
        .strip_suffix("er")
        .or_else(|| word.strip_suffix("ER"))
        .unwrap_or(word);
    if digits.is_empty() || digits.len() > 2 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let day: u32 = digits.parse().ok()?;
    // "1er" is the only ordinal form used for days in French.
    if digits.len() != word.len() && day != 1 {
        return None;
    }
    Some(day)
}

fn year_number(word: &str) -> Option<i32> {
    if word.len() != 4 || !word.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let year: i32 = word.parse().ok()?;
    YEARS.contains(&year).then_some(year)
}

/// Finds the first valid French date (`12 février 2025`, `1er mars 2024`)
/// in running text. Impossible dates are skipped and the search goes on.
pub fn french_date_in(text: &str) -> Option<NaiveDate> {
    let mut words = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty());
    let mut first = words.next()?;
    let mut second = words.next()?;
    for third in words {
        let found = french_month(second).and_then(|month| {
            let day = day_number(first)?;
            let year = year_number(third)?;
            NaiveDate::from_ymd_opt(year, month, day)
        });
        if found.is_some() {
            return found;
        }
        first = second;
        second = third;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, day)
    }

    #[test]
    fn metadata_formats_keep_the_written_calendar_date() {
        assert_eq!(parse_date("2025-02-12"), d(2025, 2, 12));
        assert_eq!(parse_date("2025-02-12T10:00:00Z"), d(2025, 2, 12));
        assert_eq!(parse_date("2025-02-12T23:30:00-05:00"), d(2025, 2, 12));
        assert_eq!(parse_date("2025-02-12T10:00:00+01:00"), d(2025, 2, 12));
        assert_eq!(parse_date("2025-02-12 10:00:00"), d(2025, 2, 12));
        assert_eq!(
            parse_date("Wed, 12 Feb 2025 10:00:00 +0000"),
            d(2025, 2, 12)
        );
        assert_eq!(parse_date("12/02/2025"), d(2025, 2, 12));
        assert_eq!(parse_date("12 février 2025"), d(2025, 2, 12));
        assert_eq!(parse_date("  2024-03-01  "), d(2024, 3, 1));
    }

    #[test]
    fn unreadable_metadata_dates_give_none() {
        for bad in [
            "",
            "demain",
            "2025-02-30",
            "2025-13-01",
            "20250212",
            "2025-02-12x",
            "é",
            "+2025-02-12",
            "2025-2-12",
            "12/02/25",
            "1/2/2025x",
            "32/01/2025",
            "0001-01-01T00:00:00Z",
            "1648-10-24",
            "9999-12-31",
            "Mon, 01 Jan 0001 00:00:00 +0000",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn numeric_day_month_year_forms() {
        assert_eq!(parse_date("1/2/2025"), d(2025, 2, 1));
        assert_eq!(parse_date("01.02.2025 à 10h"), d(2025, 2, 1));
        assert_eq!(parse_date("01-02-2025"), d(2025, 2, 1));
        assert_eq!(parse_date("2025/02/12"), d(2025, 2, 12));
        assert_eq!(parse_date("2025-02-12t10:00"), d(2025, 2, 12));
    }

    #[test]
    fn month_names_fold_like_the_analyzer() {
        // Decomposed accents and ligature-free capitals fold as in search.
        assert_eq!(french_month("fe\u{301}vrier"), Some(2));
        assert_eq!(french_month("DÉCEMBRE"), Some(12));
        assert_eq!(french_month("Août"), Some(8));
    }

    proptest::proptest! {
        #[test]
        fn no_input_panics(s in "\\PC{0,40}") {
            let _ = parse_date(&s);
            let _ = french_date_in(&s);
        }

        #[test]
        fn iso_dates_round_trip(y in 1800i32..2200, m in 1u32..13, day in 1u32..32) {
            let text = format!("{y:04}-{m:02}-{day:02}");
            proptest::prop_assert_eq!(parse_date(&text), NaiveDate::from_ymd_opt(y, m, day));
        }
    }

    #[test]
    fn french_dates_in_text() {
        assert_eq!(
            french_date_in("Cette conversation, qui a eu lieu le 12 février 2025, a permis"),
            d(2025, 2, 12)
        );
        assert_eq!(french_date_in("depuis le 1er mars 2024."), d(2024, 3, 1));
        assert_eq!(french_date_in("le 12 fevrier 2025"), d(2025, 2, 12));
        assert_eq!(french_date_in("LE 3 AOÛT 2023"), d(2023, 8, 3));
        assert_eq!(french_date_in("le 7 Decembre 1999"), d(1999, 12, 7));
    }

    #[test]
    fn impossible_or_incomplete_french_dates_are_ignored() {
        assert_eq!(
            french_date_in("le 31 février 2025 puis le 2 mars 2025"),
            d(2025, 3, 2)
        );
        assert_eq!(french_date_in("le 12 février"), None);
        assert_eq!(french_date_in("12 mai 25"), None);
        assert_eq!(french_date_in("3er mai 2025"), None);
        assert_eq!(french_date_in(""), None);
    }
}
