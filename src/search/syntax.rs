//! The query language, parsed leniently: any string is a valid query.
//!
//! - `bases militaires`: plain words; passages with more of them rank first;
//! - `"bases militaires"`: a phrase (the words in this order);
//! - `+Moscou`: required; `-Damas`: excluded (also `+"…"`, `-"…"`);
//! - `al-Charaa`, `Moyen-Orient`: a hyphenated word is matched whole (as a
//!   phrase of its parts), never as separate words.
//!
//! An unclosed quote runs to the end of the query; a lone `+` or `-` is
//! ignored. Nothing here fails.

/// Whether a clause must, may or must not match.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Occur {
    Should,
    Must,
    MustNot,
}

/// One piece of the query as the user wrote it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Clause {
    pub occur: Occur,
    /// The text of the clause, without its operator and quotes.
    pub text: String,
    /// Written in quotes: its words form one phrase.
    pub phrase: bool,
}

fn is_quote(c: char) -> bool {
    matches!(c, '"' | '«' | '»' | '“' | '”')
}

/// Splits a query into clauses.
pub fn parse(query: &str) -> Vec<Clause> {
    let mut clauses = Vec::new();
    let mut chars = query.chars().peekable();
    loop {
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        let Some(&c) = chars.peek() else { break };
        let occur = match c {
            '+' => Occur::Must,
            '-' => Occur::MustNot,
            _ => Occur::Should,
        };
        if occur != Occur::Should {
            chars.next();
        }
        let mut text = String::new();
        let phrase = chars.next_if(|&c| is_quote(c)).is_some();
        if phrase {
            for c in chars.by_ref() {
                if is_quote(c) {
                    break;
                }
                text.push(c);
            }
        } else {
            while let Some(c) = chars.next_if(|c| !c.is_whitespace()) {
                text.push(c);
            }
        }
        if text.chars().any(char::is_alphanumeric) {
            clauses.push(Clause {
                occur,
                text,
                phrase,
            });
        }
    }
    clauses
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(occur: Occur, text: &str, phrase: bool) -> Clause {
        Clause {
            occur,
            text: text.into(),
            phrase,
        }
    }

    #[test]
    fn words_phrases_and_operators() {
        assert_eq!(
            parse(r#"bases "forces kurdes" +Moscou -Damas -"Etat islamique""#),
            vec![
                c(Occur::Should, "bases", false),
                c(Occur::Should, "forces kurdes", true),
                c(Occur::Must, "Moscou", false),
                c(Occur::MustNot, "Damas", false),
                c(Occur::MustNot, "Etat islamique", true),
            ]
        );
    }

    #[test]
    fn hyphenated_words_are_one_clause() {
        assert_eq!(
            parse("al-Charaa"),
            vec![c(Occur::Should, "al-Charaa", false)]
        );
    }

    #[test]
    fn broken_syntax_is_read_leniently() {
        assert_eq!(
            parse(r#""unclosed phrase"#),
            vec![c(Occur::Should, "unclosed phrase", true)]
        );
        assert_eq!(parse("+ - -- \"\" ()"), vec![]);
        assert_eq!(
            parse("«Moyen-Orient»"),
            vec![c(Occur::Should, "Moyen-Orient", true)]
        );
        assert!(parse("").is_empty());
        let _ = parse(&"\"+-".repeat(10_000));
    }
}
