//! After a build: merge its segments into a few of about equal size.
//!
//! A build's writer has a bounded memory, so it writes one segment each
//! time a thread fills its share: 58 segments for OrangeSum x16. Every
//! query pays per segment (its term dictionary is walked for typos and
//! spelling variants, its postings opened), so a build that wrote more
//! than [`FEW_SEGMENTS`] ends by merging them, in one pass, into segments
//! of about [`SEGMENT_PASSAGES`] passages (OrangeSum x1: 7 segments into
//! 1; x4: 3; x16: 11). Merges run one after the other.
//! A merge streams its segments, so its own heap stays small whatever
//! their size (about 15 MiB measured on x16), but the pages of the
//! segments it reads are mapped into the process until it ends: the size
//! of a merged segment (about 190 MiB at 200,000 passages) bounds them.
//!
//! Incremental runs do not come here: they merge only their own small
//! segments (see [`super::SMALL_SEGMENT_PASSAGES`]).

use tantivy::index::SegmentId;
use tantivy::{IndexWriter, TantivyDocument};

/// The passages of a segment a build's merges aim at.
pub const SEGMENT_PASSAGES: u64 = 200_000;

/// A build that wrote this many segments or fewer is not merged. Every
/// segment costs a query its term look-ups, and a command-line search its
/// files to open: on OrangeSum x1 (2026-12-02), one merged segment instead
/// of the 7 written took the query p99 from 13 to 9 ms, the mean from 4.3
/// to 3.4 ms, a cold start from 12.0 to 10.5 ms and the index from 137 to
/// 126 MB, for about 5 s more CPU (+20%) on the build. Builds are rare and
/// searches run all day: a build that wrote several segments is merged.
pub const FEW_SEGMENTS: usize = 1;

/// Groups of segments to merge into segments of about `target` passages, as
/// indexes into `sizes` (passages per segment). As many groups as `target`
/// takes to hold every passage; segments are dealt out largest first, each
/// to the group that holds the fewest passages so far, so the groups end up
/// about equal. A group of one is left as it is and not returned; nothing
/// is returned when there are `few` segments or fewer, or no more segments
/// than groups.
pub fn groups(sizes: &[u64], target: u64, few: usize) -> Vec<Vec<usize>> {
    if sizes.len() <= few {
        return Vec::new();
    }
    let total: u64 = sizes.iter().sum();
    let max = usize::try_from(total.div_ceil(target.max(1)))
        .unwrap_or(usize::MAX)
        .max(1);
    if sizes.len() <= max {
        return Vec::new();
    }
    let mut order: Vec<usize> = (0..sizes.len()).collect();
    // Largest first; the index breaks ties so the plan is deterministic.
    order.sort_by(|&a, &b| sizes[b].cmp(&sizes[a]).then(a.cmp(&b)));
    let mut bins: Vec<(u64, Vec<usize>)> = vec![(0, Vec::new()); max];
    for i in order {
        let (total, members) = bins
            .iter_mut()
            .min_by_key(|(total, members)| (*total, members.len()))
            .expect("max >= 1");
        *total += sizes[i];
        members.push(i);
    }
    bins.into_iter()
        .map(|(_, members)| members)
        .filter(|m| m.len() > 1)
        .collect()
}

/// Merges the committed segments of `writer`'s index into segments of
/// about [`SEGMENT_PASSAGES`] passages; `merging` hears how many there are and will be, before
/// the first merge. Returns the number of merges run.
pub fn compact(
    writer: &mut IndexWriter<TantivyDocument>,
    merging: &mut dyn FnMut(usize, usize),
) -> tantivy::Result<usize> {
    compact_to(writer, SEGMENT_PASSAGES, FEW_SEGMENTS, merging)
}

fn compact_to(
    writer: &mut IndexWriter<TantivyDocument>,
    target: u64,
    few: usize,
    merging: &mut dyn FnMut(usize, usize),
) -> tantivy::Result<usize> {
    let metas = writer.index().searchable_segment_metas()?;
    let sizes: Vec<u64> = metas.iter().map(|m| u64::from(m.num_docs())).collect();
    let plan = groups(&sizes, target, few);
    if plan.is_empty() {
        return Ok(0);
    }
    let after = metas.len() - plan.iter().map(|g| g.len() - 1).sum::<usize>();
    merging(metas.len(), after);
    let groups: Vec<Vec<SegmentId>> = plan
        .iter()
        .map(|g| g.iter().map(|&i| metas[i].id()).collect())
        .collect();
    // A segment's files count as living while its meta does.
    drop(metas);
    for ids in &groups {
        writer.merge(ids).wait()?;
    }
    // The merged segments' files go now, not at the next commit.
    writer.garbage_collect_files().wait()?;
    Ok(plan.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_that_fit_stay_as_they_are() {
        assert!(groups(&[], 100, 0).is_empty());
        assert!(groups(&[50], 100, 0).is_empty());
        assert!(groups(&[100; 8], 100, 0).is_empty());
        // A few segments stay apart when asked, however small.
        let x1 = [40_000, 35_000, 30_000, 23_000];
        assert!(groups(&x1, SEGMENT_PASSAGES, 4).is_empty());
    }

    #[test]
    fn many_small_segments_become_equal_groups() {
        // OrangeSum x16: 58 segments of about 35,000 passages.
        let plan = groups(&[35_000; 58], SEGMENT_PASSAGES, FEW_SEGMENTS);
        assert_eq!(plan.len(), 11);
        let mut lens: Vec<usize> = plan.iter().map(Vec::len).collect();
        lens.sort();
        assert_eq!(lens, vec![5, 5, 5, 5, 5, 5, 5, 5, 6, 6, 6]);
        // A build's four small segments become one.
        assert_eq!(
            groups(
                &[40_000, 35_000, 30_000, 23_000],
                SEGMENT_PASSAGES,
                FEW_SEGMENTS
            ),
            vec![vec![0, 1, 2, 3]]
        );
    }

    #[test]
    fn one_segment_too_many_merges_the_two_smallest() {
        // 522 passages in groups of 66: 8 groups for 9 segments.
        let plan = groups(&[100, 90, 80, 70, 60, 50, 40, 30, 2], 66, 0);
        assert_eq!(plan, vec![vec![7, 8]]);
    }

    #[test]
    fn a_build_of_many_commits_ends_with_few_segments_same_documents_and_payload() {
        use tantivy::schema::{Schema, STORED, STRING};
        let dir = tempfile::tempdir().unwrap();
        let mut schema = Schema::builder();
        let text = schema.add_text_field("t", STRING | STORED);
        let index = tantivy::Index::create_in_dir(dir.path(), schema.build()).unwrap();
        let mut writer: IndexWriter<TantivyDocument> =
            index.writer_with_num_threads(1, 16 << 20).unwrap();
        writer.set_merge_policy(Box::new(tantivy::indexer::NoMergePolicy));
        // Eleven segments of 1 to 11 documents: 66 documents.
        for i in 0..11 {
            for j in 0..=i {
                writer
                    .add_document(tantivy::doc!(text => format!("d{i}-{j}")))
                    .unwrap();
            }
            let mut commit = writer.prepare_commit().unwrap();
            commit.set_payload("state");
            commit.commit().unwrap();
        }
        let files_before = std::fs::read_dir(dir.path()).unwrap().count();
        let mut heard = None;
        let merges = compact_to(&mut writer, 9, FEW_SEGMENTS, &mut |a, b| {
            heard = Some((a, b))
        })
        .unwrap();
        writer.wait_merging_threads().unwrap();

        // 66 / 9 makes 8 groups: 11..4 alone, then 3, 2 and 1 join 4, 5 and 6.
        assert_eq!(heard, Some((11, 8)));
        assert_eq!(merges, 3);
        let metas = index.load_metas().unwrap();
        assert_eq!(metas.segments.len(), 8);
        assert_eq!(metas.payload.as_deref(), Some("state"));
        let reader = index.reader().unwrap();
        assert_eq!(reader.searcher().num_docs(), 66);
        let term = tantivy::Term::from_field_text(text, "d10-3");
        assert_eq!(reader.searcher().doc_freq(&term).unwrap(), 1);
        // The merged segments' files are gone.
        let files_after = std::fs::read_dir(dir.path()).unwrap().count();
        assert!(
            files_after < files_before,
            "{files_after} >= {files_before}"
        );
    }

    proptest::proptest! {
        #[test]
        fn every_segment_is_kept_or_merged_once_into_groups_that_hold_all(
            sizes in proptest::collection::vec(0u64..1_000_000, 0..80),
            target in 1u64..5_000_000,
        ) {
            let plan = groups(&sizes, target, 0);
            let mut seen = vec![0u32; sizes.len()];
            for g in &plan {
                proptest::prop_assert!(g.len() >= 2);
                for &i in g {
                    seen[i] += 1;
                }
            }
            proptest::prop_assert!(seen.iter().all(|&n| n <= 1));
            let merged: usize = plan.iter().map(|g| g.len()).sum();
            let remaining = sizes.len() - merged + plan.len();
            let wanted = (sizes.iter().sum::<u64>().div_ceil(target) as usize).max(1);
            if sizes.len() <= wanted {
                proptest::prop_assert!(plan.is_empty());
            } else {
                proptest::prop_assert_eq!(remaining, wanted);
            }
        }
    }
}
