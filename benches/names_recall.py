#!/usr/bin/env python3
"""Name recall and precision per query, strict vs default, on the fixture.

Usage: names_recall.py RECOUPE CORPUS INDEX EXPECT_TSV

EXPECT_TSV lines: query, ids that must be found, ids that must not (the
fixture's false friends). For each query, recoupe is asked for up to 200
passages, once with --strict and once by default. Recall: share of the
expected articles found. Precision: share of the articles found that are
expected (articles of other names count against it, as false friends do).
Prints a Markdown table and the totals.
"""
import json
import subprocess
import sys


def found(recoupe, corpus, index, queries, strict):
    cmd = [recoupe, "search", "--corpus", corpus, "--index", index, "--json",
           "--limit", "200", "--batch", "-"]
    if strict:
        cmd.append("--strict")
    out = subprocess.run(cmd, input="\n".join(queries) + "\n", capture_output=True,
                         text=True, check=False).stdout
    docs = {q: set() for q in queries}
    for line in out.splitlines():
        hit = json.loads(line)
        if "summary" in hit:
            continue
        docs.setdefault(hit["query"], set()).add(hit["doc"])
    return docs


def main():
    recoupe, corpus, index, expect = sys.argv[1:5]
    rows = []
    for line in open(expect, encoding="utf-8"):
        if line.startswith("#") or not line.strip():
            continue
        cols = line.rstrip("\n").split("\t")
        must = {x for x in cols[1].split(",") if x} if len(cols) > 1 else set()
        must_not = {x for x in cols[2].split(",") if x} if len(cols) > 2 else set()
        rows.append((cols[0], must, must_not))
    queries = [r[0] for r in rows]
    strict = found(recoupe, corpus, index, queries, True)
    default = found(recoupe, corpus, index, queries, False)

    def score(got, must, must_not):
        recall = len(got & must) / len(must) if must else 1.0
        precision = len(got & must) / len(got) if got else 1.0
        return recall, precision, len(got & must_not)

    print("| query | expected | strict recall | strict precision | default recall | default precision | false friends (default) |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    totals = {"strict": [0, 0, 0], "default": [0, 0, 0]}
    for q, must, must_not in rows:
        s = score(strict[q], must, must_not)
        d = score(default[q], must, must_not)
        print(f"| {q} | {len(must)} | {s[0]:.2f} | {s[1]:.2f} | {d[0]:.2f} | {d[1]:.2f} | {d[2]} |")
        for name, got in (("strict", strict[q]), ("default", default[q])):
            totals[name][0] += len(got & must)
            totals[name][1] += len(must)
            totals[name][2] += len(got)
    for name, (hit, want, got) in totals.items():
        print(f"{name}: recall {hit / want:.3f} ({hit}/{want}), precision {hit / max(got, 1):.3f} ({hit}/{got})")


if __name__ == "__main__":
    main()
