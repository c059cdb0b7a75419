//! Article metadata field names shared by JSON records and text front matter.
//!
//! Each article field accepts a main name and a few alternates (`body` may be
//! given as `text`, `article` or `content`, and so on). Names are matched
//! without regard to case. When a record carries several names for the same
//! field, the main name wins, then the alternates in the documented order.
//! Empty values count as absent, so an empty `body` does not hide a filled
//! `text`.

/// An article field that a record may fill.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Field {
    Id,
    Title,
    Date,
    Source,
    Url,
    Lead,
    Body,
    Image,
}

const FIELD_COUNT: usize = 8;

impl Field {
    fn slot(self) -> usize {
        self as usize
    }
}

/// Accepted names, in order of preference within each field.
const NAMES: &[(&str, Field)] = &[
    ("id", Field::Id),
    ("title", Field::Title),
    ("date", Field::Date),
    ("pubdate", Field::Date),
    ("published", Field::Date),
    ("published_time", Field::Date),
    ("source", Field::Source),
    ("url", Field::Url),
    ("lead", Field::Lead),
    ("heading", Field::Lead),
    ("description", Field::Lead),
    ("chapo", Field::Lead),
    ("body", Field::Body),
    ("text", Field::Body),
    ("article", Field::Body),
    ("content", Field::Body),
    ("image", Field::Image),
];

/// The field a record key stands for, with its rank among the field's names
/// (0 for the main name).
pub(crate) fn field_for(key: &str) -> Option<(Field, usize)> {
    let lower = key.trim().to_lowercase();
    let position = NAMES.iter().position(|(name, _)| *name == lower)?;
    let field = NAMES.get(position)?.1;
    let first = NAMES
        .iter()
        .position(|(_, f)| *f == field)
        .unwrap_or(position);
    Some((field, position - first))
}

/// Values collected for the article fields, keeping the preferred name's
/// value when several are given.
#[derive(Debug, Default, Clone)]
pub(crate) struct Fields {
    values: [Option<(usize, String)>; FIELD_COUNT],
}

impl Fields {
    /// Records `value` under `key` if the key names a field, the value is not
    /// blank, and no preferred name already filled that field.
    pub(crate) fn offer(&mut self, key: &str, value: &str) {
        let Some((field, rank)) = field_for(key) else {
            return;
        };
        let value = value.trim();
        if value.is_empty() {
            return;
        }
        if let Some(slot) = self.values.get_mut(field.slot()) {
            let better = match slot {
                Some((held, _)) => rank < *held,
                None => true,
            };
            if better {
                *slot = Some((rank, value.to_string()));
            }
        }
    }

    /// The value held for `field`, if any.
    pub(crate) fn get(&self, field: Field) -> Option<&str> {
        self.values
            .get(field.slot())
            .and_then(|v| v.as_ref())
            .map(|(_, s)| s.as_str())
    }

    /// The value held for `field`, or an empty string.
    pub(crate) fn text(&self, field: Field) -> String {
        self.get(field).unwrap_or("").to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alternate_names_map_to_fields() {
        assert_eq!(field_for("content"), Some((Field::Body, 3)));
        assert_eq!(field_for("pubDate"), Some((Field::Date, 1)));
        assert_eq!(field_for("Chapo"), Some((Field::Lead, 3)));
        assert_eq!(field_for("body"), Some((Field::Body, 0)));
        assert_eq!(field_for("author"), None);
    }

    #[test]
    fn main_name_wins_whatever_the_order_and_blank_values_are_skipped() {
        let mut f = Fields::default();
        f.offer("text", "from text");
        f.offer("body", "from body");
        f.offer("content", "from content");
        assert_eq!(f.get(Field::Body), Some("from body"));
        f.offer("lead", "   ");
        f.offer("description", " desc ");
        assert_eq!(f.get(Field::Lead), Some("desc"));
        assert_eq!(f.text(Field::Title), "");
    }
}
