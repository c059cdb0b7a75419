//! Where an index's bytes go: per field, its term dictionary, postings,
//! positions, fast fields and norms, summed over the segments of the commit,
//! then the document store. Used by `benches/run.sh` to explain index size.
//!
//! Usage: `cargo run --release --example space -- INDEX`, where INDEX is
//! recoupe's index folder (its current generation is read) or a plain
//! tantivy index folder.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn generation(dir: &Path) -> PathBuf {
    match std::fs::read_to_string(dir.join("CURRENT")) {
        Ok(name) => dir.join(name.trim()),
        Err(_) => dir.to_path_buf(),
    }
}

fn main() {
    let Some(dir) = std::env::args().nth(1) else {
        eprintln!("usage: space INDEX");
        std::process::exit(2);
    };
    let dir = generation(Path::new(&dir));
    let index = match tantivy::Index::open_in_dir(&dir) {
        Ok(index) => index,
        Err(e) => {
            eprintln!("space: cannot open {}: {e}", dir.display());
            std::process::exit(1);
        }
    };
    let usage = match index.reader().and_then(|r| Ok(r.searcher().space_usage()?)) {
        Ok(usage) => usage,
        Err(e) => {
            eprintln!("space: cannot read {}: {e}", dir.display());
            std::process::exit(1);
        }
    };
    let mut fields: BTreeMap<String, [u64; 5]> = BTreeMap::new();
    let mut store = 0;
    for segment in usage.segments() {
        let parts = [
            segment.termdict(),
            segment.postings(),
            segment.positions(),
            segment.fast_fields(),
            segment.fieldnorms(),
        ];
        for (kind, part) in parts.into_iter().enumerate() {
            for field in part.fields() {
                let name = field.field_name().to_string();
                fields.entry(name).or_default()[kind] += field.total().get_bytes();
            }
        }
        store += segment.store().total().get_bytes();
    }
    let mb = |b: u64| b as f64 / 1e6;
    println!(
        "{:<16} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9}",
        "field (MB)", "terms", "postings", "positions", "fast", "norms", "total"
    );
    for (name, v) in &fields {
        println!(
            "{:<16} {:>9.1} {:>9.1} {:>9.1} {:>9.1} {:>9.1} {:>9.1}",
            name,
            mb(v[0]),
            mb(v[1]),
            mb(v[2]),
            mb(v[3]),
            mb(v[4]),
            mb(v.iter().sum())
        );
    }
    println!("{:<16} {:>59.1}", "store", mb(store));
    println!(
        "{:<16} {:>59.1}   ({} segments)",
        "all",
        mb(usage.total().get_bytes()),
        usage.segments().len()
    );
}
