#!/usr/bin/env python3
"""Deterministic queries from OrangeSum titles, for benches/run.sh.

Reads OrangeSum JSON lines on stdin and prints COUNT plain queries and COUNT
name queries, one a line, in the order given by --order:

  plain  lower-case words of 4+ letters from the start of a title, not
         stopwords; the k-th plain query has SIZES[k % len(SIZES)] words
         (titles taken from every (n / COUNT)-th one, starting at the first)
  names  the first run of capitalised words after a title's first word (at
         most two, as in "Olivier Véran"), not all capitals, not stopwords
         (from every (n / COUNT)-th title, starting half a stride in)

When a title gives nothing new, the walk goes on with the next one of its
stride. Standard library only.

  title_queries.py STOPWORDS_FILE --count 150 --sizes 1,2,3 --order plain,names
"""

import argparse
import json
import re
import sys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("stopwords")
    ap.add_argument("--count", type=int, required=True)
    ap.add_argument("--sizes", default="1,2,3")
    ap.add_argument("--order", default="plain,names")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]

    stop = set()
    for line in open(args.stopwords, encoding="utf-8"):
        line = line.strip()
        if line and not line.startswith("#"):
            stop.add(line.lower())
    titles = [json.loads(line).get("title") or "" for line in sys.stdin]
    word = re.compile(r"[^\W\d_]+")
    step = max(1, len(titles) // args.count)

    def walk(start):
        for offset in range(step):
            yield from range((start + offset) % step, len(titles), step)

    def plain(title, k):
        n = sizes[k % len(sizes)]
        words = [w.lower() for w in word.findall(title) if len(w) >= 4 and w.lower() not in stop]
        return " ".join(words[:n]) if len(words) >= n else None

    def name(title, _k):
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
                if len(out) == args.count:
                    break
        return out

    kinds = {"plain": lambda: collect(0, plain), "names": lambda: collect(step // 2, name)}
    out = []
    for kind in args.order.split(","):
        out.extend(kinds[kind]())
    print("\n".join(out))


if __name__ == "__main__":
    main()
