//! A bare-tantivy baseline for `benches/run.sh scale`: what plain tantivy
//! costs on the same French news, with none of recoupe's work (no passages,
//! no stems and name keys beside the exact words, no incremental bookkeeping,
//! no re-ranking). recoupe's figures are read as ratios of these.
//!
//! One tantivy document per article, one schema:
//!
//! - `id`: the record's `id`, `STRING | STORED`;
//! - `text`: title, lead and body joined by newlines, stored, indexed with
//!   frequencies and positions through the analyzer `fr` below.
//!
//! The analyzer `fr`: tantivy's `SimpleTokenizer`, `LowerCaser`, a
//! `StopWordFilter` holding recoupe's own lists (`index-schema/stopwords.txt`
//! and the elided words of `index-schema/elisions.txt`, since
//! `SimpleTokenizer` cuts `l'armée` into `l` and `armée`), `AsciiFoldingFilter`,
//! then Snowball French stemming through `rust-stemmers`. (tantivy's own
//! `Stemmer` and its built-in French stop-word list sit behind tantivy
//! features recoupe does not enable, so the stemming filter is written here:
//! [`FrenchStem`].) Stop words go before folding, so `à` is removed and `a`
//! kept apart; folding goes before stemming, so `réfugiés` and `refugies`
//! meet.
//!
//! ```text
//! baseline index --corpus FILE.jsonl[.gz]... --index DIR [--threads 2] [--memory 256] [--append]
//! baseline search --index DIR [--limit 10] [--count] (--batch QUERIES.txt | QUERY...)
//! ```
//!
//! `index` creates DIR (it must not hold an index unless `--append` is given,
//! which adds the records to the index already there), adds every record with
//! `threads` indexing threads sharing `memory` MiB, commits once and waits for
//! the merges tantivy's default merge policy starts. It prints one summary
//! line on stdout.
//!
//! `search` parses each query with tantivy's `QueryParser` over `text`
//! (words joined by OR, the default; lenient, so every line is answered),
//! collects the top `limit` articles by BM25 and makes one snippet per hit
//! with `SnippetGenerator`. Hits go to stdout, one line each:
//! `query<TAB>rank<TAB>score<TAB>id<TAB>snippet` (matched words between `**`).
//! With `--count`, each query also counts every article it matches, as
//! recoupe's totals do (tantivy's `Count` beside `TopDocs`, so block-max WAND
//! can no longer skip documents), and prints `query<TAB>total<TAB>N` first.
//! With `--batch`, the whole batch is first answered once with the output
//! thrown away (warm-up), then answered again, and each query's time of that
//! second pass is printed on stderr as `query<TAB>milliseconds`, as
//! `recoupe search --timings` does. With a query on the command line the
//! process opens the index, answers it once and exits: the cold start.

use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use clap::{Parser, Subcommand};
use flate2::read::MultiGzDecoder;
use serde::Deserialize;
use tantivy::collector::{Count, TopDocs};
use tantivy::query::QueryParser;
use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, Value, STORED, STRING,
};
use tantivy::snippet::{Snippet, SnippetGenerator};
use tantivy::tokenizer::{
    AsciiFoldingFilter, LowerCaser, SimpleTokenizer, StopWordFilter, TextAnalyzer, Token,
    TokenFilter, TokenStream, Tokenizer,
};
use tantivy::{doc, Index, IndexReader, IndexWriter, ReloadPolicy, Searcher, TantivyDocument};

const ANALYZER: &str = "fr";
const STOPWORDS: &str = include_str!("../index-schema/stopwords.txt");
const ELISIONS: &str = include_str!("../index-schema/elisions.txt");

#[derive(Parser)]
#[command(about = "Bare-tantivy baseline for benches/run.sh scale")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Index JSONL records (id, title, lead, body) into a new index
    Index {
        /// JSONL files, gzip-compressed when the name ends in .gz
        #[arg(long, num_args = 1.., required = true)]
        corpus: Vec<PathBuf>,
        /// Index directory
        #[arg(long)]
        index: PathBuf,
        /// Indexing threads
        #[arg(long, default_value_t = 2)]
        threads: usize,
        /// Writer memory in MiB, shared by the threads
        #[arg(long, default_value_t = 256)]
        memory: usize,
        /// Add to the index already in DIR instead of creating one
        #[arg(long)]
        append: bool,
    },
    /// Answer queries: top hits with a snippet each
    Search {
        /// Index directory
        #[arg(long)]
        index: PathBuf,
        /// Hits per query
        #[arg(long, default_value_t = 10)]
        limit: usize,
        /// Also count every matching article (no block-max WAND skipping)
        #[arg(long)]
        count: bool,
        /// One query a line; answered once untimed, then timed
        #[arg(long, conflicts_with = "query")]
        batch: Option<PathBuf>,
        /// A single query (the cold-start mode)
        #[arg(required_unless_present = "batch")]
        query: Vec<String>,
    },
}

fn main() -> ExitCode {
    let result = match Cli::parse().command {
        Command::Index {
            corpus,
            index,
            threads,
            memory,
            append,
        } => run_index(&corpus, &index, threads, memory, append),
        Command::Search {
            index,
            limit,
            count,
            batch,
            query,
        } => run_search(&index, limit, count, batch.as_deref(), &query.join(" ")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("baseline: {e}");
            ExitCode::from(2)
        }
    }
}

type Error = Box<dyn std::error::Error>;

// ------------------------------------------------------------------ analysis

/// Snowball French stemming of each token, in place. Tokens are expected to
/// be lowercased and accent-folded beforehand. Offsets are left alone.
#[derive(Clone)]
struct FrenchStem;

impl TokenFilter for FrenchStem {
    type Tokenizer<T: Tokenizer> = FrenchStemTokenizer<T>;

    fn transform<T: Tokenizer>(self, inner: T) -> FrenchStemTokenizer<T> {
        FrenchStemTokenizer {
            inner,
            stemmer: Arc::new(rust_stemmers::Stemmer::create(
                rust_stemmers::Algorithm::French,
            )),
        }
    }
}

#[derive(Clone)]
struct FrenchStemTokenizer<T> {
    inner: T,
    stemmer: Arc<rust_stemmers::Stemmer>,
}

impl<T: Tokenizer> Tokenizer for FrenchStemTokenizer<T> {
    type TokenStream<'a> = FrenchStemStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        FrenchStemStream {
            inner: self.inner.token_stream(text),
            stemmer: &self.stemmer,
        }
    }
}

struct FrenchStemStream<'a, S> {
    inner: S,
    stemmer: &'a rust_stemmers::Stemmer,
}

impl<S: TokenStream> TokenStream for FrenchStemStream<'_, S> {
    fn advance(&mut self) -> bool {
        if !self.inner.advance() {
            return false;
        }
        let token = self.inner.token_mut();
        // An unchanged word comes back borrowed: nothing to write.
        if let std::borrow::Cow::Owned(stem) = self.stemmer.stem(&token.text) {
            token.text = stem;
        }
        true
    }

    fn token(&self) -> &Token {
        self.inner.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.inner.token_mut()
    }
}

/// Words of one of recoupe's word lists (`#` comments and blank lines skipped).
fn word_list(text: &str) -> impl Iterator<Item = String> + '_ {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_lowercase)
}

fn french_analyzer() -> TextAnalyzer {
    let stop = word_list(STOPWORDS).chain(word_list(ELISIONS));
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(LowerCaser)
        .filter(StopWordFilter::remove(stop))
        .filter(AsciiFoldingFilter)
        .filter(FrenchStem)
        .build()
}

// ------------------------------------------------------------------ schema

struct Fields {
    id: Field,
    text: Field,
}

fn schema() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let id = builder.add_text_field("id", STRING | STORED);
    let indexing = TextFieldIndexing::default()
        .set_tokenizer(ANALYZER)
        .set_index_option(IndexRecordOption::WithFreqsAndPositions);
    let text = builder.add_text_field(
        "text",
        TextOptions::default()
            .set_indexing_options(indexing)
            .set_stored(),
    );
    (builder.build(), Fields { id, text })
}

/// The index's fields, with the analyzer registered (tantivy stores only
/// its name).
fn fields_of(index: &Index) -> Result<Fields, Error> {
    index.tokenizers().register(ANALYZER, french_analyzer());
    let schema = index.schema();
    Ok(Fields {
        id: schema.get_field("id")?,
        text: schema.get_field("text")?,
    })
}

// ------------------------------------------------------------------ index

#[derive(Deserialize)]
struct Record {
    id: Option<String>,
    title: Option<String>,
    lead: Option<String>,
    body: Option<String>,
}

fn open_lines(path: &Path) -> Result<Box<dyn BufRead>, Error> {
    let file = File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let read: Box<dyn Read> = if path.extension().is_some_and(|e| e == "gz") {
        Box::new(MultiGzDecoder::new(file))
    } else {
        Box::new(file)
    };
    Ok(Box::new(BufReader::with_capacity(1 << 16, read)))
}

fn run_index(
    corpus: &[PathBuf],
    dir: &Path,
    threads: usize,
    memory_mib: usize,
    append: bool,
) -> Result<(), Error> {
    let started = Instant::now();
    let index = if append {
        Index::open_in_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?
    } else {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        Index::create_in_dir(dir, schema().0).map_err(|e| format!("{}: {e}", dir.display()))?
    };
    let fields = fields_of(&index)?;
    let mut writer: IndexWriter = index.writer_with_num_threads(threads, memory_mib << 20)?;

    let (mut added, mut skipped) = (0u64, 0u64);
    let mut text = String::new();
    for path in corpus {
        let mut lines = open_lines(path)?;
        let mut line = String::new();
        let mut lineno = 0u64;
        loop {
            line.clear();
            if lines
                .read_line(&mut line)
                .map_err(|e| format!("{}: {e}", path.display()))?
                == 0
            {
                break;
            }
            lineno += 1;
            if line.trim().is_empty() {
                continue;
            }
            let record: Record = match serde_json::from_str(&line) {
                Ok(r) => r,
                Err(e) => {
                    eprintln!("{}:{lineno}: {e}", path.display());
                    skipped += 1;
                    continue;
                }
            };
            let id = record
                .id
                .unwrap_or_else(|| format!("{}#{lineno}", path.display()));
            text.clear();
            for part in [&record.title, &record.lead, &record.body]
                .into_iter()
                .flatten()
            {
                if !part.is_empty() {
                    if !text.is_empty() {
                        text.push('\n');
                    }
                    text.push_str(part);
                }
            }
            writer.add_document(doc!(fields.id => id, fields.text => text.as_str()))?;
            added += 1;
        }
    }
    writer.commit()?;
    writer.wait_merging_threads()?;
    let segments = index.searchable_segment_metas()?.len();
    println!(
        "baseline index: {added} added, {skipped} skipped, {segments} segments, {:.2} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

// ------------------------------------------------------------------ search

struct Engine {
    reader: IndexReader,
    parser: QueryParser,
    fields: Fields,
}

impl Engine {
    fn open(dir: &Path) -> Result<Engine, Error> {
        let index = Index::open_in_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let fields = fields_of(&index)?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let parser = QueryParser::for_index(&index, vec![fields.text]);
        Ok(Engine {
            reader,
            parser,
            fields,
        })
    }

    /// Appends the hits of `query` to `out`; returns how many.
    fn answer(
        &self,
        searcher: &Searcher,
        query: &str,
        limit: usize,
        count: bool,
        out: &mut String,
    ) -> Result<usize, Error> {
        use std::fmt::Write as _;
        let (parsed, _errors) = self.parser.parse_query_lenient(query);
        let top_docs = TopDocs::with_limit(limit).order_by_score();
        let top = if count {
            let (total, top) = searcher.search(&parsed, &(Count, top_docs))?;
            let _ = writeln!(out, "{query}\ttotal\t{total}");
            top
        } else {
            searcher.search(&parsed, &top_docs)?
        };
        if top.is_empty() {
            return Ok(0);
        }
        let snippets = SnippetGenerator::create(searcher, &parsed, self.fields.text)?;
        for (rank, (score, address)) in top.iter().enumerate() {
            let doc: TantivyDocument = searcher.doc(*address)?;
            let id = doc
                .get_first(self.fields.id)
                .and_then(|v| v.as_str())
                .unwrap_or("");
            let snippet = snippets.snippet_from_doc(&doc);
            let _ = write!(out, "{query}\t{}\t{score:.3}\t{id}\t", rank + 1);
            push_snippet(&snippet, out);
            out.push('\n');
        }
        Ok(top.len())
    }
}

/// The snippet's fragment on one line, matched words between `**`.
fn push_snippet(snippet: &Snippet, out: &mut String) {
    let fragment = snippet.fragment();
    let mut at = 0;
    let push = |s: &str, out: &mut String| {
        out.extend(s.chars().map(|c| if c.is_control() { ' ' } else { c }))
    };
    for range in snippet.highlighted() {
        push(&fragment[at..range.start], out);
        out.push_str("**");
        push(&fragment[range.clone()], out);
        out.push_str("**");
        at = range.end;
    }
    push(&fragment[at..], out);
}

fn run_search(
    dir: &Path,
    limit: usize,
    count: bool,
    batch: Option<&Path>,
    query: &str,
) -> Result<(), Error> {
    let engine = Engine::open(dir)?;
    let searcher = engine.reader.searcher();
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let mut buf = String::new();

    let Some(batch) = batch else {
        engine.answer(&searcher, query, limit, count, &mut buf)?;
        out.write_all(buf.as_bytes())?;
        out.flush()?;
        return Ok(());
    };

    let text = std::fs::read_to_string(batch).map_err(|e| format!("{}: {e}", batch.display()))?;
    let queries: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|q| !q.is_empty())
        .collect();
    // Warm-up: the same batch once, output thrown away.
    for q in &queries {
        buf.clear();
        engine.answer(&searcher, q, limit, count, &mut buf)?;
    }
    let stderr = io::stderr();
    let mut timings = stderr.lock();
    for q in &queries {
        let started = Instant::now();
        buf.clear();
        engine.answer(&searcher, q, limit, count, &mut buf)?;
        out.write_all(buf.as_bytes())?;
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        writeln!(timings, "{q}\t{ms:.3}")?;
    }
    out.flush()?;
    Ok(())
}
