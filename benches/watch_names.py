#!/usr/bin/env python3
"""Writes a watchlist of COUNT names for the `watch` benchmark (benches/run.sh).

Half come from recoupe's alias table (the first name of evenly spread
groups), the rest are OrangeSum's most frequent capitalised words that are names:
not stopwords, and written in lower case less than a tenth as often
(`Selon`, `Après` open sentences; `Macron`, `Syrie` are names). One watched query a line, in the
watchlist format (every tenth `| strict`, every seventh with a label).

Usage: zcat orangesum.jsonl.gz | watch_names.py ALIASES STOPWORDS COUNT > watchlist.txt
Standard library only.
"""

import collections
import json
import re
import sys
import unicodedata


def fold(s):
    s = unicodedata.normalize("NFKD", s.lower())
    return "".join(c for c in s if not unicodedata.combining(c))


def main():
    aliases_path, stopwords_path, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    stop = set()
    with open(stopwords_path, encoding="utf-8") as f:
        for line in f:
            w = line.strip()
            if w and not w.startswith("#"):
                stop.add(fold(w))
    groups = []
    with open(aliases_path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#"):
                name = line.split(" = ")[0].strip()
                if name and "|" not in name:
                    groups.append(name)
    half = count // 2
    step = max(1, len(groups) // half) if groups else 1
    names, seen = [], set()

    def take(name):
        key = fold(name)
        if key not in seen and not name.startswith("#"):
            seen.add(key)
            names.append(name)

    for name in groups[::step]:
        if len(names) >= half:
            break
        take(name)
    words = collections.Counter()
    lower = collections.Counter()
    token = re.compile(r"\b[^\W\d_]{3,}(?:-[^\W\d_]+)*\b")
    for line in sys.stdin:
        rec = json.loads(line)
        text = " ".join(rec.get(k) or "" for k in ("title", "lead", "body"))
        for m in token.finditer(text):
            w = m.group(0)
            if w[0].isupper() and not w.isupper():
                words[w] += 1
            elif w.islower():
                lower[w] += 1
    for word, n in words.most_common():
        if len(names) >= count:
            break
        if fold(word) in stop or lower[word.lower()] * 10 >= n:
            continue
        take(word)
    print("# watch benchmark: %d names (alias table and OrangeSum)" % len(names))
    for i, name in enumerate(names):
        line = name
        if i % 7 == 3:
            line += " | label: nom %d" % i
        if i % 10 == 5:
            line += " | strict"
        print(line)


if __name__ == "__main__":
    main()
