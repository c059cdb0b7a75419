#!/usr/bin/env python3
"""PIAF retrieval benchmark helper for benches/run.sh (standard library only).

Two sub-commands:

  retrieval_eval.py queries QUESTIONS_TSV > queries.txt
      Writes one query a line, the distinct cleaned questions of QUESTIONS_TSV
      (`question_id<TAB>question<TAB>paragraph_id`). Cleaning: every character
      that is not a letter, a digit, an apostrophe, a hyphen or a space becomes
      a space, then runs of spaces collapse to one.

  retrieval_eval.py score QUESTIONS_TSV HITS_JSONL [--k 10] [--recall-at 1,10,100]
      Reads the `recoupe search --json --batch` output (one hit a line, each
      query closed by a summary line, skipped) and
      prints MRR@k and recall@k as one JSON object. Hits are passages, so
      several may come from the same article: each question's hits are reduced
      to their distinct `doc` values in rank order, and only the first k
      distinct docs count. A question whose paragraph is the n-th distinct doc
      scores 1/n; a question without it in the first k scores 0.
"""

import argparse
import json
import sys


def clean(question):
    """Turn a question into a plain query (see the module documentation)."""
    out = []
    for ch in question:
        out.append(ch if ch.isalnum() or ch in "'- " else " ")
    return " ".join("".join(out).split())


def read_questions(path):
    """Yield (question_id, cleaned query, paragraph_id) for each line."""
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line:
                continue
            parts = line.split("\t")
            if len(parts) != 3:
                sys.exit(f"{path}:{lineno}: expected 3 tab-separated fields")
            qid, question, paragraph = parts
            yield qid, clean(question), paragraph


def cmd_queries(args):
    seen = set()
    for _, query, _ in read_questions(args.questions):
        if query and query not in seen:
            seen.add(query)
            print(query)


def cmd_score(args):
    # The batch prints the hits of each query in rank order; a query without
    # hits prints nothing. Identical queries give identical hits, so the hits
    # are grouped by query text and the first group of each text is kept.
    docs_by_query = {}
    current, group_docs, finished = None, None, set()
    bad_lines = 0
    with open(args.hits, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            try:
                hit = json.loads(line)
                if "summary" in hit:
                    continue
                query = " ".join(hit["query"].split())
                rank = int(hit["rank"])
                doc = hit["doc"]
            except (ValueError, KeyError, TypeError):
                bad_lines += 1
                continue
            if query != current or rank == 1:
                if current is not None:
                    finished.add(current)
                current = query
                if query in finished:
                    group_docs = None  # a repeated query: ignore its hits
                else:
                    group_docs = docs_by_query.setdefault(query, [])
            if group_docs is not None and doc not in group_docs:
                group_docs.append(doc)

    k = args.k
    extra_ks = [int(x) for x in args.recall_at.split(",") if x.strip()] if args.recall_at else []
    found_at = {n: 0 for n in extra_ks}
    total, reciprocal_sum, found, no_hit, empty = 0, 0.0, 0, 0, 0
    for _, query, paragraph in read_questions(args.questions):
        total += 1
        if not query:
            empty += 1
            continue
        docs = docs_by_query.get(query, [])
        if not docs:
            no_hit += 1
        for n in extra_ks:
            if paragraph in docs[:n]:
                found_at[n] += 1
        top = docs[:k]
        if paragraph in top:
            found += 1
            reciprocal_sum += 1.0 / (top.index(paragraph) + 1)

    result = {
        "questions": total,
        "k": k,
        "mrr": reciprocal_sum / total if total else 0.0,
        "recall": found / total if total else 0.0,
        "found": found,
        "questions_without_hits": no_hit,
        "empty_queries": empty,
        "unreadable_lines": bad_lines,
    }
    for n in extra_ks:
        result[f"recall@{n}"] = found_at[n] / total if total else 0.0
    print(json.dumps(result))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    q = sub.add_parser("queries", help="print the cleaned, distinct queries")
    q.add_argument("questions")
    q.set_defaults(func=cmd_queries)
    s = sub.add_parser("score", help="compute MRR@k and recall@k")
    s.add_argument("questions")
    s.add_argument("hits")
    s.add_argument("--k", type=int, default=10)
    s.add_argument("--recall-at", default="", help="also recall at these depths, e.g. 1,10,100")
    s.set_defaults(func=cmd_score)
    args = parser.parse_args()
    args.func(args)


if __name__ == "__main__":
    main()
