//! What a search asks, as tools send it: the parameters of
//! `GET /api/search` (and of `/api/batch`), read from `name=value` pairs and
//! checked, each refusal saying which parameter and why.

use chrono::NaiveDate;

use crate::search::{SearchOptions, Sort, MAX_OFFSET};

/// Longest query accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 500;
/// Most hits one request returns.
pub const MAX_LIMIT: usize = 100;
/// Most values of one repeated parameter (`source`, `xsource`, `xspell`).
pub const MAX_VALUES: usize = 50;

/// A search request.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SearchRequest {
    pub q: String,
    pub options: SearchOptions,
}

/// A parameter that cannot be used, with why.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{param}: {reason}")]
pub struct BadRequest {
    pub param: String,
    pub reason: String,
}

fn bad(param: &str, reason: impl Into<String>) -> BadRequest {
    BadRequest {
        param: param.to_string(),
        reason: reason.into(),
    }
}

/// A day from `YYYY`, `YYYY-MM` or `YYYY-MM-DD`: the period's first day,
/// or with `end` its last.
pub fn parse_day(text: &str, end: bool) -> Option<NaiveDate> {
    let parts: Vec<&str> = text.trim().split('-').collect();
    let num = |s: &str, len: usize| {
        (s.len() == len && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse::<u32>().ok())
            .flatten()
    };
    let year = num(parts.first()?, 4)? as i32;
    match parts.as_slice() {
        [_] => NaiveDate::from_ymd_opt(year, if end { 12 } else { 1 }, if end { 31 } else { 1 }),
        [_, m] => {
            let first = NaiveDate::from_ymd_opt(year, num(m, 2)?, 1)?;
            if end {
                first.checked_add_months(chrono::Months::new(1))?.pred_opt()
            } else {
                Some(first)
            }
        }
        [_, m, d] => NaiveDate::from_ymd_opt(year, num(m, 2)?, num(d, 2)?),
        _ => None,
    }
}

fn flag(param: &str, value: &str) -> Result<bool, BadRequest> {
    match value {
        "" | "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" => Ok(false),
        _ => Err(bad(param, "give 1 or 0")),
    }
}

fn number(param: &str, value: &str, min: usize, max: usize) -> Result<usize, BadRequest> {
    match value.parse::<usize>() {
        Ok(n) if (min..=max).contains(&n) => Ok(n),
        _ => Err(bad(
            param,
            format!("give a whole number from {min} to {max}"),
        )),
    }
}

impl SearchRequest {
    /// Reads a request from its parameters. The query (`q`) is required
    /// unless `need_query` is false (a batch gives one a line); unknown
    /// parameters are refused, so that a misspelt filter is not silently
    /// ignored.
    pub fn from_pairs(pairs: &[(String, String)], need_query: bool) -> Result<Self, BadRequest> {
        let mut r = SearchRequest {
            options: SearchOptions {
                facets: true,
                ..SearchOptions::default()
            },
            ..SearchRequest::default()
        };
        let mut q = None;
        for (name, value) in pairs {
            let o = &mut r.options;
            match name.as_str() {
                "q" => {
                    if value.chars().count() > MAX_QUERY_CHARS {
                        return Err(bad(
                            "q",
                            format!("longer than {MAX_QUERY_CHARS} characters"),
                        ));
                    }
                    q = Some(value.clone());
                }
                "since" | "until" => {
                    let end = name == "until";
                    let day = (!value.is_empty())
                        .then(|| {
                            parse_day(value, end)
                                .ok_or_else(|| bad(name, "give YYYY, YYYY-MM or YYYY-MM-DD"))
                        })
                        .transpose()?;
                    if end {
                        o.until = day;
                    } else {
                        o.since = day;
                    }
                }
                "source" | "xsource" | "xspell" => {
                    let list = match name.as_str() {
                        "source" => &mut o.sources,
                        "xsource" => &mut o.exclude_sources,
                        _ => &mut o.exclude_spellings,
                    };
                    if list.len() >= MAX_VALUES {
                        return Err(bad(name, format!("at most {MAX_VALUES} values")));
                    }
                    if !value.trim().is_empty() && !list.contains(value) {
                        list.push(value.clone());
                    }
                }
                "strict" => o.strict = flag(name, value)?,
                "all" => o.all = flag(name, value)?,
                "limit" => o.limit = number(name, value, 1, MAX_LIMIT)?,
                "offset" => o.offset = number(name, value, 0, MAX_OFFSET)?,
                "group" => {
                    o.group_articles = match value.as_str() {
                        "article" => true,
                        "" | "passage" => false,
                        _ => return Err(bad(name, "give article or passage")),
                    }
                }
                "sort" => {
                    o.sort = match value.as_str() {
                        "" | "relevance" => Sort::Relevance,
                        "date" => Sort::Date,
                        _ => return Err(bad(name, "give relevance or date")),
                    }
                }
                "copies" => o.collapse_copies = !flag(name, value)?,
                "format" => {}
                other => return Err(bad(other, "unknown parameter")),
            }
        }
        if let (Some(s), Some(u)) = (r.options.since, r.options.until) {
            if s > u {
                return Err(bad("since", format!("{s} is after until ({u})")));
            }
        }
        match q {
            Some(q) if !q.trim().is_empty() => r.q = q,
            _ if need_query => return Err(bad("q", "give a query")),
            _ => {}
        }
        Ok(r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn a_month_or_a_year_stands_for_its_whole_period() {
        let day = |s| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(parse_day("2024-02", true), Some(day("2024-02-29")));
        assert_eq!(parse_day("2024-02", false), Some(day("2024-02-01")));
        assert_eq!(parse_day("2019", true), Some(day("2019-12-31")));
        assert_eq!(parse_day("2019-13", true), None);
        assert_eq!(parse_day("19-01-01", true), None);
        assert_eq!(parse_day("2019-1-1", true), None);
    }

    #[test]
    fn filters_and_pages_are_read_and_bad_ones_named() {
        let r = SearchRequest::from_pairs(
            &pairs(&[
                ("q", "al-Charaa"),
                ("source", "AFP"),
                ("xsource", "Orange"),
                ("xspell", "Chareh"),
                ("offset", "20"),
                ("limit", "5"),
                ("group", "article"),
                ("since", "2024-12"),
            ]),
            true,
        )
        .unwrap();
        assert_eq!(r.q, "al-Charaa");
        assert_eq!(r.options.sources, ["AFP"]);
        assert_eq!(r.options.exclude_sources, ["Orange"]);
        assert_eq!(r.options.exclude_spellings, ["Chareh"]);
        assert_eq!((r.options.offset, r.options.limit), (20, 5));
        assert!(r.options.group_articles && r.options.facets);
        let err = |list: &[(&str, &str)]| {
            SearchRequest::from_pairs(&pairs(list), true)
                .unwrap_err()
                .param
        };
        assert_eq!(err(&[("q", "x"), ("limit", "1000")]), "limit");
        assert_eq!(err(&[("q", "x"), ("limit", "0")]), "limit");
        assert_eq!(err(&[("q", "x"), ("offset", "5000")]), "offset");
        assert_eq!(err(&[("q", "x"), ("sourse", "AFP")]), "sourse");
        assert_eq!(err(&[("q", "x"), ("since", "hier")]), "since");
        assert_eq!(
            err(&[("q", "x"), ("since", "2020"), ("until", "2019")]),
            "since"
        );
        assert_eq!(err(&[("q", " ")]), "q");
        assert_eq!(err(&[("q", &"a".repeat(MAX_QUERY_CHARS + 1))]), "q");
    }

    proptest! {
        #[test]
        fn any_parameters_are_read_or_refused(list in proptest::collection::vec(
            (prop_oneof![Just("q".to_string()), Just("limit".to_string()), Just("since".to_string()),
                Just("until".to_string()), Just("offset".to_string()), Just("sort".to_string()), any::<String>()],
             any::<String>()), 0..8)) {
            if let Ok(r) = SearchRequest::from_pairs(&list, false) {
                prop_assert!(r.options.limit <= MAX_LIMIT && r.options.offset <= MAX_OFFSET);
            }
        }
    }
}
