//! The alias table: names that designate the same entity but that no spelling
//! rule can relate ("Daech" and "État islamique", "Otan" and "NATO").
//!
//! # File format
//!
//! UTF-8 text, one group per line, names separated by `=` (written ` = `):
//!
//! ```text
//! # comment
//! Daech = État islamique = EI = ISIS
//! Otan = NATO
//! ```
//!
//! Everything after a `#` is a comment; blank lines are ignored; spaces around
//! names are trimmed and runs of spaces inside a name count as one. A name may
//! have several words; the engine then matches it as a phrase.
//!
//! # What this file guarantees
//!
//! * [`parse_aliases`] never fails as a whole: each bad line is reported as an
//!   [`AliasError`] (`origin:line: reason`) and skipped, and every other line
//!   is kept. A line is bad when it has fewer than two names, an empty name,
//!   a name over 200 characters or a control character.
//! * Names are compared ignoring case, accents and repeated spaces. A name
//!   repeated inside one group is kept once. A name found in two groups makes
//!   the two groups one (same entity); within one file this is also reported,
//!   because it is often a typing mistake, but the groups are joined anyway.
//! * [`AliasTable::merge`] adds another table (for instance a user's file on
//!   top of the shipped one) with the same joining rule.

use std::collections::HashMap;

/// Longest accepted name, in characters.
const MAX_NAME_CHARS: usize = 200;

/// One group of names for the same entity, as written in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AliasGroup {
    /// The names, trimmed, in file order, without repeats.
    pub names: Vec<String>,
    /// The 1-based line where the group was defined (the first line when
    /// several groups were joined).
    pub line: usize,
}

/// All alias groups of one or more files.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AliasTable {
    /// The groups; no name (compared ignoring case and accents) appears in two
    /// of them.
    pub groups: Vec<AliasGroup>,
}

/// A problem on one line of an alias file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{origin}:{line}: {reason}")]
pub struct AliasError {
    /// Where the text came from, usually a file path.
    pub origin: String,
    /// The 1-based line number.
    pub line: usize,
    /// What is wrong, in words for the person who edits the file.
    pub reason: String,
}

/// Parses an alias file. `origin` names the source in error messages.
/// Returns the table built from the good lines and one error per problem.
pub fn parse_aliases(text: &str, origin: &str) -> (AliasTable, Vec<AliasError>) {
    let mut table = AliasTable::default();
    let mut joiner = Joiner::new(&mut table);
    let mut errors = Vec::new();
    for (line, content) in group_lines(text) {
        let error = |reason: String| AliasError {
            origin: origin.to_string(),
            line,
            reason,
        };
        match parse_group(content) {
            Ok((names, ids)) => {
                let joined_with = joiner.add(AliasGroup { names, line }, ids);
                if !joined_with.is_empty() {
                    let lines: Vec<String> = joined_with.iter().map(|l| l.to_string()).collect();
                    errors.push(error(format!(
                        "a name of this group already appears on line {}; the groups are joined",
                        lines.join(", ")
                    )));
                }
            }
            Err(reason) => errors.push(error(reason)),
        }
    }
    drop(joiner);
    (table, errors)
}

/// Parses a table known to be clean: no bad line, and no name written
/// twice, in one group or in two (the shipped table, which a test checks).
/// It gives what [`parse_aliases`] gives, without comparing names, which is
/// most of the cost of reading a table, and the shipped one is read at
/// every start.
pub fn parse_clean(text: &str) -> AliasTable {
    let groups = group_lines(text)
        .map(|(line, content)| AliasGroup {
            names: content.split('=').map(name_as_written).collect(),
            line,
        })
        .collect();
    AliasTable { groups }
}

/// The lines of a file that hold a group: (1-based line, content without
/// its comment, trimmed). A byte-order mark is skipped.
fn group_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    text.lines().enumerate().filter_map(|(index, raw_line)| {
        let content = raw_line.split('#').next().unwrap_or("").trim();
        (!content.is_empty()).then_some((index + 1, content))
    })
}

/// A name between two `=`, trimmed, its runs of spaces made one.
fn name_as_written(part: &str) -> String {
    part.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Splits one non-comment line into names and their [`identity`], or
/// explains what is wrong.
fn parse_group(content: &str) -> Result<(Vec<String>, Vec<String>), String> {
    if content.chars().any(char::is_control) {
        return Err("control character in the line".to_string());
    }
    let mut names: Vec<String> = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    for part in content.split('=') {
        let name = name_as_written(part);
        if name.is_empty() {
            return Err("empty name (two `=` in a row, or `=` at an end of the line)".to_string());
        }
        if name.chars().count() > MAX_NAME_CHARS {
            return Err(format!("name longer than {MAX_NAME_CHARS} characters"));
        }
        let id = identity(&name);
        if !seen.contains(&id) {
            seen.push(id);
            names.push(name);
        }
    }
    if names.len() < 2 {
        return Err("a group needs at least two different names separated by ` = `".to_string());
    }
    Ok((names, seen))
}

/// The form under which two names are the same: the analyzer's case and
/// accent folding ([`crate::analysis::fold::fold_str`]), letters, digits
/// and ASCII punctuation, single spaces. `"Путин"` stays Cyrillic (`путин`), as the analyzer
/// indexes it, and is not taken for `Putin`.
fn identity(name: &str) -> String {
    let folded = crate::analysis::fold::fold_str(name);
    let mut out = String::with_capacity(folded.len());
    for c in folded.chars() {
        if c.is_alphanumeric() || c.is_ascii_punctuation() {
            out.push(c);
        } else if c.is_whitespace() {
            out.push(' ');
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

impl AliasTable {
    /// Adds the groups of `other`, joining any group that shares a name with
    /// a group already here.
    pub fn merge(&mut self, other: AliasTable) {
        let mut joiner = Joiner::new(self);
        for group in other.groups {
            let ids = group.names.iter().map(|n| identity(n)).collect();
            joiner.add(group, ids);
        }
    }
}

/// Adds groups to a table, joining those that share a name. It keeps an
/// index of the table's names, so that adding a group costs the size of the
/// group, not of the table: tables of thousands of groups load at once.
struct Joiner<'a> {
    table: &'a mut AliasTable,
    /// Identity of each name of the table -> index of its group.
    index: HashMap<String, usize>,
}

impl<'a> Joiner<'a> {
    fn new(table: &'a mut AliasTable) -> Joiner<'a> {
        let index = index_names(&table.groups);
        Joiner { table, index }
    }

    /// Adds one group whose names have identities `ids`; returns the lines
    /// of the existing groups it was joined with (empty when it is new).
    fn add(&mut self, group: AliasGroup, ids: Vec<String>) -> Vec<usize> {
        let mut hits: Vec<usize> = ids
            .iter()
            .filter_map(|id| self.index.get(id).copied())
            .collect();
        hits.sort_unstable();
        hits.dedup();
        let groups = &mut self.table.groups;
        let Some(&first) = hits.first() else {
            let at = groups.len();
            for id in ids {
                self.index.insert(id, at);
            }
            groups.push(group);
            return Vec::new();
        };
        let lines: Vec<usize> = hits.iter().map(|&i| groups[i].line).collect();
        // Gather the other hit groups (highest index first keeps indices valid).
        let mut absorbed: Vec<AliasGroup> = Vec::new();
        for &i in hits.iter().skip(1).rev() {
            absorbed.push(groups.remove(i));
        }
        absorbed.reverse();
        let target = &mut groups[first];
        let mut known: Vec<String> = target.names.iter().map(|n| identity(n)).collect();
        let incoming = absorbed
            .into_iter()
            .flat_map(|g| g.names)
            .chain(group.names);
        for name in incoming {
            let id = identity(&name);
            if !known.contains(&id) {
                known.push(id);
                target.names.push(name);
            }
        }
        if hits.len() > 1 {
            // Groups were removed: the indices after them moved.
            self.index = index_names(groups);
        } else {
            for id in known {
                self.index.insert(id, first);
            }
        }
        lines
    }
}

/// Identity of each name -> index of its group.
fn index_names(groups: &[AliasGroup]) -> HashMap<String, usize> {
    groups
        .iter()
        .enumerate()
        .flat_map(|(i, g)| g.names.iter().map(move |n| (identity(n), i)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_groups_comments_and_blank_lines() {
        let text = "# header\n\nDaech = État islamique = EI\n  Otan =  NATO  # the alliance\r\n";
        let (table, errors) = parse_aliases(text, "aliases.txt");
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(table.groups.len(), 2);
        assert_eq!(table.groups[0].names, ["Daech", "État islamique", "EI"]);
        assert_eq!(table.groups[0].line, 3);
        assert_eq!(table.groups[1].names, ["Otan", "NATO"]);
        assert_eq!(table.groups[1].line, 4);
    }

    #[test]
    fn names_in_other_scripts_are_folded_as_the_analyzer_folds_them() {
        // The Cyrillic name is indexed as "путин", the Latin one as
        // "putin": two names of one group, neither dropped as a repeat.
        let (table, errors) =
            parse_aliases("Путин = Putin\nÉTAT islamique = Etat Islamique = EI", "t");
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(table.groups[0].names, ["Путин", "Putin"]);
        // Case and accents are still one name.
        assert_eq!(table.groups[1].names, ["ÉTAT islamique", "EI"]);
    }

    #[test]
    fn multi_word_names_keep_single_spaces() {
        let (table, _) = parse_aliases("Cour   pénale internationale = CPI", "t");
        assert_eq!(table.groups[0].names[0], "Cour pénale internationale");
    }

    #[test]
    fn bad_lines_are_reported_and_skipped() {
        let text = "Seul\nA = = B\n= C\nOK = Bien\nX = \u{7}Y\nD = d\n";
        let (table, errors) = parse_aliases(text, "user.txt");
        assert_eq!(table.groups.len(), 1);
        assert_eq!(table.groups[0].names, ["OK", "Bien"]);
        let lines: Vec<usize> = errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, [1, 2, 3, 5, 6]);
        assert!(errors[0].to_string().starts_with("user.txt:1: "));
        let long = format!("{} = B", "a".repeat(201));
        let (_, errors) = parse_aliases(&long, "t");
        assert_eq!(errors.len(), 1);
    }

    #[test]
    fn repeated_names_join_groups() {
        let text = "Kiev = Kyiv\nKYÏV = Kyïv = kiev\n";
        let (table, errors) = parse_aliases(text, "t");
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].line, 2);
        assert_eq!(table.groups.len(), 1);
        assert_eq!(table.groups[0].names, ["Kiev", "Kyiv"]);
        let text = "A = B\nC = D\nB = C\n";
        let (table, _) = parse_aliases(text, "t");
        assert_eq!(table.groups.len(), 1);
        assert_eq!(table.groups[0].names, ["A", "B", "C", "D"]);
        assert_eq!(table.groups[0].line, 1);
    }

    #[test]
    fn merge_adds_and_joins() {
        let (mut base, _) = parse_aliases("Otan = NATO\nONU = Nations unies", "base");
        let (user, _) = parse_aliases("nato = OTAN = Alliance atlantique\nUE = EU", "user");
        base.merge(user);
        assert_eq!(base.groups.len(), 3);
        assert_eq!(
            base.groups[0].names,
            ["Otan", "NATO", "Alliance atlantique"]
        );
        assert_eq!(base.groups[2].names, ["UE", "EU"]);
        base.merge(AliasTable::default());
        assert_eq!(base.groups.len(), 3);
    }

    #[test]
    fn a_large_table_loads_at_once() {
        // 20,000 groups (60,000 names), the last one joining two others: a
        // table of that size must parse in well under a second of real work
        // (the bound leaves room for a slow debug build on a busy machine).
        let mut text = String::new();
        for i in 0..20_000 {
            text.push_str(&format!("Nom{i} = Autre{i} = Troisième{i}\n"));
        }
        text.push_str("Nom1 = Nom2 = Nouveau\n");
        let started = std::time::Instant::now();
        let (table, errors) = parse_aliases(&text, "big.txt");
        let took = started.elapsed();
        assert!(took.as_secs() < 10, "parsing took {took:?}");
        assert_eq!(errors.len(), 1);
        assert_eq!(table.groups.len(), 19_999);
        assert_eq!(
            table.groups[1].names,
            [
                "Nom1",
                "Autre1",
                "Troisième1",
                "Nom2",
                "Autre2",
                "Troisième2",
                "Nouveau"
            ]
        );
        // The index still finds every group after the join moved them.
        let (more, _) = parse_aliases("Autre19999 = Encore\nAutre3 = Aussi", "more");
        let mut table = table;
        table.merge(more);
        assert_eq!(table.groups.len(), 19_999);
        assert_eq!(table.groups.last().unwrap().names.last().unwrap(), "Encore");
        assert!(table.groups[2].names.contains(&"Aussi".to_string()));
    }

    #[test]
    fn odd_input_does_not_panic() {
        for t in [
            "",
            "\u{FEFF}",
            "=",
            "==",
            "#",
            "a=b=",
            "\u{FEFF}A = B",
            "😀 = 🙂",
        ] {
            let _ = parse_aliases(t, "t");
        }
        let (table, errors) = parse_aliases("\u{FEFF}A = B", "t");
        assert!(errors.is_empty());
        assert_eq!(table.groups[0].names, ["A", "B"]);
    }

    #[test]
    fn shipped_table_is_clean() {
        let text = include_str!("../../index-schema/aliases.txt");
        let (table, errors) = parse_aliases(text, "aliases.txt");
        assert!(errors.is_empty(), "{errors:?}");
        assert!(table.groups.len() >= 300, "{}", table.groups.len());
        // No name repeated in its group either (that is not reported):
        // then reading it without the checks gives the same table.
        assert_eq!(parse_clean(text), table);
    }

    #[test]
    fn a_clean_table_reads_the_same_with_or_without_checks() {
        let text =
            "\u{FEFF}# header\n\nDaech = État  islamique = EI\n  Otan =  NATO  # the alliance\r\n";
        assert_eq!(parse_clean(text), parse_aliases(text, "t").0);
        // A repeat is what the checks remove, and the shipped table has none.
        let repeated = "EI = Ei = Daech";
        assert_ne!(parse_clean(repeated), parse_aliases(repeated, "t").0);
    }

    /// The group of the shipped table that holds `name`, if any.
    fn shipped_group(name: &str) -> Option<AliasGroup> {
        let text = include_str!("../../index-schema/aliases.txt");
        let (table, _) = parse_aliases(text, "aliases.txt");
        let id = identity(name);
        table
            .groups
            .into_iter()
            .find(|g| g.names.iter().any(|n| identity(n) == id))
    }

    #[test]
    fn shipped_table_links_translations_acronyms_and_former_names() {
        for (a, b) in [
            ("Birmanie", "Myanmar"),
            ("Eswatini", "Swaziland"),
            ("Dnipro", "Dnipropetrovsk"),
            ("Macédoine du Nord", "ARYM"),
            ("Rassemblement national", "Front national"),
            ("UMP", "LR"),
            ("Mahmoud Abbas", "Abou Mazen"),
            ("Front al-Nosra", "Front Fatah al-Cham"),
            ("Reporters sans frontières", "RSF"),
            ("Forces de soutien rapide", "Rapid Support Forces"),
            ("Allemagne", "Germany"),
            ("al-Charaa", "al-Golani"),
        ] {
            let group = shipped_group(a).unwrap_or_else(|| panic!("{a} is in no group"));
            let id = identity(b);
            assert!(
                group.names.iter().any(|n| identity(n) == id),
                "{a} and {b} should be one group: {:?}",
                group.names
            );
        }
        // Different entities stay apart.
        for (a, b) in [
            ("Hayat Tahrir al-Cham", "Front al-Nosra"),
            ("Hamas", "Brigades Ezzedine al-Qassam"),
            ("Saint-Siège", "Vatican"),
            ("Forces de soutien rapide", "Reporters sans frontières"),
        ] {
            let group = shipped_group(a).unwrap_or_else(|| panic!("{a} is in no group"));
            let id = identity(b);
            assert!(
                !group.names.iter().any(|n| identity(n) == id),
                "{a} and {b} are different entities: {:?}",
                group.names
            );
        }
    }

    #[test]
    fn shipped_table_leaves_out_names_that_mean_something_else_in_french_news() {
        // Each also names something else in French text, where matching
        // ignores case and accents: "sans domicile fixe", Île-de-France,
        // Fratelli d'Italia, the words "un", "eu", "au", "car", "eau", "ans",
        // the English "who", François Hollande, Jordan Bardella, the Israeli
        // Golani brigade, the composer Wagner, the several al-Assad.
        for name in [
            "SDF",
            "IDF",
            "FDI",
            "APL",
            "UN",
            "EU",
            "AU",
            "CAR",
            "EAU",
            "ANS",
            "WHO",
            "ICC",
            "Hollande",
            "Jordan",
            "Mexico",
            "Golani",
            "Wagner",
            "Assad",
            "Les Républicains",
        ] {
            assert!(
                shipped_group(name).is_none(),
                "{name} should be in no group: {:?}",
                shipped_group(name).map(|g| g.names)
            );
        }
    }
}
