#!/usr/bin/env bash
# recoupe benchmarks: indexing speed, incremental updates, query latency and
# PIAF retrieval quality. See benches/README.md for what each figure means and
# the targets.
#
# Usage:  benches/run.sh [index|incremental|latency|piaf|names|names-real|ablation|all]   (default: all)
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
#
# Environment:
#   RECOUPE_BENCH_DIR  scratch directory for corpora links, indexes and logs
#                      (default /tmp/recoupe-bench). The data is only linked or
#                      read from there, never copied into the repository.
#   DATA               data directory holding orangesum.jsonl.gz and piaf/
#                      (default: ../shared/data relative to the repository root)
#   RECOUPE_BIN        measure this recoupe binary instead of building
#                      target/release/recoupe (e.g. an older release)
#
# Tools: /usr/bin/time (GNU time) and hyperfine are installed with apt-get when
# missing (needs root); without hyperfine the no-change run is timed with a
# plain loop instead. python3 (standard library only) does the arithmetic.
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
    index|incremental|latency|piaf|names|names-real|ablation|all) ;;
    -h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; exit 0 ;;
    *) echo "usage: $0 [index|incremental|latency|piaf|names|names-real|ablation|all]" >&2; exit 2 ;;
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
    # Only the incremental part uses hyperfine.
    if [[ "$PART" == incremental || "$PART" == all ]] && ! command -v hyperfine >/dev/null; then
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
    zcat "$ORANGESUM" | python3 -c '
import json, re, sys

# Words recoupe leaves out of queries would make stopword-only queries.
stop = set()
for line in open(sys.argv[1], encoding="utf-8"):
    line = line.strip()
    if line and not line.startswith("#"):
        stop.add(line.lower())
titles = [json.loads(line).get("title") or "" for line in sys.stdin]
word = re.compile(r"[^\W\d_]+")
step = max(1, len(titles) // 150)

def walk(start):
    for offset in range(step):
        yield from range((start + offset) % step, len(titles), step)

def plain_query(title, n):
    words = [w.lower() for w in word.findall(title) if len(w) >= 4 and w.lower() not in stop]
    return " ".join(words[:n]) if len(words) >= n else None

def name_query(title):
    run = []
    for w in word.findall(title)[1:]:
        if len(w) >= 3 and w[0].isupper() and not w.isupper() and w.lower() not in stop:
            run.append(w)
        elif run:
            break
    return " ".join(run[:2]) or None

def collect(start, make):
    out = []
    for i in walk(start):
        q = make(titles[i], len(out))
        if q and q not in out:
            out.append(q)
            if len(out) == 150:
                break
    return out

plain = collect(0, lambda t, k: plain_query(t, 1 + k % 3))
names = collect(step // 2, lambda t, k: name_query(t))
print("\n".join(plain + names))
' "$REPO/index-schema/stopwords.txt" >"$1"
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
    all) bench_index; bench_incremental; bench_latency; bench_piaf; bench_names; bench_names_real ;;
esac

echo
echo "| Figure | Value | Target |"
echo "|---|---:|---|"
for key in "${ORDER[@]}"; do
    echo "| $key | ${FIG[$key]} | $(target_of "$key") |"
done
