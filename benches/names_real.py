#!/usr/bin/env python3
"""Name search on real OrangeSum passages: recall, top-10 precision and false
friends per query, by default and with --strict.

Usage: names_real.py RECOUPE CORPUS INDEX FIXTURE_DIR [--hits-dir DIR]
       names_real.py --check FIXTURE_DIR    (scoring self-test and fixture check)

FIXTURE_DIR holds (see benches/README.md, "Names on real passages"):
  entities.tsv    entity, kind, name, passages naming it, judging, spellings
  queries.tsv     query, entity
  judgments.tsv   entity, doc, passage, label (R names it, F false friend,
                  N judged, does not name it), how it was judged

The fixture holds references (article id and passage number, as in the JSON
output's `doc` and `passage`), never article text. All queries are asked
through one `recoupe search --json --limit 200 --batch` process, once by
default and once with --strict. Prints a Markdown table, one row per query,
then overall figures. With --hits-dir, the raw JSON output of both runs is
kept there.
"""
import json
import subprocess
import sys
from collections import defaultdict

LIMIT = 200
TOP = 10
# The target applies to names the corpus holds at least this many times.
FREQUENT = 10
PRECISION_TARGET = 0.95


def read_tsv(path):
    rows = []
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            rows.append((number, line.split("\t")))
    return rows


def load_fixture(folder):
    entities = {}
    for number, cols in read_tsv(f"{folder}/entities.tsv"):
        if len(cols) < 5:
            sys.exit(f"{folder}/entities.tsv:{number}: expected 6 tab-separated columns")
        entities[cols[0]] = {"name": cols[2], "judging": cols[4]}
    queries = []
    for number, cols in read_tsv(f"{folder}/queries.tsv"):
        if len(cols) < 2 or cols[1] not in entities:
            sys.exit(f"{folder}/queries.tsv:{number}: expected a query and a known entity")
        queries.append((cols[0], cols[1]))
    labels = defaultdict(dict)
    for number, cols in read_tsv(f"{folder}/judgments.tsv"):
        if len(cols) < 4 or cols[3] not in ("R", "F", "N") or cols[0] not in entities:
            sys.exit(f"{folder}/judgments.tsv:{number}: expected entity, doc, passage, R|F|N")
        try:
            key = (cols[1], int(cols[2]))
        except ValueError:
            sys.exit(f"{folder}/judgments.tsv:{number}: passage must be a number")
        labels[cols[0]][key] = cols[3]
    return entities, queries, labels


def search(recoupe, corpus, index, queries, strict, keep):
    cmd = [recoupe, "search", "--corpus", corpus, "--index", index, "--json",
           "--limit", str(LIMIT), "--color", "never", "--batch", "-"]
    if strict:
        cmd.append("--strict")
    run = subprocess.run(cmd, input="\n".join(queries) + "\n", capture_output=True,
                         text=True, check=False)
    if run.returncode > 1:
        sys.exit(f"recoupe search exited with {run.returncode}: {run.stderr.strip()[:500]}")
    if keep:
        with open(keep, "w", encoding="utf-8") as f:
            f.write(run.stdout)
    hits = defaultdict(list)
    for line in run.stdout.splitlines():
        hit = json.loads(line)
        if "summary" in hit:
            continue
        key = (hit["doc"], hit["passage"])
        if key not in hits[hit["query"]]:
            hits[hit["query"]].append(key)
    return hits


def score(got, labels):
    """recall, top-10 precision (None when undefined), false friends, unjudged in top 10.

    Recall is over at most LIMIT passages: a name held more often cannot be
    found whole in one answer. Precision is over the first 10 ranks, or the
    first n when the name is held n < 10 times."""
    relevant = {k for k, v in labels.items() if v == "R"}
    friends = {k for k, v in labels.items() if v == "F"}
    recall = None
    if relevant:
        recall = len(relevant.intersection(got)) / min(len(relevant), LIMIT)
    # A name held fewer than 10 times can fill only that many ranks.
    top = got[:min(TOP, len(relevant))] if relevant else got[:TOP]
    precision = sum(k in relevant for k in top) / len(top) if top else None
    false_friends = sum(k in friends for k in got)
    unjudged = sum(k not in labels for k in top)
    return recall, precision, false_friends, unjudged


# Judgment reasons are short: a longer field would be article text, which the
# fixture must not hold.
MAX_HOW_CHARS = 120


def check(folder):
    """Self-test of the scoring, then checks of the fixture; exits non-zero on a problem."""
    a, b, c, f = ("d", 0), ("d", 1), ("d", 2), ("e", 0)
    labels = {a: "R", b: "R", c: "N", f: "F"}
    assert score([a, c, f], labels) == (0.5, 0.5, 1, 0), score([a, c, f], labels)
    assert score([], labels) == (0.0, None, 0, 0)
    assert score([("z", 9)], {}) == (None, 0.0, 0, 1)
    many = {("m", i): "R" for i in range(300)}
    assert score([("m", i) for i in range(200)], many)[0] == 1.0
    assert score([("m", i) for i in range(100)], many)[0] == 0.5
    entities, queries, labels = load_fixture(folder)
    problems = []
    for entity in entities:
        if not any(e == entity for _, e in queries):
            problems.append(f"{folder}/entities.tsv: {entity} has no query")
    for number, cols in read_tsv(f"{folder}/judgments.tsv"):
        if len(cols) != 5 or len(cols[4]) > MAX_HOW_CHARS:
            problems.append(f"{folder}/judgments.tsv:{number}: expected 5 columns, a short reason")
    for number, cols in read_tsv(f"{folder}/entities.tsv"):
        named = sum(v == "R" for v in labels[cols[0]].values())
        if cols[3] != str(named):
            problems.append(f"{folder}/entities.tsv:{number}: says {cols[3]} passages, "
                            f"judgments.tsv has {named}")
    for p in problems:
        print(p, file=sys.stderr)
    if problems:
        sys.exit(1)
    print(f"ok: {len(queries)} queries, {len(entities)} entities, "
          f"{sum(len(v) for v in labels.values())} judgments")


def fmt(x):
    return "—" if x is None else f"{x:.2f}"


def md(text):
    return text.replace("|", "\\|")


def main():
    args = sys.argv[1:]
    if len(args) == 2 and args[0] == "--check":
        check(args[1])
        return
    hits_dir = None
    if "--hits-dir" in args:
        i = args.index("--hits-dir")
        hits_dir = args[i + 1]
        del args[i:i + 2]
    if len(args) != 4:
        sys.exit(__doc__)
    recoupe, corpus, index, folder = args
    entities, queries, labels = load_fixture(folder)
    texts = [q for q, _ in queries]
    runs = {}
    for mode, strict in (("default", False), ("strict", True)):
        keep = f"{hits_dir}/names-real-{mode}.jsonl" if hits_dir else None
        runs[mode] = search(recoupe, corpus, index, texts, strict, keep)

    print("| query | entity | passages naming it | recall default / strict "
          "| top-10 precision default / strict | false friends default / strict "
          "| unjudged in top 10 |")
    print("|---|---|---:|---:|---:|---:|---:|")
    totals = {m: {"found": 0, "wanted": 0, "ff": 0, "precisions": [], "frequent_ok": 0,
                  "unjudged": 0, "ff_queries": 0} for m in runs}
    frequent = 0
    for query, entity in queries:
        lab = labels[entity]
        n = sum(v == "R" for v in lab.values())
        sampled = "~" if entities[entity]["judging"] == "sampled" else ""
        scores = {m: score(runs[m].get(query, []), lab) for m in runs}
        if n >= FREQUENT:
            frequent += 1
        for m, (recall, precision, ff, unjudged) in scores.items():
            t = totals[m]
            relevant = {k for k, v in lab.items() if v == "R"}
            t["found"] += len(relevant.intersection(runs[m].get(query, [])))
            t["wanted"] += min(n, LIMIT)
            t["ff"] += ff
            t["ff_queries"] += ff > 0
            t["unjudged"] += unjudged
            if precision is not None:
                t["precisions"].append(precision)
            if n >= FREQUENT and precision is not None and precision >= PRECISION_TARGET:
                t["frequent_ok"] += 1
        d, s = scores["default"], scores["strict"]
        print(f"| {md(query)} | {entity} | {n}{sampled} | {sampled}{fmt(d[0])} / {fmt(s[0])} "
              f"| {fmt(d[1])} / {fmt(s[1])} | {d[2]} / {s[2]} | {d[3]} / {s[3]} |")
    print()
    print("| overall | default | strict |")
    print("|---|---:|---:|")
    row = lambda label, f: print(f"| {label} | {f('default')} | {f('strict')} |")
    row("recall (passages found / passages to find, at most 200 a query)",
        lambda m: f"{totals[m]['found'] / max(totals[m]['wanted'], 1):.3f} "
                  f"({totals[m]['found']}/{totals[m]['wanted']})")
    row("mean top-10 precision (queries with hits)",
        lambda m: f"{sum(totals[m]['precisions']) / max(len(totals[m]['precisions']), 1):.3f} "
                  f"({len(totals[m]['precisions'])} queries)")
    row(f"queries named >= {FREQUENT} times with top-10 precision >= {PRECISION_TARGET}",
        lambda m: f"{totals[m]['frequent_ok']}/{frequent}")
    row("false-friend passages retrieved (queries affected)",
        lambda m: f"{totals[m]['ff']} ({totals[m]['ff_queries']})")
    row("unjudged passages in the top 10", lambda m: str(totals[m]["unjudged"]))
    print()
    print(f"{len(queries)} queries, {len(entities)} entities, "
          f"{sum(len(v) for v in labels.values())} judged passages. "
          "~ = frequent entity judged by spelling with a read sample (see benches/README.md).")


if __name__ == "__main__":
    main()
