#!/usr/bin/env bash
# recoupe load benchmark: `recoupe serve` over loopback, one client and then
# 8 concurrent clients (wrk), while `recoupe index` commits and a `--full`
# rebuild switches generations under the load. See benches/README.md, section
# "Load (`benches/load.sh`)".
#
# Usage:  benches/load.sh
#
# Steps:
#   1. corpus: $RECOUPE_BENCH_DIR/load/corpus/ holds a link to
#      $DATA/orangesum.jsonl.gz (OrangeSum x1, 36,152 articles); a fresh
#      `recoupe index --quiet` of it in load/index/ (about 25 s on 2 cores;
#      every run starts from the same index)
#   2. queries: the 300 mixed queries of `benches/run.sh scale` (100 names,
#      100 topics, 100 PIAF questions, made the same way), each a request
#      path `/api/search?q=<percent-encoded>&limit=10` (load/paths.txt)
#   3. `recoupe serve --addr 127.0.0.1:0` (a free port, read from its
#      "listening on" line) on that index; waits for /health
#   4. single client: `wrk -t1 -c1` (after a 3 s warm-up), long enough for 3
#      passes over the 300 queries (at least 10 s): p50, p99, requests/s
#   4b. `wrk -t8 -c8` as long, the index left alone: what concurrency alone
#      costs (8 clients on a machine with fewer cores queue)
#   5. under load: `wrk -t8 -c8` while, 3 s in, a file of 1,000 new articles
#      is linked into the corpus and `recoupe index` adds them (one commit),
#      then, 3 s later, `recoupe index --full` rebuilds the index (a new
#      generation); the load goes on 3 s after the rebuild and at least until
#      enough time for LOAD_REQUESTS requests has passed, then wrk gets
#      SIGINT. /health is polled every 0.2 s meanwhile to see when the server
#      serves the new commit and the new generation.
#   6. a table (also in logs/load.md): single-client and loaded p50/p99,
#      requests/s, requests sent, errors (socket errors, timeouts, non-2xx,
#      2xx bodies without "hits"), p99 under load / single-client p99 against
#      the target of 3, whether the commit and the switch happened during
#      the load and how soon the server served them; per phase, the CPU the
#      machine, the server, this script's children (wrk, index runs) and
#      other processes used (/proc/stat, /proc/PID/stat, `times`; a warning
#      when others used more than 0.15 cores: a disturbed run), and the
#      server's CPU per request
#   7. SIGTERM to the server, which must exit 0
#
# Exit status: 0 when the run was as it should be; 1 when a request failed
# (errors > 0, or a /health poll failed), fewer than LOAD_REQUESTS requests
# were sent under load, the commit or the generation switch was not seen
# during the load, or the server did not exit 0. The p99 ratio is reported
# against its target (≤ 3) but does not change the exit status.
#
# Environment:
#   RECOUPE_BENCH_DIR  scratch directory (default /tmp/recoupe-bench); this
#                      script works in its load/ folder and logs to logs/load-*
#   DATA               data directory holding orangesum.jsonl.gz and
#                      piaf/dev-questions.tsv (default: ../shared/data
#                      relative to the repository root)
#   RECOUPE_BIN        use this recoupe binary instead of building
#                      target/release/recoupe with `cargo build --release`
#   LOAD_CLIENTS       concurrent clients under load: wrk threads and
#                      connections (default 8)
#   LOAD_REQUESTS      fewest requests to send under load (default 2000)
#   LOAD_SINGLE_SECS   single-client run length in seconds (default: 3 passes
#                      over the queries at the warm-up rate, at least 10)
#   LOAD_ADDR          address to serve on (default 127.0.0.1:0, a free port)
#   LOAD_INDEX_NICE    niceness of the two `recoupe index` runs under load
#                      (default 0: as a plain cron job runs them; 19 shows
#                      what a `nice` cron line buys the searches)
#
# Tools: wrk (installed with apt-get when missing; needs root or sudo) and
# python3 (standard library only: query encoding, /health polling,
# arithmetic). The data is only linked from the scratch directory, never
# copied into the repository.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH="${RECOUPE_BENCH_DIR:-/tmp/recoupe-bench}"
DATA="${DATA:-$REPO/../shared/data}"
BIN="${RECOUPE_BIN:-$REPO/target/release/recoupe}"
EVAL="$REPO/benches/retrieval_eval.py"
LUA="$REPO/benches/load.lua"

ORANGESUM="$DATA/orangesum.jsonl.gz"
PIAF_QUESTIONS="$DATA/piaf/dev-questions.tsv"

LOAD="$BENCH/load"
CORPUS="$LOAD/corpus"
INDEX="$LOAD/index"
ADD="$LOAD/add-1000.jsonl"
LOGS="$BENCH/logs"

CLIENTS="${LOAD_CLIENTS:-8}"
MIN_REQUESTS="${LOAD_REQUESTS:-2000}"
SINGLE_SECS="${LOAD_SINGLE_SECS:-}"
ADDR="${LOAD_ADDR:-127.0.0.1:0}"
INDEX_NICE="${LOAD_INDEX_NICE:-0}"
RATIO_TARGET=3
# Seconds of load before the first index run, between the two runs, and
# after the rebuild.
LEAD=3
GAP=3
TAIL=3
# wrk's duration: the load is stopped with SIGINT long before.
MAX_SECS=900

case "${1:-}" in
    "") ;;
    -h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; exit 0 ;;
    *) echo "usage: $0" >&2; exit 2 ;;
esac
[[ "$CLIENTS" =~ ^[1-9][0-9]*$ ]] || { echo "load.sh: LOAD_CLIENTS must be a positive integer" >&2; exit 2; }
[[ "$MIN_REQUESTS" =~ ^[0-9]+$ ]] || { echo "load.sh: LOAD_REQUESTS must be an integer" >&2; exit 2; }
[[ "$INDEX_NICE" =~ ^[0-9]+$ && "$INDEX_NICE" -le 19 ]] || { echo "load.sh: LOAD_INDEX_NICE must be 0 to 19" >&2; exit 2; }
[[ -z "$SINGLE_SECS" || "$SINGLE_SECS" =~ ^[1-9][0-9]*$ ]] || { echo "load.sh: LOAD_SINGLE_SECS must be a positive integer" >&2; exit 2; }

die() { echo "load.sh: $*" >&2; exit 1; }
note() { echo "== $*" >&2; }
now_ns() { date +%s%N; }
secs_between() { python3 -c "import sys; print(f'{(int(sys.argv[2]) - int(sys.argv[1])) / 1e9:.1f}')" "$1" "$2"; }

# Background processes of this script, stopped on any exit.
SERVER_PID=""
WRK_PID=""
POLL_PID=""
cleanup() {
    local pid
    for pid in "$WRK_PID" "$POLL_PID" "$SERVER_PID"; do
        [[ -n "$pid" ]] && kill "$pid" 2>/dev/null || true
    done
    rm -f "$CORPUS/add-1000.jsonl"
}
trap cleanup EXIT

# ---------------------------------------------------------------- setup

apt_install() { # package...
    local sudo=""
    [[ $(id -u) -eq 0 ]] || sudo="sudo"
    $sudo apt-get update -qq >/dev/null 2>&1 || true
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null 2>&1
}

ensure_tools() {
    command -v python3 >/dev/null || die "python3 is required"
    if ! command -v wrk >/dev/null; then
        note "installing wrk"
        apt_install wrk || die "could not install wrk (apt-get install wrk)"
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
    [[ -f "$PIAF_QUESTIONS" ]] || die "missing $PIAF_QUESTIONS (set DATA)"
}

# `recoupe index` on the load corpus; JSON summary in $LOGS/load-$name.json.
index_run() { # name extra-args...
    local name="$1"; shift
    local rc=0
    nice -n "$INDEX_NICE" "$BIN" index --corpus "$CORPUS" --index "$INDEX" --json --quiet "$@" \
        >"$LOGS/load-$name.json" 2>"$LOGS/load-$name.err" || rc=$?
    if [[ $rc -ne 0 ]]; then
        cat "$LOGS/load-$name.err" >&2
        die "recoupe index ($name) exited with $rc"
    fi
}

json_field() { # file key
    python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$1" "$2"
}

# ---------------------------------------------------------------- 1. corpus

prepare_corpus() {
    mkdir -p "$CORPUS" "$LOGS"
    ln -sfn "$ORANGESUM" "$CORPUS/orangesum.jsonl.gz"
    rm -f "$CORPUS/add-1000.jsonl"
    local t0 t1
    note "1. indexing OrangeSum x1 afresh (about 25 s on 2 cores)"
    rm -rf "$INDEX"
    t0=$(now_ns)
    "$BIN" index --corpus "$CORPUS" --index "$INDEX" --quiet >"$LOGS/load-prepare.out" 2>"$LOGS/load-prepare.err" \
        || { cat "$LOGS/load-prepare.err" >&2; die "recoupe index (prepare) failed"; }
    t1=$(now_ns)
    echo "index: fresh index in $(secs_between "$t0" "$t1") s"
}

# 1,000 OrangeSum records (every 36th, the first 1,000) under new ids
# "<id>-add", as benches/run.sh scale adds to its largest corpus.
write_additions() { # output-file
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

# ---------------------------------------------------------------- 2. queries

# The 300 queries of benches/run.sh scale (write_scale_queries): 100 names and
# 100 topics of 2 to 4 words from OrangeSum titles, then 100 PIAF dev
# questions (every k-th distinct cleaned question, k = n / 100).
write_queries() { # output-file
    zcat "$ORANGESUM" | python3 "$REPO/benches/title_queries.py" "$REPO/index-schema/stopwords.txt" \
        --count 100 --sizes 2,3,4 --order names,plain >"$1"
    local piaf="$LOAD/piaf-questions.txt"
    python3 "$EVAL" queries "$PIAF_QUESTIONS" >"$piaf"
    local n k; n=$(wc -l <"$piaf"); k=$((n / 100))
    awk -v k="$k" '(NR - 1) % k == 0' "$piaf" | head -100 >>"$1"
    n=$(wc -l <"$1")
    [[ "$n" -eq 300 ]] || die "expected 300 queries, got $n"
}

write_paths() { # queries-file output-file
    python3 - "$1" >"$2" <<'EOF'
import sys, urllib.parse
for line in open(sys.argv[1], encoding="utf-8"):
    q = line.rstrip("\n")
    if q:
        print(f"/api/search?q={urllib.parse.quote(q, safe='')}&limit=10")
EOF
}

# ---------------------------------------------------------------- 3. server

URL=""
start_server() {
    note "3. starting recoupe serve"
    "$BIN" serve --index "$INDEX" --corpus "$CORPUS" --addr "$ADDR" \
        >"$LOGS/load-serve.out" 2>"$LOGS/load-serve.err" &
    SERVER_PID=$!
    local i
    for i in $(seq 200); do
        URL=$(sed -n 's/^listening on \(http:[^ ]*\).*/\1/p' "$LOGS/load-serve.out" | head -1)
        [[ -z "$URL" ]] || break
        kill -0 "$SERVER_PID" 2>/dev/null || { cat "$LOGS/load-serve.err" >&2; die "recoupe serve exited at start"; }
        sleep 0.1
    done
    [[ -n "$URL" ]] || die "recoupe serve printed no 'listening on' line in 20 s"
    URL="${URL%/}"
    python3 - "$URL/health" <<'EOF' || die "no answer from $URL/health"
import json, sys, time, urllib.request
for _ in range(100):
    try:
        with urllib.request.urlopen(sys.argv[1], timeout=2) as r:
            if json.load(r).get("status") == "ok":
                sys.exit(0)
    except Exception:
        pass
    time.sleep(0.1)
sys.exit(1)
EOF
    echo "server: $URL (pid $SERVER_PID)"
}

# Polls /health every 0.2 s into a file: ns<TAB>status<TAB>generation<TAB>
# last_commit<TAB>passages, or ns<TAB>error<TAB>message.
start_poller() { # output-file
    python3 - "$URL/health" "$1" <<'EOF' &
import json, sys, time, urllib.request
url, out = sys.argv[1], sys.argv[2]
with open(out, "w", buffering=1) as f:
    while True:
        t = time.time_ns()
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                h = json.load(r)
            f.write(f"{t}\t{h.get('status')}\t{h.get('generation')}\t{h.get('last_commit')}\t{h.get('passages')}\n")
        except Exception as e:
            f.write(f"{t}\terror\t{type(e).__name__}: {e}\n")
        time.sleep(0.2)
EOF
    POLL_PID=$!
}

stop_server() {
    note "7. stopping the server (SIGTERM)"
    local rc=0
    kill -TERM "$SERVER_PID"
    wait "$SERVER_PID" || rc=$?
    SERVER_PID=""
    SERVER_RC=$rc
    echo "server: exit code $rc"
}

# ---------------------------------------------------------------- wrk

# The LOAD line of load.lua's done() as an associative array.
parse_wrk() { # array-name wrk-output
    local -n out="$1"
    local line kv
    line=$(grep '^LOAD ' "$2" | tail -1) || die "no LOAD line in $2"
    for kv in ${line#LOAD }; do out[${kv%%=*}]="${kv#*=}"; done
}

run_wrk() { # threads secs output
    wrk -t"$1" -c"$1" -d"$2"s --timeout 10s --latency -s "$LUA" "$URL" -- "$LOAD/paths.txt" "$1" \
        >"$3" 2>"$3.err" || { cat "$3" "$3.err" >&2; die "wrk failed"; }
}

# CPU seconds of this shell's children that have ended (wrk, the index
# runs, the /health poller...), from the `times` builtin, into a variable.
# Not in a command substitution: a subshell would count its own children.
child_cpu() { # var-name
    times >"$LOAD/times.txt"
    local v
    v=$(awk 'NR == 2 { s = 0; for (i = 1; i <= 2; i++) { split($i, a, /[ms]/); s += a[1] * 60 + a[2] } printf "%.2f\n", s }' "$LOAD/times.txt")
    printf -v "$1" '%s' "$v"
}

# A CPU mark, into a variable: busy ticks of the machine, all its ticks, the
# server's ticks, this shell's children's CPU seconds, the time (ns).
cpu_mark() { # var-name
    local _c u n s i w q sq st _rest srv kids
    read -r _c u n s i w q sq st _rest </proc/stat
    srv=$(awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$SERVER_PID/stat")
    child_cpu kids
    printf -v "$1" '%s' "$((u + n + s + q + sq + st)) $((u + n + s + i + w + q + sq + st)) $srv $kids $(now_ns)"
}

# Between two marks, in cores (CPU seconds per second): the machine busy,
# the server, this script's children (wrk, index runs, poller), the rest
# (other processes: should be near 0); and the server's CPU milliseconds per
# request.
cpu_between() { # array-name mark0 mark1 requests
    local -n c="$1"
    local r
    r=$(python3 -c "
import sys
b0, a0, s0, k0, t0 = map(float, sys.argv[1].split()); b1, a1, s1, k1, t1 = map(float, sys.argv[2].split())
cores, tck, n = int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
secs = (t1 - t0) / 1e9
machine = (b1 - b0) / max(a1 - a0, 1) * cores
server = (s1 - s0) / tck / secs
kids = (k1 - k0) / secs
print(f'{machine:.2f} {server:.2f} {kids:.2f} {max(machine - server - kids, 0):.2f} {(s1 - s0) / tck * 1000 / max(n, 1):.2f}')
" "$2" "$3" "$(nproc)" "$(getconf CLK_TCK)" "$4")
    read -r c[machine] c[server] c[ours] c[others] c[per_request] <<<"$r"
}

ms() { python3 -c "import sys; print(f'{int(sys.argv[1]) / 1000:.2f}')" "$1"; }

# Socket errors and timeouts, non-2xx and bad bodies of a parsed run.
errors_of() { # array-name
    local -n w="$1"
    echo $((w[connect] + w[read] + w[write] + w[timeout] + w[non2xx] + w[badbody]))
}

# ---------------------------------------------------------------- main

ensure_tools
check_data
build
mkdir -p "$BENCH" "$LOAD" "$LOGS"
LOAD_START=$(cut -d' ' -f1 /proc/loadavg)

prepare_corpus
note "2. queries and additions"
write_queries "$LOAD/queries.txt"
write_paths "$LOAD/queries.txt" "$LOAD/paths.txt"
write_additions "$ADD"
echo "queries: $(wc -l <"$LOAD/paths.txt") request paths in $LOAD/paths.txt"

start_server

note "4. single client"
run_wrk 1 3 "$LOGS/load-warmup.wrk"
declare -A WARM=()
parse_wrk WARM "$LOGS/load-warmup.wrk"
if [[ -z "$SINGLE_SECS" ]]; then
    SINGLE_SECS=$(python3 -c "import math,sys; print(max(10, math.ceil(900 / max(float(sys.argv[1]), 1))))" "${WARM[rps]}")
fi
cpu_mark M0
run_wrk 1 "$SINGLE_SECS" "$LOGS/load-single.wrk"
cpu_mark M1
declare -A W1=() C1=()
parse_wrk W1 "$LOGS/load-single.wrk"
cpu_between C1 "$M0" "$M1" "${W1[requests]}"
echo "single client: ${W1[requests]} requests in ${SINGLE_SECS} s, ${W1[rps]} requests/s, p50 $(ms "${W1[p50_us]}") ms, p99 $(ms "${W1[p99_us]}") ms"

# The same clients with the index left alone: what concurrency alone costs
# on this machine, next to what the index runs add.
note "4b. $CLIENTS clients, no indexing"
cpu_mark M0
run_wrk "$CLIENTS" "$SINGLE_SECS" "$LOGS/load-idle.wrk"
cpu_mark M1
declare -A W0=() C0=()
parse_wrk W0 "$LOGS/load-idle.wrk"
cpu_between C0 "$M0" "$M1" "${W0[requests]}"
echo "$CLIENTS clients, no indexing: ${W0[requests]} requests in ${SINGLE_SECS} s, ${W0[rps]} requests/s, p50 $(ms "${W0[p50_us]}") ms, p99 $(ms "${W0[p99_us]}") ms"

note "5. $CLIENTS clients while recoupe index commits and rebuilds"
# Long enough for MIN_REQUESTS at the single-client rate, with a margin.
MIN_SECS=$(python3 -c "import math,sys; print(math.ceil(1.5 * int(sys.argv[1]) / max(float(sys.argv[2]), 1)))" "$MIN_REQUESTS" "${W1[rps]}")
start_poller "$LOGS/load-health.tsv"
sleep 0.5
cpu_mark M0
T_LOAD0=$(now_ns)
wrk -t"$CLIENTS" -c"$CLIENTS" -d"${MAX_SECS}"s --timeout 10s --latency -s "$LUA" "$URL" -- "$LOAD/paths.txt" "$CLIENTS" \
    >"$LOGS/load-clients.wrk" 2>"$LOGS/load-clients.wrk.err" &
WRK_PID=$!
sleep "$LEAD"
kill -0 "$WRK_PID" 2>/dev/null || { cat "$LOGS/load-clients.wrk"* >&2; die "wrk stopped early"; }

ln -sfn "$ADD" "$CORPUS/add-1000.jsonl"
T_ADD0=$(now_ns); child_cpu K0
index_run add
T_ADD1=$(now_ns); child_cpu K1
ADD_CPU=$(python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$K0" "$K1")
ADDED=$(json_field "$LOGS/load-add.json" added)
[[ "$ADDED" == 1000 ]] || note "WARNING: recoupe index reported $ADDED added articles, not 1000"
echo "index: +$ADDED articles in $(secs_between "$T_ADD0" "$T_ADD1") s under load (CPU $ADD_CPU s)"
sleep "$GAP"

T_FULL0=$(now_ns); child_cpu K0
index_run full --full
T_FULL1=$(now_ns); child_cpu K1
FULL_CPU=$(python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$K0" "$K1")
echo "index: --full rebuild in $(secs_between "$T_FULL0" "$T_FULL1") s under load (CPU $FULL_CPU s)"
sleep "$TAIL"

while (( ($(now_ns) - T_LOAD0) / 1000000000 < MIN_SECS )); do sleep 0.5; done
kill -0 "$WRK_PID" 2>/dev/null || die "wrk ended before the index runs were over (MAX_SECS=$MAX_SECS)"
kill -INT "$WRK_PID"
WRK_RC=0
wait "$WRK_PID" || WRK_RC=$?
WRK_PID=""
T_LOAD1=$(now_ns)
kill "$POLL_PID" 2>/dev/null || true
wait "$POLL_PID" 2>/dev/null || true
POLL_PID=""
cpu_mark M1
[[ $WRK_RC -eq 0 ]] || { cat "$LOGS/load-clients.wrk"* >&2; die "wrk exited with $WRK_RC"; }
declare -A W8=() C8=()
parse_wrk W8 "$LOGS/load-clients.wrk"
cpu_between C8 "$M0" "$M1" "${W8[requests]}"
echo "$CLIENTS clients: ${W8[requests]} requests in $(secs_between "$T_LOAD0" "$T_LOAD1") s, ${W8[rps]} requests/s, p50 $(ms "${W8[p50_us]}") ms, p99 $(ms "${W8[p99_us]}") ms"
if [[ -s "$LOGS/load-clients.wrk.err" ]]; then
    note "wrk / load.lua wrote to stderr:"; head -20 "$LOGS/load-clients.wrk.err" >&2
fi

# What /health showed: the commit of the +1,000 run and the generation of the
# rebuild, when the server first served each (seconds after the index run
# ended; negative: before it ended, i.e. the commit landed before the
# process exited).
HEALTH=$(python3 - "$LOGS/load-health.tsv" "$T_LOAD0" "$T_LOAD1" "$T_ADD0" "$T_ADD1" "$T_FULL0" "$T_FULL1" <<'EOF'
import sys
path = sys.argv[1]
load0, load1, add0, add1, full0, full1 = map(int, sys.argv[2:])
rows, errors = [], []
for line in open(path, encoding="utf-8"):
    f = line.rstrip("\n").split("\t")
    if len(f) >= 2 and f[1] == "error":
        errors.append(line.strip())
        continue
    if len(f) == 5:
        rows.append((int(f[0]), f[2], f[3], f[4]))
def state_before(t):
    s = [r for r in rows if r[0] < t]
    return s[-1] if s else None
def first_change(since, ref, key):
    for r in rows:
        if r[0] >= since and key(r) != key(ref):
            return r
    return None
out = {"health_polls": len(rows) + len(errors), "health_errors": len(errors)}
before = state_before(add0)
commit = first_change(add0, before, lambda r: (r[1], r[2], r[3])) if before else None
if before:
    out["gen_before"], out["passages_before"] = before[1], before[3]
if commit:
    out["commit_gen"], out["commit_time"], out["passages_after"] = commit[1], commit[2], commit[3]
    out["commit_seen"] = f"{(commit[0] - add1) / 1e9:.1f}"
    out["commit_during"] = "yes" if load0 <= add0 and commit[0] <= load1 else "no"
else:
    out["commit_during"] = "no"
pre_full = state_before(full0)
switch = first_change(full0, pre_full, lambda r: r[1]) if pre_full else None
if switch:
    out["gen_old"], out["gen_new"] = pre_full[1], switch[1]
    out["switch_seen"] = f"{(switch[0] - full1) / 1e9:.1f}"
    out["switch_during"] = "yes" if switch[0] <= load1 else "no"
else:
    out["switch_during"] = "no"
for k, v in out.items():
    print(f"{k}={v}")
for e in errors[:5]:
    print(f"error={e}", file=sys.stderr)
EOF
)
declare -A H=()
while IFS= read -r kv; do H[${kv%%=*}]="${kv#*=}"; done <<<"$HEALTH"

stop_server

# ---------------------------------------------------------------- 6. table

ERR1=$(errors_of W1)
ERR0=$(errors_of W0)
ERR8=$(errors_of W8)
RATIO=$(python3 -c "import sys; print(f'{int(sys.argv[1]) / int(sys.argv[2]):.2f}')" "${W8[p99_us]}" "${W1[p99_us]}")
RATIO0=$(python3 -c "import sys; print(f'{int(sys.argv[1]) / int(sys.argv[2]):.2f}')" "${W0[p99_us]}" "${W1[p99_us]}")
RATIO_OK=$(python3 -c "import sys; print('yes' if float(sys.argv[1]) <= float(sys.argv[2]) else 'no')" "$RATIO" "$RATIO_TARGET")
LOAD_SECS=$(secs_between "$T_LOAD0" "$T_LOAD1")

err_detail() { # array-name
    local -n w="$1"
    echo "socket connect ${w[connect]}, read ${w[read]}, write ${w[write]}, timeouts ${w[timeout]}; non-2xx ${w[non2xx]}; 2xx without hits ${w[badbody]}; statuses ${w[statuses]}"
}

table() {
    echo "Load benchmark, $(date '+%Y-%m-%d %H:%M %Z'), $(nproc) cores, recoupe $(cd "$REPO" && git rev-parse --short HEAD 2>/dev/null || echo '?') (\`$BIN\`)"
    echo "OrangeSum x1, 300 mixed queries (/api/search, limit 10) over loopback ($URL), wrk $(wrk -v 2>&1 | head -1 | awk '{print $2}')"
    echo "1-minute load average: $LOAD_START at the start, $(cut -d' ' -f1 /proc/loadavg) at the end; index runs under load at niceness $INDEX_NICE"
    echo
    echo "| figure | value | target |"
    echo "|---|---:|---|"
    echo "| single client: requests (${SINGLE_SECS} s) | ${W1[requests]} | ≥ 300 |"
    echo "| single client: p50 (ms) | $(ms "${W1[p50_us]}") | |"
    echo "| single client: p99 (ms) | $(ms "${W1[p99_us]}") | |"
    echo "| single client: max (ms) | $(ms "${W1[max_us]}") | |"
    echo "| single client: requests/s | ${W1[rps]} | |"
    echo "| single client: errors | $ERR1 | 0 |"
    echo "| single client: CPU in cores, machine = server + this script (wrk, index runs) + others | ${C1[machine]} = ${C1[server]} + ${C1[ours]} + ${C1[others]} | others ≈ 0 |"
    echo "| single client: server CPU per request (ms) | ${C1[per_request]} | |"
    echo "| $CLIENTS clients, no indexing: requests (${SINGLE_SECS} s) | ${W0[requests]} | |"
    echo "| $CLIENTS clients, no indexing: p50 (ms) | $(ms "${W0[p50_us]}") | |"
    echo "| $CLIENTS clients, no indexing: p99 (ms) | $(ms "${W0[p99_us]}") | |"
    echo "| $CLIENTS clients, no indexing: requests/s | ${W0[rps]} | |"
    echo "| $CLIENTS clients, no indexing: errors | $ERR0 | 0 |"
    echo "| $CLIENTS clients, no indexing: CPU in cores, machine = server + this script (wrk, index runs) + others | ${C0[machine]} = ${C0[server]} + ${C0[ours]} + ${C0[others]} | others ≈ 0 |"
    echo "| $CLIENTS clients, no indexing: server CPU per request (ms) | ${C0[per_request]} | |"
    echo "| $CLIENTS clients, no indexing: p99 / single-client p99 | $RATIO0 | |"
    echo "| $CLIENTS clients under indexing: requests sent (${LOAD_SECS} s) | ${W8[requests]} | ≥ $MIN_REQUESTS |"
    echo "| $CLIENTS clients: p50 (ms) | $(ms "${W8[p50_us]}") | |"
    echo "| $CLIENTS clients: p99 (ms) | $(ms "${W8[p99_us]}") | |"
    echo "| $CLIENTS clients: max (ms) | $(ms "${W8[max_us]}") | |"
    echo "| $CLIENTS clients: requests/s | ${W8[rps]} | |"
    echo "| $CLIENTS clients: errors (socket errors + timeouts + non-2xx + bodies without hits) | $ERR8 | 0 |"
    echo "| $CLIENTS clients: CPU in cores, machine = server + this script (wrk, index runs) + others | ${C8[machine]} = ${C8[server]} + ${C8[ours]} + ${C8[others]} | others ≈ 0 |"
    echo "| $CLIENTS clients: server CPU per request (ms) | ${C8[per_request]} | |"
    echo "| p99 under load / single-client p99 | $RATIO ($RATIO_OK) | ≤ $RATIO_TARGET |"
    echo "| index commit (+$ADDED articles, $(secs_between "$T_ADD0" "$T_ADD1") s, CPU $ADD_CPU s) during the load | ${H[commit_during]}: passages ${H[passages_before]:-?} → ${H[passages_after]:-?}, served ${H[commit_seen]:-—} s after \`recoupe index\` ended | yes |"
    echo "| generation switch (\`--full\`, $(secs_between "$T_FULL0" "$T_FULL1") s, CPU $FULL_CPU s) during the load | ${H[switch_during]}: ${H[gen_old]:-?} → ${H[gen_new]:-?}, served ${H[switch_seen]:-—} s after \`recoupe index --full\` ended | yes |"
    echo "| /health polls during the load: failed / all | ${H[health_errors]:-?} / ${H[health_polls]:-?} | 0 failed |"
    echo "| server exit code after SIGTERM | $SERVER_RC | 0 |"
    echo
    local arr label
    for arr in C1 C0 C8; do
        local -n c="$arr"
        case $arr in C1) label="single client" ;; C0) label="$CLIENTS clients, no indexing" ;; *) label="$CLIENTS clients under indexing" ;; esac
        if python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) > 0.15 else 1)" "${c[others]}"; then
            echo "WARNING: other processes used ${c[others]} cores during \"$label\": its figures are disturbed"
        fi
        unset -n c
    done
    echo "Errors, single client: $(err_detail W1)"
    echo "Errors, $CLIENTS clients, no indexing: $(err_detail W0)"
    echo "Errors, $CLIENTS clients under indexing: $(err_detail W8)"
}

echo
table | tee "$LOGS/load.md"

STATUS=0
[[ "$ERR1" -eq 0 && "$ERR0" -eq 0 && "$ERR8" -eq 0 ]] || { note "FAILED: $((ERR1 + ERR0 + ERR8)) failed requests (see $LOGS/load-*.wrk*)"; STATUS=1; }
[[ "${H[health_errors]:-1}" -eq 0 ]] || { note "FAILED: /health polls failed (see $LOGS/load-health.tsv)"; STATUS=1; }
[[ "${W1[requests]}" -ge 300 ]] || { note "FAILED: fewer than 300 single-client requests (raise LOAD_SINGLE_SECS)"; STATUS=1; }
[[ "${W8[requests]}" -ge "$MIN_REQUESTS" ]] || { note "FAILED: ${W8[requests]} requests under load, fewer than $MIN_REQUESTS"; STATUS=1; }
[[ "${H[commit_during]}" == yes ]] || { note "FAILED: the server did not serve the new commit during the load"; STATUS=1; }
[[ "${H[switch_during]}" == yes ]] || { note "FAILED: the server did not switch generation during the load"; STATUS=1; }
[[ "$SERVER_RC" -eq 0 ]] || { note "FAILED: recoupe serve exited with $SERVER_RC after SIGTERM"; STATUS=1; }
exit $STATUS
