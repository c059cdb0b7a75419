//! The fast columns a search reads for every matching passage (record,
//! date, source) and for every copy candidate (signature summary, record
//! identity), opened once
//! per segment for the life of a [`super::Searcher`]. Opening a column
//! decodes its block index: done per query, and per copy candidate, it cost
//! about a tenth of a name query's time at half a million articles.

use tantivy::columnar::{Column, StrColumn};
use tantivy::{DateTime, SegmentOrdinal};

use crate::schema::Fields;

/// One segment's columns; `None` where the segment has no such column
/// (no passage of it has a value).
#[derive(Clone)]
pub struct SegmentColumns {
    /// The record number: distinct values are articles.
    pub records: Option<Column<u64>>,
    /// The article's date.
    pub dates: Option<Column<DateTime>>,
    /// The source as one term (the facets).
    pub sources: Option<StrColumn>,
    /// The passage's signature summary ([`crate::copies::summary`]).
    pub signatures: Option<Column<u64>>,
    /// The record identity of each passage ([`crate::terms::Unit`]).
    pub units: crate::index::Units,
}

/// Every segment's columns, by segment ordinal.
pub struct Columns {
    segments: Vec<SegmentColumns>,
}

impl Columns {
    /// Opens the columns of every segment of `searcher`.
    pub fn open(searcher: &tantivy::Searcher, fields: &Fields) -> tantivy::Result<Columns> {
        let segments = searcher
            .segment_readers()
            .iter()
            .map(|segment| {
                let fast = segment.fast_fields();
                let name = |field| segment.schema().get_field_name(field);
                Ok(SegmentColumns {
                    records: fast.u64(name(fields.record)).ok(),
                    dates: fast.date(name(fields.date)).ok(),
                    sources: fast.str(name(fields.source_key))?,
                    signatures: fast.u64(name(fields.signature)).ok(),
                    units: crate::index::Units::of_segment(segment, fields)?,
                })
            })
            .collect::<tantivy::Result<Vec<_>>>()?;
        Ok(Columns { segments })
    }

    /// The columns of segment `ord`.
    pub fn segment(&self, ord: SegmentOrdinal) -> Option<&SegmentColumns> {
        self.segments.get(ord as usize)
    }
}
