#!/usr/bin/env bash
# recoupe benchmarks: indexing speed, incremental updates, query latency and
# PIAF retrieval quality. See benches/README.md for what each figure means and
# the targets.
#
# Usage:  benches/run.sh [index|incremental|latency|piaf|names|names-real|ablation|scale|watch|all]   (default: all)
#
#   index        fresh index of OrangeSum (36k articles): wall time, peak RSS,
#                articles/s, MB/s, index size
#   incremental  no-change run, run after adding 100 articles, --full rebuild
#                (uses the OrangeSum index; builds it first if it is missing)
#   latency      300 queries through one `recoupe search --batch` process:
#                mean, p50, p99 per query (snippets included)
#   piaf         PIAF dev questions against the PIAF paragraphs: MRR@10, recall@10
#   names        300 name queries (with spelling variants, aliases, typos) on
#                OrangeSum: p50/p99; then name recall and precision per query,
#                strict vs default, on tests/fixtures/names.jsonl
#   names-real   106 name queries on real OrangeSum passages (benches/names/):
#                recall, top-10 precision and false friends, default and --strict
#   ablation     each ranking feature switched off in turn: PIAF MRR@10 and
#                recall@1/10/100, name precision on real passages (not in all:
#                about 15 minutes)
#   scale        recoupe next to a bare-tantivy baseline (benches/baseline.rs)
#                on OrangeSum x1, x4 and x16 (every article 1, 4 or 16 times
#                under distinct ids): indexing wall/CPU/peak RSS/size, query
#                p50/p99 of 300 mixed queries at x1 and x16, cold start,
#                no-change runs, +1,000 articles to x16, and how time and
#                size grow from x1 to x16; table in logs/scale.md (not in
#                all: 15 to 25 minutes on 2 cores)
#   watch        a watchlist of 1,000 names (benches/watch_names.py: the
#                alias table's and OrangeSum's most frequent capitalised
#                names), then a run adding 1,000 articles to OrangeSum x1
#                and x4: the run's indexing time, its watch step's time,
#                their ratio, and how the watch step grows from x1 to x4
#                (median of 3 runs each; not in all: about 10 minutes)
#
# Environment:
#   RECOUPE_BENCH_DIR  scratch directory for corpora links, indexes and logs
#                      (default /tmp/recoupe-bench). The data is only linked or
#                      read from there, never copied into the repository.
#   DATA               data directory holding orangesum.jsonl.gz and piaf/
#                      (default: ../shared/data relative to the repository root)
#   RECOUPE_BIN        measure this recoupe binary instead of building
#                      target/release/recoupe (e.g. an older release)
#   BASELINE_BIN       (scale) this baseline binary instead of building
#                      target/release/examples/baseline
#   SCALE_MAX          (scale) largest corpus: 1, 4 or 16 (default 16); 4 makes
#                      a quick run without the x16 figures
#   SCALE_THREADS      (scale) indexing threads of both engines (default 2)
#
# Tools: /usr/bin/time (GNU time) and hyperfine are installed with apt-get when
# missing (needs root); without hyperfine the no-change runs and cold starts
# are timed with a plain loop instead. python3 (standard library only) does the arithmetic.
#
# Latency method: when `recoupe search --help` lists `--timings`, the batch is
# run once with it and each query's own time (`query<TAB>milliseconds` on
# stderr) gives p50/p99. Otherwise each query is run in its own process, and the
# median time of a query with no hit (`zzzzqqq`, mostly process start and index
# opening) is subtracted from each query's wall time; the batch total / 300 is
# reported as the mean in both cases.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH="${RECOUPE_BENCH_DIR:-/tmp/recoupe-bench}"
DATA="${DATA:-$REPO/../shared/data}"
BIN="${RECOUPE_BIN:-$REPO/target/release/recoupe}"
EVAL="$REPO/benches/retrieval_eval.py"

ORANGESUM="$DATA/orangesum.jsonl.gz"
PIAF_PARAGRAPHS="$DATA/piaf/paragraphs.jsonl.gz"
PIAF_QUESTIONS="$DATA/piaf/dev-questions.tsv"

OS_CORPUS="$BENCH/orangesum-corpus"
OS_INDEX="$BENCH/orangesum-index"
PIAF_CORPUS="$BENCH/piaf-corpus"
PIAF_INDEX="$BENCH/piaf-index"
LOGS="$BENCH/logs"

PART="${1:-all}"
case "$PART" in
    index|incremental|latency|piaf|names|names-real|ablation|scale|watch|all) ;;
    -h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; exit 0 ;;
    *) echo "usage: $0 [index|incremental|latency|piaf|names|names-real|ablation|scale|watch|all]" >&2; exit 2 ;;
esac

# Figures gathered by this run, printed as a table at the end.
declare -A FIG=()
ORDER=()
record() { # key value
    [[ -v "FIG[$1]" ]] || ORDER+=("$1")
    FIG[$1]="$2"
}

die() { echo "run.sh: $*" >&2; exit 1; }
note() { echo "== $*" >&2; }

# ---------------------------------------------------------------- setup

apt_install() { # package...
    local sudo=""
    [[ $(id -u) -eq 0 ]] || sudo="sudo"
    if [[ -z "${APT_UPDATED:-}" ]]; then
        $sudo apt-get update -qq >/dev/null 2>&1 || true
        APT_UPDATED=1
    fi
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null 2>&1
}

ensure_tools() {
    command -v python3 >/dev/null || die "python3 is required"
    if [[ ! -x /usr/bin/time ]]; then
        note "installing GNU time"
        apt_install time || die "could not install GNU time (apt-get install time)"
    fi
    # Only the incremental and scale parts use hyperfine.
    if [[ "$PART" == incremental || "$PART" == scale || "$PART" == all ]] && ! command -v hyperfine >/dev/null; then
        note "installing hyperfine"
        apt_install hyperfine || note "hyperfine unavailable; timing with a plain loop"
    fi
}

build() {
    if [[ -n "${RECOUPE_BIN:-}" ]]; then
        [[ -x "$BIN" ]] || die "RECOUPE_BIN=$BIN is not an executable"
        note "using $BIN (not building)"
        return
    fi
    note "building release binary"
    (cd "$REPO" && cargo build --release --quiet) || die "cargo build --release failed"
    [[ -x "$BIN" ]] || die "no binary at $BIN"
}

check_data() {
    [[ -f "$ORANGESUM" ]] || die "missing $ORANGESUM (set DATA)"
    [[ -f "$PIAF_PARAGRAPHS" && -f "$PIAF_QUESTIONS" ]] || die "missing PIAF files under $DATA/piaf"
}

# Current time in nanoseconds.
now_ns() { date +%s%N; }

# Seconds between two now_ns values, 3 decimals.
secs_between() { python3 -c "import sys; print(f'{(int(sys.argv[2]) - int(sys.argv[1])) / 1e9:.3f}')" "$1" "$2"; }

# Print a field of a one-line JSON object read from a file.
json_field() { # file key
    python3 -c "import json,sys; v=json.load(open(sys.argv[1]))[sys.argv[2]]; print(v)" "$1" "$2"
}

# Wall seconds and peak RSS (MiB) from a `/usr/bin/time -v` report.
time_wall() {
    python3 - "$1" <<'EOF'
import sys
for line in open(sys.argv[1]):
    if "Elapsed (wall clock) time" in line:
        t = line.rsplit(" ", 1)[1].strip()
        secs = 0.0
        for part in t.split(":"):
            secs = secs * 60 + float(part)
        print(f"{secs:.2f}")
EOF
}
time_rss_mib() {
    awk -F: '/Maximum resident set size/ { printf "%.1f\n", $2 / 1024 }' "$1"
}

# Run `recoupe index` under /usr/bin/time -v; summary JSON to $LOGS/$name.json.
timed_index() { # name extra-args...
    local name="$1"; shift
    local rc=0
    /usr/bin/time -v -o "$LOGS/$name.time" \
        "$BIN" index --corpus "$OS_CORPUS" --index "$OS_INDEX" --json --quiet "$@" \
        >"$LOGS/$name.json" 2>"$LOGS/$name.err" || rc=$?
    if [[ $rc -ne 0 ]]; then
        cat "$LOGS/$name.err" >&2
        die "recoupe index ($name) exited with $rc"
    fi
    if [[ -s "$LOGS/$name.err" ]]; then
        note "recoupe index ($name) wrote to stderr:"; head -5 "$LOGS/$name.err" >&2
    fi
}

setup_orangesum_corpus() {
    mkdir -p "$OS_CORPUS" "$LOGS"
    ln -sfn "$ORANGESUM" "$OS_CORPUS/orangesum.jsonl.gz"
    rm -f "$OS_CORPUS/bench-new.jsonl"
}

uncompressed_bytes() {
    # Computed once and remembered in the scratch directory.
    local cache="$BENCH/orangesum.bytes"
    if [[ ! -s "$cache" || "$cache" -ot "$ORANGESUM" ]]; then
        zcat "$ORANGESUM" | wc -c >"$cache"
    fi
    tr -d ' \n' <"$cache"
}

# ---------------------------------------------------------------- a. index

bench_index() {
    note "a. indexing: fresh OrangeSum index"
    setup_orangesum_corpus
    rm -rf "$OS_INDEX"
    local bytes; bytes=$(uncompressed_bytes)
    timed_index fresh
    local wall rss added size
    wall=$(time_wall "$LOGS/fresh.time")
    rss=$(time_rss_mib "$LOGS/fresh.time")
    added=$(json_field "$LOGS/fresh.json" added)
    size=$(du -sb "$OS_INDEX" | cut -f1)
    local rates
    rates=$(python3 -c "import sys; a,b,w,s=map(float,sys.argv[1:]); print(f'{a/w:.0f} {b/1e6/w:.1f} {b/1e6:.1f} {s/2**20:.1f}')" \
        "$added" "$bytes" "$wall" "$size")
    read -r arts_s mb_s mb size_mib <<<"$rates"
    record "Index: articles" "$added"
    record "Index: corpus size (MB, uncompressed)" "$mb"
    record "Index: wall time (s)" "$wall"
    record "Index: peak RSS (MiB)" "$rss"
    record "Index: articles/s" "$arts_s"
    record "Index: MB/s" "$mb_s"
    record "Index: size on disk (MiB)" "$size_mib"
    echo "index: $added articles ($mb MB) in ${wall} s, peak RSS ${rss} MiB, ${arts_s} articles/s, ${mb_s} MB/s, index ${size_mib} MiB"
}

# ---------------------------------------------------------------- b. incremental

# 100 OrangeSum records (every 300th) under new ids bench-new-1..100.
write_new_articles() { # output-file
    zcat "$ORANGESUM" | python3 -c '
import json, sys
out, n = [], 0
for i, line in enumerate(sys.stdin):
    if i % 300 == 0 and n < 100:
        rec = json.loads(line)
        n += 1
        rec["id"] = f"bench-new-{n}"
        out.append(json.dumps(rec, ensure_ascii=False))
print("\n".join(out))
' >"$1"
}

bench_incremental() {
    note "b. incremental updates"
    setup_orangesum_corpus
    # Untimed: builds the index if it is missing, or brings it back to the
    # plain corpus (drops articles an interrupted earlier run added).
    timed_index prepare

    # No change.
    local nochange
    if command -v hyperfine >/dev/null; then
        hyperfine --style none --warmup 1 --runs 5 --export-json "$LOGS/nochange.hyperfine.json" \
            "'$BIN' index --corpus '$OS_CORPUS' --index '$OS_INDEX' --quiet" >/dev/null
        nochange=$(python3 -c "import json,sys; r=json.load(open(sys.argv[1]))['results'][0]; print(f\"{r['mean']:.3f} {r['stddev'] or 0:.3f}\")" \
            "$LOGS/nochange.hyperfine.json")
    else
        "$BIN" index --corpus "$OS_CORPUS" --index "$OS_INDEX" --quiet  # warm-up
        local t0 t1
        t0=$(now_ns)
        for _ in 1 2 3 4 5; do "$BIN" index --corpus "$OS_CORPUS" --index "$OS_INDEX" --quiet; done
        t1=$(now_ns)
        nochange="$(python3 -c "import sys; print(f'{(int(sys.argv[2])-int(sys.argv[1]))/5e9:.3f}')" "$t0" "$t1") 0"
    fi
    local nc_mean nc_sd
    read -r nc_mean nc_sd <<<"$nochange"
    timed_index nochange-check
    local unchanged; unchanged=$(json_field "$LOGS/nochange-check.json" unchanged)
    record "Incremental: no-change run (s)" "$nc_mean"
    echo "incremental: no-change run ${nc_mean} s (±${nc_sd}, $unchanged articles unchanged)"

    # 100 new articles in a new file.
    write_new_articles "$OS_CORPUS/bench-new.jsonl"
    timed_index add100
    local add_wall add_n
    add_wall=$(time_wall "$LOGS/add100.time")
    add_n=$(json_field "$LOGS/add100.json" added)
    [[ "$add_n" == 100 ]] || note "WARNING: expected 100 added articles, the index reported $add_n"
    record "Incremental: +100 articles (s)" "$add_wall"
    echo "incremental: +100 articles in ${add_wall} s (added: $add_n)"

    # Full rebuild.
    timed_index full --full
    local full_wall full_rss
    full_wall=$(time_wall "$LOGS/full.time")
    full_rss=$(time_rss_mib "$LOGS/full.time")
    record "Incremental: --full rebuild (s)" "$full_wall"
    record "Incremental: --full peak RSS (MiB)" "$full_rss"
    echo "incremental: --full rebuild in ${full_wall} s, peak RSS ${full_rss} MiB"

    # Leave the index as the plain corpus again (also checks deletion).
    rm -f "$OS_CORPUS/bench-new.jsonl"
    timed_index cleanup
    local deleted; deleted=$(json_field "$LOGS/cleanup.json" deleted)
    [[ "$deleted" == 100 ]] || note "WARNING: expected 100 deleted articles after removing the new file, the index reported $deleted"
}

# ---------------------------------------------------------------- c. latency

# 150 plain queries of 1, 2, 3, 1, 2, 3... words (lower-case words of 4+
# letters, from the start of every 241st title), then 150 name queries (the
# first run of capitalised words after a title's first word, at most two words
# as in "Olivier Véran", from every 241st title starting at the 120th). Words of
# index-schema/stopwords.txt are never used. When a title gives nothing new,
# the walk goes on with the next one of its stride.
write_latency_queries() { # output-file
    zcat "$ORANGESUM" | python3 "$REPO/benches/title_queries.py" "$REPO/index-schema/stopwords.txt" \
        --count 150 --sizes 1,2,3 --order plain,names >"$1"
    local n; n=$(wc -l <"$1")
    [[ "$n" -eq 300 ]] || die "expected 300 latency queries, got $n"
}

# p50/p99/mean/max of the milliseconds in a file of `query<TAB>ms` lines.
latency_stats() { # file
    python3 - "$1" <<'EOF'
import sys
ms = []
for line in open(sys.argv[1], encoding="utf-8"):
    q, sep, t = line.rstrip("\n").rpartition("\t")
    if not sep:
        continue
    try:
        ms.append(float(t))
    except ValueError:
        pass
if not ms:
    sys.exit("no timings")
ms.sort()
def pct(p):
    # nearest-rank percentile
    k = max(1, -(-len(ms) * p // 100))
    return ms[int(k) - 1]
print(f"{len(ms)} {pct(50):.2f} {pct(99):.2f} {sum(ms)/len(ms):.2f} {ms[-1]:.2f}")
EOF
}

# The OrangeSum corpus link and an index of it (built untimed if missing).
ensure_orangesum_index() {
    setup_orangesum_corpus
    if [[ ! -d "$OS_INDEX" ]]; then
        note "no OrangeSum index yet: building it (untimed)"
        timed_index prepare
    fi
}

bench_latency() {
    note "c. query latency: 300 queries"
    ensure_orangesum_index
    local queries="$BENCH/latency-queries.txt"
    write_latency_queries "$queries"

    local search=("$BIN" search --index "$OS_INDEX" --corpus "$OS_CORPUS" --color never)
    # Warm the page cache and the index once.
    "${search[@]}" --batch "$queries" >/dev/null 2>&1 || true

    local have_timings=0
    if "$BIN" search --help 2>/dev/null | grep -q -- --timings; then have_timings=1; fi

    local rc=0 t0 t1
    t0=$(now_ns)
    if [[ $have_timings -eq 1 ]]; then
        "${search[@]}" --timings --batch "$queries" >"$LOGS/latency.out" 2>"$LOGS/latency.err" || rc=$?
    else
        "${search[@]}" --batch "$queries" >"$LOGS/latency.out" 2>"$LOGS/latency.err" || rc=$?
    fi
    t1=$(now_ns)
    [[ $rc -le 1 ]] || { head -5 "$LOGS/latency.err" >&2; die "recoupe search --batch exited with $rc"; }
    local batch_s mean_batch
    batch_s=$(secs_between "$t0" "$t1")
    mean_batch=$(python3 -c "import sys; print(f'{float(sys.argv[1])*1000/300:.2f}')" "$batch_s")

    local timings="$LOGS/latency.timings" method
    if [[ $have_timings -eq 1 ]]; then
        method="--timings, one process"
        grep -P '\t[0-9.]+$' "$LOGS/latency.err" >"$timings" || true
        local other; other=$(grep -cvP '\t[0-9.]+$' "$LOGS/latency.err" || true)
        [[ "$other" -eq 0 ]] || note "WARNING: recoupe search wrote $other other lines on stderr (see $LOGS/latency.err)"
    else
        method="one process per query minus empty-query start-up"
        # Start-up: median of 11 runs of a query that finds nothing.
        local starts=() s e
        for _ in $(seq 11); do
            s=$(now_ns); "${search[@]}" zzzzqqq >/dev/null 2>&1 || true; e=$(now_ns)
            starts+=("$((e - s))")
        done
        local startup
        startup=$(printf '%s\n' "${starts[@]}" | sort -n | sed -n 6p)
        : >"$timings"
        while IFS= read -r q; do
            s=$(now_ns); "${search[@]}" "$q" >/dev/null 2>&1 || true; e=$(now_ns)
            python3 -c "import sys; print(f'{sys.argv[1]}\t{max(0,(int(sys.argv[2])-int(sys.argv[3])))/1e6:.3f}')" \
                "$q" "$((e - s))" "$startup" >>"$timings"
        done <"$queries"
    fi
    local stats n p50 p99 mean max
    stats=$(latency_stats "$timings") || die "no per-query timings in $timings"
    read -r n p50 p99 mean max <<<"$stats"
    local hits; hits=$(grep -c . "$LOGS/latency.out" || true)
    [[ "$n" -eq 300 ]] || note "WARNING: $n per-query timings for 300 queries"
    record "Latency: batch of 300, mean per query incl. start-up (ms)" "$mean_batch"
    record "Latency: p50 (ms)" "$p50"
    record "Latency: p99 (ms)" "$p99"
    record "Latency: max (ms)" "$max"
    echo "latency: p50 ${p50} ms, p99 ${p99} ms, max ${max} ms, mean ${mean} ms ($method); batch ${batch_s} s = ${mean_batch} ms/query"
}

# ---------------------------------------------------------------- e. names

# 300 name queries: runs of one or two capitalised words (not the title's
# first word) from OrangeSum titles, every 120th title, then the next ones.
write_name_queries() { # output-file
    zcat "$ORANGESUM" | python3 -c '
import json, re, sys
stop = {l.strip().lower() for l in open(sys.argv[1], encoding="utf-8") if l.strip() and not l.startswith("#")}
titles = [json.loads(line).get("title") or "" for line in sys.stdin]
word = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
out = []
for start in range(120):
    for i in range(start, len(titles), 120):
        run = []
        for w in word.findall(titles[i])[1:]:
            if len(w) >= 3 and w[0].isupper() and not w.isupper() and w.lower() not in stop:
                run.append(w)
            elif run:
                break
        q = " ".join(run[:2])
        if q and q not in out:
            out.append(q)
        if len(out) == 300:
            print("\n".join(out))
            sys.exit(0)
' "$REPO/index-schema/stopwords.txt" >"$1"
    local n; n=$(wc -l <"$1")
    [[ "$n" -eq 300 ]] || die "expected 300 name queries, got $n"
}

bench_names() {
    note "e. names: 300 name queries with expansion, then name recall"
    ensure_orangesum_index
    local queries="$BENCH/name-queries.txt"
    write_name_queries "$queries"
    local search=("$BIN" search --index "$OS_INDEX" --corpus "$OS_CORPUS" --color never)
    "${search[@]}" --batch "$queries" >/dev/null 2>&1 || true
    local rc=0
    "${search[@]}" --timings --batch "$queries" >"$LOGS/names.out" 2>"$LOGS/names.err" || rc=$?
    [[ $rc -le 1 ]] || { head -5 "$LOGS/names.err" >&2; die "recoupe search --batch exited with $rc"; }
    grep -P '\t[0-9.]+$' "$LOGS/names.err" >"$LOGS/names.timings" || true
    local stats n p50 p99 mean max
    stats=$(latency_stats "$LOGS/names.timings") || die "no per-query timings"
    read -r n p50 p99 mean max <<<"$stats"
    record "Names: p50 (ms)" "$p50"
    record "Names: p99 (ms)" "$p99"
    record "Names: max (ms)" "$max"
    echo "names: $n queries, p50 ${p50} ms, p99 ${p99} ms, max ${max} ms, mean ${mean} ms"

    local corpus="$BENCH/names-corpus" index="$BENCH/names-index"
    rm -rf "$corpus" "$index"; mkdir -p "$corpus"
    ln -sfn "$REPO/tests/fixtures/names.jsonl" "$corpus/names.jsonl"
    "$BIN" index --quiet --corpus "$corpus" --index "$index"
    python3 "$REPO/benches/names_recall.py" "$BIN" "$corpus" "$index" "$REPO/tests/fixtures/names-expect.tsv" | tee "$LOGS/names-recall.md"
}

# ---------------------------------------------------------------- f. names on real passages

# Name queries judged on OrangeSum itself (benches/names/: references only,
# no article text). The index must be of the plain OrangeSum corpus, as the
# judgments name passages by article id and passage number.
bench_names_real() {
    note "f. names on real passages: recall, top-10 precision, false friends"
    ensure_orangesum_index
    rm -f "$OS_CORPUS/bench-new.jsonl"
    python3 "$REPO/benches/names_real.py" --check "$REPO/benches/names" >&2 \
        || die "benches/names is inconsistent (see above)"
    python3 "$REPO/benches/names_real.py" "$BIN" "$OS_CORPUS" "$OS_INDEX" "$REPO/benches/names" \
        --hits-dir "$LOGS" | tee "$LOGS/names-real.md"
    local line
    line=$(grep '^| recall ' "$LOGS/names-real.md" | awk -F'|' '{ print $3 "|" $4 }')
    record "Names (real): recall default" "$(echo "${line%%|*}" | awk '{ print $1 }')"
    record "Names (real): recall --strict" "$(echo "${line##*|}" | awk '{ print $1 }')"
    line=$(grep '^| false-friend ' "$LOGS/names-real.md" | awk -F'|' '{ print $3 "|" $4 }')
    record "Names (real): false-friend passages default" "$(echo "${line%%|*}" | awk '{ print $1 }')"
    record "Names (real): false-friend passages --strict" "$(echo "${line##*|}" | awk '{ print $1 }')"
    line=$(grep '^| queries named ' "$LOGS/names-real.md" | awk -F'|' '{ print $3 "|" $4 }')
    record "Names (real): frequent names with top-10 precision >= 0.95, default" "$(echo "${line%%|*}" | awk '{ print $1 }')"
    record "Names (real): frequent names with top-10 precision >= 0.95, --strict" "$(echo "${line##*|}" | awk '{ print $1 }')"
}

# ---------------------------------------------------------------- d. PIAF

bench_piaf() {
    note "d. PIAF quality: MRR@10, recall@10"
    mkdir -p "$PIAF_CORPUS" "$LOGS"
    ln -sfn "$PIAF_PARAGRAPHS" "$PIAF_CORPUS/paragraphs.jsonl.gz"
    rm -rf "$PIAF_INDEX"
    local rc=0
    "$BIN" index --corpus "$PIAF_CORPUS" --index "$PIAF_INDEX" --json --quiet \
        >"$LOGS/piaf-index.json" 2>"$LOGS/piaf-index.err" || rc=$?
    [[ $rc -eq 0 ]] || { cat "$LOGS/piaf-index.err" >&2; die "recoupe index (PIAF) exited with $rc"; }

    local queries="$BENCH/piaf-queries.txt"
    python3 "$EVAL" queries "$PIAF_QUESTIONS" >"$queries"
    # --limit counts passages; 30 leaves room for 10 distinct paragraphs.
    rc=0
    "$BIN" search --index "$PIAF_INDEX" --corpus "$PIAF_CORPUS" --json --limit 30 --batch "$queries" \
        >"$LOGS/piaf-hits.jsonl" 2>"$LOGS/piaf-search.err" || rc=$?
    [[ $rc -le 1 ]] || { head -5 "$LOGS/piaf-search.err" >&2; die "recoupe search (PIAF) exited with $rc"; }
    [[ ! -s "$LOGS/piaf-search.err" ]] || note "WARNING: recoupe search wrote on stderr (see $LOGS/piaf-search.err)"
    python3 "$EVAL" score "$PIAF_QUESTIONS" "$LOGS/piaf-hits.jsonl" --k 10 >"$LOGS/piaf-score.json"
    local mrr recall questions nohit
    mrr=$(python3 -c "import json,sys; print(f\"{json.load(open(sys.argv[1]))['mrr']:.4f}\")" "$LOGS/piaf-score.json")
    recall=$(python3 -c "import json,sys; print(f\"{json.load(open(sys.argv[1]))['recall']:.4f}\")" "$LOGS/piaf-score.json")
    questions=$(json_field "$LOGS/piaf-score.json" questions)
    nohit=$(json_field "$LOGS/piaf-score.json" questions_without_hits)
    record "PIAF: MRR@10" "$mrr"
    record "PIAF: recall@10" "$recall"
    echo "piaf: MRR@10 ${mrr}, recall@10 ${recall} ($questions questions, $nohit without any hit)"
}

# ---------------------------------------------------------------- g. ranking ablation

# Each ranking feature switched off in turn (RECOUPE_RANKING overrides the
# named fields of src/search/rank/mod.rs's RankParams), measured on the PIAF
# questions (MRR@10, recall@1/10/100) and on the real-news name queries
# (mean top-10 precision, frequent names at >= 0.95).
ABLATIONS=(
    "|all features (the shipped policy)"
    "proximity=0|no proximity bonus"
    "pairs=0|no word pairs"
    "proximity=0,pairs=0|neither proximity nor pairs"
    "dismax_tie=1|exact and stem summed (tie 1)"
    "dismax_tie=0|best of exact and stem only (tie 0)"
    "length_scale=1|plain BM25 length normalisation"
    "coordination=off|no coordination, short queries too"
    "coordination_max_words=1000|coordination for long queries too"
    "questions_by_score=off|short questions ranked like topics"
    "literal_first=off|exact spellings first only among candidates"
    "together_first=off|names together not first"
    "text_before_title=off|own text before title, short queries (off)"
    "closest_first=off|closest spelling not first"
)

bench_ablation() {
    note "g. ranking ablation: each feature off in turn"
    ensure_orangesum_index
    rm -f "$OS_CORPUS/bench-new.jsonl"
    if [[ ! -f "$PIAF_INDEX/CURRENT" ]]; then
        mkdir -p "$PIAF_CORPUS"
        ln -sfn "$PIAF_PARAGRAPHS" "$PIAF_CORPUS/paragraphs.jsonl.gz"
        "$BIN" index --corpus "$PIAF_CORPUS" --index "$PIAF_INDEX" --json --quiet \
            >"$LOGS/piaf-index.json" 2>"$LOGS/piaf-index.err" \
            || die "recoupe index (PIAF) failed (see $LOGS/piaf-index.err)"
    fi
    local queries="$BENCH/piaf-queries.txt"
    python3 "$EVAL" queries "$PIAF_QUESTIONS" >"$queries"
    local table="$LOGS/ablation.md"
    {
        echo "| ranking | RECOUPE_RANKING | PIAF MRR@10 | recall@1 | recall@10 | recall@100 | names: mean top-10 precision | names: frequent at >= 0.95 |"
        echo "|---|---|---:|---:|---:|---:|---:|---:|"
    } >"$table"
    local entry spec label i=0 score names mrr r1 r10 r100 prec freq
    for entry in "${ABLATIONS[@]}"; do
        spec=${entry%%|*}
        label=${entry#*|}
        i=$((i + 1))
        note "  $label"
        # --limit counts passages: 150 leaves room for 100 distinct paragraphs.
        RECOUPE_RANKING="$spec" "$BIN" search --index "$PIAF_INDEX" --corpus "$PIAF_CORPUS" \
            --json --limit 150 --batch "$queries" >"$LOGS/ablation-$i.jsonl" 2>"$LOGS/ablation-$i.err" || true
        score=$(python3 "$EVAL" score "$PIAF_QUESTIONS" "$LOGS/ablation-$i.jsonl" --k 10 --recall-at 1,10,100)
        read -r mrr r1 r10 r100 < <(python3 -c "import json,sys; d=json.loads(sys.argv[1]); print(f\"{d['mrr']:.4f} {d['recall@1']:.4f} {d['recall@10']:.4f} {d['recall@100']:.4f}\")" "$score")
        rm -f "$LOGS/ablation-$i.jsonl"
        RECOUPE_RANKING="$spec" python3 "$REPO/benches/names_real.py" "$BIN" "$OS_CORPUS" "$OS_INDEX" \
            "$REPO/benches/names" >"$LOGS/ablation-$i-names.md" 2>&1 || true
        prec=$(grep '^| mean top-10 precision' "$LOGS/ablation-$i-names.md" | awk -F'|' '{ print $3 }' | awk '{ print $1 }')
        freq=$(grep '^| queries named ' "$LOGS/ablation-$i-names.md" | awk -F'|' '{ print $3 }' | awk '{ print $1 }')
        echo "| $label | \`${spec:-}\` | $mrr | $r1 | $r10 | $r100 | $prec | $freq |" >>"$table"
    done
    cat "$table"
    record "Ablation table" "$table"
}

# ---------------------------------------------------------------- h. scale

# recoupe next to a bare-tantivy baseline (benches/baseline.rs, a cargo
# example) on OrangeSum copied 1, 4 and 16 times. Everything lives under
# $BENCH/scale: the extra copies (made once, remade when orangesum.jsonl.gz is
# newer), one corpus directory of links per scale, the indexes, the queries.
SCALE="$BENCH/scale"
SCALE_MAX="${SCALE_MAX:-16}"
SCALE_THREADS="${SCALE_THREADS:-2}"
BASELINE="${BASELINE_BIN:-$REPO/target/release/examples/baseline}"

build_baseline() {
    if [[ -n "${BASELINE_BIN:-}" ]]; then
        [[ -x "$BASELINE" ]] || die "BASELINE_BIN=$BASELINE is not an executable"
        note "using baseline $BASELINE (not building)"
        return
    fi
    note "building the baseline (cargo example)"
    (cd "$REPO" && cargo build --release --quiet --example baseline) || die "cargo build --example baseline failed"
    [[ -x "$BASELINE" ]] || die "no baseline at $BASELINE"
}

# Copy k (k >= 2) of OrangeSum: every record, its id suffixed "-c<k>".
# Written next to the final name, then renamed, so a half-written copy is
# never taken for a finished one.
write_scale_copies() { # max
    local max="$1" k missing=()
    mkdir -p "$SCALE/copies"
    for ((k = 2; k <= max; k++)); do
        local f="$SCALE/copies/orangesum-c$k.jsonl.gz"
        if [[ ! -s "$f" || "$f" -ot "$ORANGESUM" ]]; then missing+=("$k"); fi
    done
    [[ ${#missing[@]} -gt 0 ]] || return 0
    note "writing OrangeSum copies ${missing[*]} (once)"
    python3 - "$ORANGESUM" "$SCALE/copies" "${missing[@]}" <<'EOF'
import gzip, json, os, sys
src, out, ks = sys.argv[1], sys.argv[2], [int(k) for k in sys.argv[3:]]
with gzip.open(src, "rt", encoding="utf-8") as f:
    records = [json.loads(line) for line in f if line.strip()]
for k in ks:
    final = os.path.join(out, f"orangesum-c{k}.jsonl.gz")
    tmp = final + ".part"
    with gzip.open(tmp, "wt", encoding="utf-8", compresslevel=1) as g:
        for rec in records:
            rec = dict(rec, id=f"{rec['id']}-c{k}")
            g.write(json.dumps(rec, ensure_ascii=False) + "\n")
    os.replace(tmp, final)
EOF
}

# Corpus directory for scale k: a link to orangesum.jsonl.gz and links to
# copies 2..k.
scale_corpus() { # k -> prints the directory
    local k="$1" dir="$SCALE/corpus-x$1" j
    rm -rf "$dir"; mkdir -p "$dir"
    ln -s "$ORANGESUM" "$dir/orangesum.jsonl.gz"
    for ((j = 2; j <= k; j++)); do
        ln -s "$SCALE/copies/orangesum-c$j.jsonl.gz" "$dir/orangesum-c$j.jsonl.gz"
    done
    echo "$dir"
}

# 1,000 OrangeSum records (every 36th, the first 1,000) under new ids
# "<id>-add", added to the x16 corpus in one new file.
write_scale_additions() { # output-file
    zcat "$ORANGESUM" | python3 -c '
import json, sys
n = 0
for i, line in enumerate(sys.stdin):
    if i % 36 == 0 and n < 1000:
        rec = json.loads(line)
        rec["id"] = rec["id"] + "-add"
        print(json.dumps(rec, ensure_ascii=False))
        n += 1
' >"$1"
    [[ $(wc -l <"$1") -eq 1000 ]] || die "expected 1000 records in $1"
}

# 300 queries, deterministic: 100 proper names and 100 topics of 2 to 4 words
# from OrangeSum titles (as in write_latency_queries, every 361st title), then
# 100 PIAF dev questions (every k-th distinct cleaned question, k = n / 100).
write_scale_queries() { # output-file
    zcat "$ORANGESUM" | python3 "$REPO/benches/title_queries.py" "$REPO/index-schema/stopwords.txt" \
        --count 100 --sizes 2,3,4 --order names,plain >"$1"
    local piaf="$SCALE/piaf-questions.txt"
    python3 "$EVAL" queries "$PIAF_QUESTIONS" >"$piaf"
    local n k; n=$(wc -l <"$piaf"); k=$((n / 100))
    awk -v k="$k" '(NR - 1) % k == 0' "$piaf" | head -100 >>"$1"
    n=$(wc -l <"$1")
    [[ "$n" -eq 300 ]] || die "expected 300 scale queries, got $n"
    [[ $(sort -u "$1" | wc -l) -eq 300 ]] || note "WARNING: the 300 scale queries are not all distinct"
}

# S[name] holds every figure of this part; "—" when not measured.
declare -A S=()
sget() { echo "${S[$1]:-—}"; }

# The highest 1-minute load average seen after a measurement: on 2 cores,
# much above 2 means something else competed with the run.
load_mark() {
    local l; l=$(cut -d' ' -f1 /proc/loadavg)
    S[load.max]=$(python3 -c "import sys; print(max(float(a) for a in sys.argv[1:]))" "$l" "${S[load.max]:-0}")
}

# Index a corpus with one engine under /usr/bin/time -v; records wall, CPU
# (user + sys), peak RSS and size under "<engine>.x<k>.*".
scale_index() { # engine k corpus-dir index-dir
    local engine="$1" k="$2" corpus="$3" index="$4" log="$LOGS/scale-$1-index-x$2"
    rm -rf "$index"
    local cmd
    if [[ $engine == recoupe ]]; then
        cmd=("$BIN" index --corpus "$corpus" --index "$index" --json --quiet --threads "$SCALE_THREADS")
    else
        cmd=("$BASELINE" index --corpus "$corpus"/*.jsonl.gz --index "$index" --threads "$SCALE_THREADS")
    fi
    note "  $engine: index x$k"
    local rc=0
    /usr/bin/time -v -o "$log.time" "${cmd[@]}" >"$log.out" 2>"$log.err" || rc=$?
    [[ $rc -eq 0 ]] || { tail -5 "$log.err" >&2; die "$engine index x$k exited with $rc"; }
    S[$engine.x$k.wall]=$(time_wall "$log.time")
    S[$engine.x$k.cpu]=$(awk -F: '/User time|System time/ { s += $2 } END { printf "%.2f\n", s }' "$log.time")
    S[$engine.x$k.rss]=$(time_rss_mib "$log.time")
    S[$engine.x$k.size]=$(du -sb "$index" | awk '{ printf "%.1f\n", $1 / 2^20 }')
    local added
    if [[ $engine == recoupe ]]; then
        added=$(json_field "$log.out" added)
    else
        added=$(sed -n 's/^baseline index: \([0-9]*\) added.*/\1/p' "$log.out")
    fi
    S[$engine.x$k.added]=$added
    echo "scale: $engine x$k: $added articles in ${S[$engine.x$k.wall]} s (CPU ${S[$engine.x$k.cpu]} s), peak RSS ${S[$engine.x$k.rss]} MiB, index ${S[$engine.x$k.size]} MiB"
    load_mark
}

# The 300 queries through one batch process per engine. Each engine answers
# the batch twice in the same process (recoupe: the file given twice;
# baseline: its own warm-up pass) and the second pass's per-query times give
# p50/p99.
scale_query() { # engine k corpus-dir index-dir
    local engine="$1" k="$2" corpus="$3" index="$4" log="$LOGS/scale-$1-query-x$2"
    local queries="$SCALE/queries.txt" rc=0
    note "  $engine: 300 queries on x$k"
    if [[ $engine == recoupe ]]; then
        cat "$queries" "$queries" >"$SCALE/queries-twice.txt"
        "$BIN" search --index "$index" --corpus "$corpus" --color never --timings --limit 10 \
            --batch "$SCALE/queries-twice.txt" >"$log.out" 2>"$log.err" || rc=$?
        [[ $rc -le 1 ]] || { head -5 "$log.err" >&2; die "recoupe search x$k exited with $rc"; }
        grep -P '\t[0-9.]+$' "$log.err" | tail -n +301 >"$log.timings" || true
    else
        "$BASELINE" search --index "$index" --limit 10 --batch "$queries" >"$log.out" 2>"$log.err" || rc=$?
        [[ $rc -eq 0 ]] || { head -5 "$log.err" >&2; die "baseline search x$k exited with $rc"; }
        grep -P '\t[0-9.]+$' "$log.err" >"$log.timings" || true
    fi
    local stats n p50 p99 mean max
    stats=$(latency_stats "$log.timings") || die "no per-query timings in $log.timings"
    read -r n p50 p99 mean max <<<"$stats"
    [[ "$n" -eq 300 ]] || note "WARNING: $engine x$k: $n per-query timings for 300 queries"
    S[$engine.x$k.answered]=$n
    S[$engine.x$k.p50]=$p50
    S[$engine.x$k.p99]=$p99
    S[$engine.x$k.max]=$max
    echo "scale: $engine x$k: $n queries, p50 $p50 ms, p99 $p99 ms, max $max ms, mean $mean ms"
    if [[ $engine == baseline ]]; then
        # The same queries also counting every match, as recoupe's totals
        # do: what exact counts cost a bare engine (no block-max WAND).
        rc=0
        "$BASELINE" search --index "$index" --limit 10 --count --batch "$queries" >"$log-count.out" 2>"$log-count.err" || rc=$?
        [[ $rc -eq 0 ]] || { head -5 "$log-count.err" >&2; die "baseline search --count x$k exited with $rc"; }
        grep -P '\t[0-9.]+$' "$log-count.err" >"$log-count.timings" || true
        stats=$(latency_stats "$log-count.timings") || die "no per-query timings in $log-count.timings"
        read -r n p50 p99 mean max <<<"$stats"
        S[$engine.x$k.count.p50]=$p50
        S[$engine.x$k.count.p99]=$p99
        echo "scale: $engine x$k with counts: p50 $p50 ms, p99 $p99 ms, max $max ms, mean $mean ms"
    fi
    load_mark
}

# Queries with at least one hit, and how many of the baseline's top-10
# articles recoupe also returns (sanity, not a target): one untimed
# `--json` batch of recoupe, the baseline's hits of the timed batch.
scale_hits() { # k corpus-dir recoupe-index
    local k="$1" corpus="$2" index="$3"
    "$BIN" search --index "$index" --corpus "$corpus" --json --limit 30 \
        --batch "$SCALE/queries.txt" >"$LOGS/scale-recoupe-hits-x$k.jsonl" 2>/dev/null || true
    local out
    out=$(python3 - "$SCALE/queries.txt" "$LOGS/scale-recoupe-hits-x$k.jsonl" "$LOGS/scale-baseline-query-x$k.out" <<'EOF'
import json, sys
queries = [l.strip() for l in open(sys.argv[1], encoding="utf-8") if l.strip()]
rec, base = {}, {}
for line in open(sys.argv[2], encoding="utf-8"):
    h = json.loads(line)
    if "summary" in h:
        continue
    docs = rec.setdefault(h["query"], [])
    if h["doc"] not in docs and len(docs) < 10:
        docs.append(h["doc"])
for line in open(sys.argv[3], encoding="utf-8"):
    parts = line.rstrip("\n").split("\t")
    if len(parts) >= 4:
        base.setdefault(parts[0], []).append(parts[3])
shared = sum(len(set(rec.get(q, [])) & set(base.get(q, []))) for q in queries)
total = sum(len(base.get(q, [])) for q in queries)
print(sum(1 for q in queries if base.get(q)), sum(1 for q in queries if rec.get(q)),
      f"{shared / total:.2f}" if total else "—")
EOF
)
    read -r S[baseline.x$k.withhits] S[recoupe.x$k.withhits] S[overlap.x$k] <<<"$out"
    echo "scale: x$k: queries with hits: baseline ${S[baseline.x$k.withhits]}, recoupe ${S[recoupe.x$k.withhits]}; share of the baseline's top-10 articles also in recoupe's first 10 articles: ${S[overlap.x$k]}"
}

# Median wall time in ms of a command run alone (>= 11 runs after 2 warm-ups).
median_ms() { # name command...
    local name="$1"; shift
    if command -v hyperfine >/dev/null; then
        # hyperfine -N splits its command like a POSIX shell: single-quote
        # every word.
        local quoted="" a q="'"
        for a in "$@"; do quoted+=" '${a//$q/$q\\$q$q}'"; done
        hyperfine -N -i --style none --warmup 2 --runs 21 --export-json "$LOGS/$name.hyperfine.json" \
            "${quoted# }" >/dev/null 2>&1 || die "hyperfine failed on: $*"
        python3 -c "import json,sys; r=json.load(open(sys.argv[1]))['results'][0]; print(f\"{r['median']*1000:.1f}\")" \
            "$LOGS/$name.hyperfine.json"
    else
        python3 - "$@" <<'EOF'
import statistics, subprocess, sys, time
ms = []
for i in range(23):
    t = time.perf_counter()
    subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if i >= 2:
        ms.append((time.perf_counter() - t) * 1000)
print(f"{statistics.median(ms):.1f}")
EOF
    fi
}

# Cold start: one process opens the index, answers the first name query,
# exits.
scale_cold() { # engine k corpus-dir index-dir
    local engine="$1" k="$2" corpus="$3" index="$4" q
    q=$(head -1 "$SCALE/queries.txt")
    note "  $engine: cold start x$k ($q)"
    if [[ $engine == recoupe ]]; then
        S[$engine.x$k.cold]=$(median_ms "scale-recoupe-cold-x$k" "$BIN" search --index "$index" --corpus "$corpus" --color never --limit 10 "$q")
    else
        S[$engine.x$k.cold]=$(median_ms "scale-baseline-cold-x$k" "$BASELINE" search --index "$index" --limit 10 "$q")
    fi
    echo "scale: $engine x$k: cold start ${S[$engine.x$k.cold]} ms (median)"
    load_mark
}

# recoupe index with nothing changed: median of 21 runs; checks it reports
# every article unchanged.
scale_nochange() { # k corpus-dir index-dir
    local k="$1" corpus="$2" index="$3"
    note "  recoupe: no-change run x$k"
    "$BIN" index --corpus "$corpus" --index "$index" --json --quiet >"$LOGS/scale-nochange-x$k.json" \
        || die "recoupe index (no change, x$k) failed"
    local unchanged; unchanged=$(json_field "$LOGS/scale-nochange-x$k.json" unchanged)
    [[ "$unchanged" == "${S[recoupe.x$k.added]}" ]] || note "WARNING: no-change run x$k: $unchanged unchanged of ${S[recoupe.x$k.added]}"
    local ms; ms=$(median_ms "scale-nochange-x$k" "$BIN" index --corpus "$corpus" --index "$index" --quiet)
    S[recoupe.x$k.nochange]=$(python3 -c "import sys; print(f'{float(sys.argv[1])/1000:.3f}')" "$ms")
    echo "scale: recoupe x$k: no-change run ${S[recoupe.x$k.nochange]} s ($unchanged unchanged)"
    load_mark
}

# +1,000 articles in a new file of the x16 corpus (the largest scale run),
# both engines: wall time, against 1,000/N of that scale's full index time.
scale_add() { # k corpus-dir recoupe-index baseline-index
    local k="$1" corpus="$2" rindex="$3" bindex="$4" add="$SCALE/add-1000.jsonl" rc=0
    write_scale_additions "$add"
    note "  +1,000 articles to x$k"
    ln -sfn "$add" "$corpus/add-1000.jsonl"
    /usr/bin/time -v -o "$LOGS/scale-recoupe-add-x$k.time" \
        "$BIN" index --corpus "$corpus" --index "$rindex" --json --quiet --threads "$SCALE_THREADS" \
        >"$LOGS/scale-recoupe-add-x$k.json" 2>"$LOGS/scale-recoupe-add-x$k.err" || rc=$?
    rm -f "$corpus/add-1000.jsonl"
    [[ $rc -eq 0 ]] || { tail -5 "$LOGS/scale-recoupe-add-x$k.err" >&2; die "recoupe index (+1000) exited with $rc"; }
    local added; added=$(json_field "$LOGS/scale-recoupe-add-x$k.json" added)
    [[ "$added" == 1000 ]] || note "WARNING: recoupe reported $added added articles, not 1000"
    S[recoupe.add]=$(time_wall "$LOGS/scale-recoupe-add-x$k.time")
    rc=0
    /usr/bin/time -v -o "$LOGS/scale-baseline-add-x$k.time" \
        "$BASELINE" index --append --corpus "$add" --index "$bindex" --threads "$SCALE_THREADS" \
        >"$LOGS/scale-baseline-add-x$k.out" 2>"$LOGS/scale-baseline-add-x$k.err" || rc=$?
    [[ $rc -eq 0 ]] || { tail -5 "$LOGS/scale-baseline-add-x$k.err" >&2; die "baseline index --append exited with $rc"; }
    S[baseline.add]=$(time_wall "$LOGS/scale-baseline-add-x$k.time")
    local e
    for e in baseline recoupe; do
        S[$e.add.prop]=$(python3 -c "import sys; w,n=map(float,sys.argv[1:]); print(f'{w*1000/n:.2f}')" \
            "${S[$e.x$k.wall]}" "${S[$e.x$k.added]}")
    done
    echo "scale: +1,000 articles to x$k: baseline ${S[baseline.add]} s, recoupe ${S[recoupe.add]} s (1,000/N of the full index: baseline ${S[baseline.add.prop]} s, recoupe ${S[recoupe.add.prop]} s)"
    load_mark
}

# a / b with 2 decimals, "—" when either is missing.
ratio() {
    python3 -c "
import sys
try:
    a, b = float(sys.argv[1]), float(sys.argv[2])
    print(f'{a / b:.2f}' if b else '—')
except ValueError:
    print('—')" "$1" "$2"
}

# One table row; the ratio is computed unless given (possibly empty).
row() { # label baseline recoupe target [ratio]
    local r="${5-$(ratio "$3" "$2")}"
    echo "| $1 | $2 | $3 | $r | $4 |"
}

scale_table() { # max
    local max="$1" big="x$1"
    echo "Scale benchmark, $(date '+%Y-%m-%d %H:%M %Z'), $(nproc) cores, recoupe $(cd "$REPO" && git rev-parse --short HEAD 2>/dev/null || echo '?')"
    echo "(\`$BIN\`, baseline \`$BASELINE\`), $SCALE_THREADS indexing threads, writer memory: recoupe its default, baseline 256 MiB, SCALE_MAX=$max"
    echo "1-minute load average: $(sget load.start) at the start, at most $(sget load.max) after a measurement, $(cut -d' ' -f1 /proc/loadavg) at the end"
    echo
    echo "| figure | bare tantivy | recoupe | ratio recoupe/baseline | target |"
    echo "|---|---:|---:|---:|---|"
    local k
    for k in 1 4 16; do
        [[ $k -le $max ]] || continue
        row "index x$k: articles" "$(sget baseline.x$k.added)" "$(sget recoupe.x$k.added)" "" ""
        row "index x$k: wall (s)" "$(sget baseline.x$k.wall)" "$(sget recoupe.x$k.wall)" ""
        local cpu_t=""; [[ $k -le 4 ]] && cpu_t="ratio ≤ 1.4"
        row "index x$k: CPU user+sys (s)" "$(sget baseline.x$k.cpu)" "$(sget recoupe.x$k.cpu)" "$cpu_t"
        row "index x$k: peak RSS (MiB)" "$(sget baseline.x$k.rss)" "$(sget recoupe.x$k.rss)" "recoupe ≤ 300"
        local size_t=""; [[ $k -eq 1 ]] && size_t="ratio ≤ 1.3"
        row "index x$k: size (MiB)" "$(sget baseline.x$k.size)" "$(sget recoupe.x$k.size)" "$size_t"
    done
    row "query x1: answered / with hits" "$(sget baseline.x1.answered) / $(sget baseline.x1.withhits)" \
        "$(sget recoupe.x1.answered) / $(sget recoupe.x1.withhits)" "300 / —" ""
    row "query x1: p50 (ms)" "$(sget baseline.x1.p50)" "$(sget recoupe.x1.p50)" "ratio ≤ 1.3"
    row "query x1: p99 (ms)" "$(sget baseline.x1.p99)" "$(sget recoupe.x1.p99)" "ratio ≤ 1.5"
    row "query x1: max (ms)" "$(sget baseline.x1.max)" "$(sget recoupe.x1.max)" ""
    row "query x1: p50 / p99, baseline also counting every match (ms)" \
        "$(sget baseline.x1.count.p50) / $(sget baseline.x1.count.p99)" \
        "$(sget recoupe.x1.p50) / $(sget recoupe.x1.p99)" "" \
        "$(ratio "$(sget recoupe.x1.p50)" "$(sget baseline.x1.count.p50)") / $(ratio "$(sget recoupe.x1.p99)" "$(sget baseline.x1.count.p99)")"
    row "query x1: baseline top-10 articles also in recoupe's top 10" "" "$(sget overlap.x1)" "" ""
    if [[ $max -ge 16 ]]; then
        row "query x16: answered" "$(sget baseline.x16.answered)" "$(sget recoupe.x16.answered)" "300" ""
        row "query x16: p50 (ms)" "$(sget baseline.x16.p50)" "$(sget recoupe.x16.p50)" ""
        row "query x16: p99 (ms)" "$(sget baseline.x16.p99)" "$(sget recoupe.x16.p99)" "recoupe ≤ 25"
        row "query x16: max (ms)" "$(sget baseline.x16.max)" "$(sget recoupe.x16.max)" ""
        row "query x16: p50 / p99, baseline also counting every match (ms)" \
            "$(sget baseline.x16.count.p50) / $(sget baseline.x16.count.p99)" \
            "$(sget recoupe.x16.p50) / $(sget recoupe.x16.p99)" "" \
            "$(ratio "$(sget recoupe.x16.p50)" "$(sget baseline.x16.count.p50)") / $(ratio "$(sget recoupe.x16.p99)" "$(sget baseline.x16.count.p99)")"
    fi
    row "cold start x1: open, 1 query, exit (ms, median)" "$(sget baseline.x1.cold)" "$(sget recoupe.x1.cold)" "recoupe ≤ 10"
    [[ $max -lt 16 ]] || row "cold start x16 (ms, median)" "$(sget baseline.x16.cold)" "$(sget recoupe.x16.cold)" ""
    row "no-change run x1 (s)" "—" "$(sget recoupe.x1.nochange)" "" ""
    [[ $max -lt 16 ]] || row "no-change run x16 (s)" "—" "$(sget recoupe.x16.nochange)" "recoupe ≤ 0.5" ""
    row "+1,000 articles to $big (s)" "$(sget baseline.add)" "$(sget recoupe.add)" ""
    row "+1,000 articles: 1,000/N of the full $big index time (s)" "$(sget baseline.add.prop)" "$(sget recoupe.add.prop)" ""
    row "+1,000 articles: measured / proportional" "$(ratio "$(sget baseline.add)" "$(sget baseline.add.prop)")" \
        "$(ratio "$(sget recoupe.add)" "$(sget recoupe.add.prop)")" "proportional (≈ 1)" ""
    if [[ $max -ge 4 ]]; then
        local e b r
        for k in 4 16; do
            [[ $k -le $max ]] || continue
            b=$(ratio "$(sget baseline.x$k.wall)" "$(sget baseline.x1.wall)")
            r=$(ratio "$(sget recoupe.x$k.wall)" "$(sget recoupe.x1.wall)")
            row "linearity: index wall x$k / x1" "$b" "$r" "$([[ $k -eq 16 ]] && echo '≤ 16.5')" ""
            b=$(ratio "$(sget baseline.x$k.cpu)" "$(sget baseline.x1.cpu)")
            r=$(ratio "$(sget recoupe.x$k.cpu)" "$(sget recoupe.x1.cpu)")
            row "linearity: index CPU x$k / x1" "$b" "$r" "" ""
            b=$(ratio "$(sget baseline.x$k.size)" "$(sget baseline.x1.size)")
            r=$(ratio "$(sget recoupe.x$k.size)" "$(sget recoupe.x1.size)")
            row "linearity: index size x$k / x1" "$b" "$r" "$([[ $k -eq 16 ]] && echo '≤ 16.5')" ""
        done
        [[ $max -lt 16 ]] || row "linearity: query p99 x16 / x1" \
            "$(ratio "$(sget baseline.x16.p99)" "$(sget baseline.x1.p99)")" \
            "$(ratio "$(sget recoupe.x16.p99)" "$(sget recoupe.x1.p99)")" "" ""
    fi
}

bench_scale() {
    case "$SCALE_MAX" in 1|4|16) ;; *) die "SCALE_MAX must be 1, 4 or 16 (got $SCALE_MAX)" ;; esac
    note "h. scale: recoupe and a bare-tantivy baseline on OrangeSum x1..x$SCALE_MAX"
    S[load.start]=$(cut -d' ' -f1 /proc/loadavg)
    build_baseline
    mkdir -p "$SCALE" "$LOGS"
    write_scale_copies "$SCALE_MAX"
    write_scale_queries "$SCALE/queries.txt"
    local k corpus e
    for k in 1 4 16; do
        [[ $k -le $SCALE_MAX ]] || continue
        corpus=$(scale_corpus "$k")
        for e in baseline recoupe; do
            scale_index "$e" "$k" "$corpus" "$SCALE/$e-x$k"
        done
        if [[ $k -eq 1 || $k -eq 16 ]]; then
            for e in baseline recoupe; do
                scale_query "$e" "$k" "$corpus" "$SCALE/$e-x$k"
                scale_cold "$e" "$k" "$corpus" "$SCALE/$e-x$k"
            done
            [[ $k -ne 1 ]] || scale_hits 1 "$corpus" "$SCALE/recoupe-x1"
            scale_nochange "$k" "$corpus" "$SCALE/recoupe-x$k"
        fi
        if [[ $k -eq $SCALE_MAX && $k -gt 1 ]]; then
            scale_add "$k" "$corpus" "$SCALE/recoupe-x$k" "$SCALE/baseline-x$k"
        fi
        # Only x1 and the largest indexes are kept (disk space).
        if [[ $k -ne 1 && $k -ne $SCALE_MAX ]]; then rm -rf "$SCALE/baseline-x$k" "$SCALE/recoupe-x$k"; fi
    done
    scale_table "$SCALE_MAX" | tee "$LOGS/scale.md"
    record "Scale table" "$LOGS/scale.md"
}

# ---------------------------------------------------------------- watch

# One run adding the 1,000 articles to a copy of the index `base` (with
# the watchlist when `watched` is 1): prints "<index seconds> <watch
# seconds> <alerts>".
watch_run() { # k corpus-dir base-index watched rep
    local k="$1" corpus="$2" base="$3" watched="$4" rep="$5" work="$BENCH/watch-work"
    local log="$LOGS/watch-x$k-$watched-$rep"
    rm -rf "$work"; cp -a "$base" "$work"
    [[ "$watched" == 1 ]] && cp "$BENCH/watchlist.txt" "$work/watchlist.txt"
    ln -sfn "$SCALE/add-1000.jsonl" "$corpus/add-1000.jsonl"
    local rc=0
    "$BIN" index --corpus "$corpus" --index "$work" --json --quiet --threads "$SCALE_THREADS" \
        --alerts "$log.alerts.jsonl" >"$log.json" 2>"$log.err" || rc=$?
    rm -f "$corpus/add-1000.jsonl"; rm -rf "$work"
    [[ $rc -eq 0 ]] || { tail -5 "$log.err" >&2; die "recoupe index (watch x$k) exited with $rc"; }
    python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(d["seconds"], d.get("alert_seconds", 0), d.get("alerts", 0))' "$log.json"
}

bench_watch() {
    note "i. watch: 1,000 watched names, +1,000 articles to OrangeSum x1 and x4"
    mkdir -p "$SCALE" "$LOGS"
    write_scale_copies 4
    [[ -s "$SCALE/add-1000.jsonl" ]] || write_scale_additions "$SCALE/add-1000.jsonl"
    zcat "$ORANGESUM" | python3 "$REPO/benches/watch_names.py" "$REPO/index-schema/aliases.txt" \
        "$REPO/index-schema/stopwords.txt" 1000 >"$BENCH/watchlist.txt"
    local k corpus base rep line
    for k in 1 4; do
        corpus=$(scale_corpus "$k")
        base="$BENCH/watch-x$k"
        note "  building x$k (once per binary)"
        if [[ ! -f "$base/CURRENT" || "$base/CURRENT" -ot "$BIN" ]]; then
            rm -rf "$base"
            "$BIN" index --corpus "$corpus" --index "$base" --quiet --threads "$SCALE_THREADS" \
                || die "building the x$k index failed"
        fi
        local plain=() idx=() wat=() alerts=0
        for rep in 1 2 3; do
            read -r line _ _ <<<"$(watch_run "$k" "$corpus" "$base" 0 "$rep")"
            plain+=("$line")
            read -r a b c <<<"$(watch_run "$k" "$corpus" "$base" 1 "$rep")"
            idx+=("$a"); wat+=("$b"); alerts=$c
        done
        local med="import statistics, sys; print(f'{statistics.median(map(float, sys.argv[1:])):.3f}')"
        S[watch.x$k.plain]=$(python3 -c "$med" "${plain[@]}")
        S[watch.x$k.index]=$(python3 -c "$med" "${idx[@]}")
        S[watch.x$k.watch]=$(python3 -c "$med" "${wat[@]}")
        S[watch.x$k.alerts]=$alerts
        S[watch.x$k.share]=$(python3 -c "import sys; w, i = map(float, sys.argv[1:]); print(f'{100 * w / i:.0f}%')" \
            "${S[watch.x$k.watch]}" "${S[watch.x$k.index]}")
        echo "watch: x$k: indexing +1,000 articles ${S[watch.x$k.index]} s (${S[watch.x$k.plain]} s without a watchlist), watch step ${S[watch.x$k.watch]} s = ${S[watch.x$k.share]} of it, ${S[watch.x$k.alerts]} alerts"
        record "Watch x$k: indexing +1,000 (s)" "${S[watch.x$k.index]}"
        record "Watch x$k: watch step (s)" "${S[watch.x$k.watch]}"
        record "Watch x$k: watch step / indexing" "${S[watch.x$k.share]}"
        record "Watch x$k: alerts" "${S[watch.x$k.alerts]}"
    done
    local growth
    growth=$(python3 -c "import sys; a, b = map(float, sys.argv[1:]); print(f'{b / a:.2f}')" "${S[watch.x1.watch]}" "${S[watch.x4.watch]}")
    echo "watch: the watch step grows x$growth from x1 to x4 (the index grows x4)"
    record "Watch: watch step x4 / x1" "$growth"
}

# ---------------------------------------------------------------- main

target_of() {
    case "$1" in
        "Index: wall time (s)") echo "< 8" ;;
        "Index: peak RSS (MiB)") echo "< 400" ;;
        "Latency: p99 (ms)") echo "< 8" ;;
        "Names: p99 (ms)") echo "< 15" ;;
        "PIAF: MRR@10") echo ">= 0.75" ;;
        "Names (real): false-friend passages default"|"Names (real): false-friend passages --strict") echo "0" ;;
        "Names (real): frequent names with top-10 precision >= 0.95, default") echo "all" ;;
        "Incremental: no-change run (s)") echo "< 2" ;;
        "Watch x1: watch step / indexing"|"Watch x4: watch step / indexing") echo "<= 25%" ;;
        "Watch: watch step x4 / x1") echo "about 1 (not growing with the index)" ;;
        *) echo "" ;;
    esac
}

ensure_tools
check_data
build
mkdir -p "$BENCH" "$LOGS"

case "$PART" in
    index) bench_index ;;
    incremental) bench_incremental ;;
    latency) bench_latency ;;
    piaf) bench_piaf ;;
    names) bench_names ;;
    names-real) bench_names_real ;;
    ablation) bench_ablation ;;
    scale) bench_scale ;;
    watch) bench_watch ;;
    all) bench_index; bench_incremental; bench_latency; bench_piaf; bench_names; bench_names_real ;;
esac

echo
echo "| Figure | Value | Target |"
echo "|---|---:|---|"
for key in "${ORDER[@]}"; do
    echo "| $key | ${FIG[$key]} | $(target_of "$key") |"
done
