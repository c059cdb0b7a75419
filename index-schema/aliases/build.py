#!/usr/bin/env python3
"""Builds index-schema/aliases.txt from index-schema/aliases/sources.tsv.

Usage:
    python3 index-schema/aliases/build.py            write aliases.txt
    python3 index-schema/aliases/build.py --check    fail if aliases.txt is not
                                                     what sources.tsv gives
    python3 index-schema/aliases/build.py --rigour DIR
        also check every group marked 'rigour:xx' against DIR/xx.yml (the
        territory files of the rigour library): at least one of the group's
        names must be among that territory's names.

Needs Python 3 and its standard library only, and nothing from the network:
the curated facts live in sources.tsv, committed with the generated table.

The build refuses (exit status 1, one message per problem, naming the line of
sources.tsv) a name written twice in the table, a name that is also in the
left-out list, a group of fewer than two names, a name holding '#', '=' or a
control character, and an unknown source code.
"""

import argparse
import os
import re
import sys
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCES = os.path.join(HERE, "sources.tsv")
TABLE = os.path.join(os.path.dirname(HERE), "aliases.txt")

HEADER = """\
# Alias table of recoupe: names that designate the same person, place or
# organisation but that spelling rules cannot relate.
#
# Format:
#   - one group per line; the names of a group are separated by " = ";
#   - a name may have several words ("Forces démocratiques syriennes"):
#     it then matches as a phrase;
#   - everything after "#" is a comment; blank lines are ignored;
#   - case and accents do not matter ("Etat islamique" = "État islamique");
#   - the spelling variants of what the user types ("Kadhafi", "Gaddafi",
#     "al-Sharaa") need no line here: the engine finds them by itself. Write
#     links that spelling cannot make: translations, acronyms, former names,
#     noms de guerre, names in other scripts.
#   - an alias is searched as written, never through its own spelling
#     variants (those can be someone else: "MBS" is not "MBZ"); list the
#     spellings of an alias that the press uses in its group.
#   - a name written in capitals here ("EI") matches only where the text
#     writes it in capitals; a name written with an Arabic article
#     ("al-Golani") matches only with one (al-, el-, ach-…), typed or in the
#     text, so that a bare form naming something else stays out.
#   - a name that appears in two lines joins the two groups into one: only
#     list names that designate exactly the same entity.
#
# You can add your own file on top of this one with the same format.
#
# This file is generated: edit index-schema/aliases/sources.tsv, then run
# `python3 index-schema/aliases/build.py`. In each group the names French
# press uses come first, then English, then other forms. The comment at the
# end of a line names the sources where its links can be checked:
"""


def fold(name):
    """The form under which two names are the same (as the engine compares
    them): accents and case dropped, letters, digits and ASCII punctuation
    kept, single spaces."""
    decomposed = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in decomposed if not unicodedata.combining(c))
    text = text.casefold()
    kept = []
    for c in text:
        if c.isalnum() or (c.isascii() and not c.isspace() and c.isprintable()):
            kept.append(c)
        elif c.isspace():
            kept.append(" ")
    return " ".join("".join(kept).split())


class Problems:
    def __init__(self, path):
        self.path = path
        self.messages = []

    def add(self, line, text):
        self.messages.append(f"{self.path}:{line}: {text}")


def read_sources(path, problems):
    sources, sections, leftout = {}, [], {}
    current = None
    try:
        with open(path, encoding="utf-8") as handle:
            lines = handle.read().splitlines()
    except (OSError, UnicodeDecodeError) as err:
        problems.add(0, f"cannot read the file ({err}); restore it from git")
        return sources, sections, leftout
    for number, raw in enumerate(lines, 1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        fields = [f.strip() for f in raw.split("\t")]
        kind = fields[0]
        if kind == "source" and len(fields) == 3:
            sources[fields[1]] = fields[2]
        elif kind == "section" and len(fields) == 3:
            current = {"title": fields[2], "groups": []}
            sections.append(current)
        elif kind == "group" and len(fields) in (3, 4):
            if current is None:
                problems.add(number, "group before any 'section' line: add one above it")
                continue
            names = [" ".join(n.split()) for n in fields[1].split(" = ")]
            codes = [c.strip() for c in fields[2].split(",") if c.strip()]
            note = fields[3] if len(fields) == 4 else ""
            current["groups"].append(
                {"line": number, "names": names, "codes": codes, "note": note}
            )
        elif kind == "leftout" and len(fields) == 3:
            leftout[fold(fields[1])] = (fields[1], fields[2], number)
        else:
            problems.add(
                number,
                "not a record of the form 'source|section|group|leftout' with its "
                "tab-separated fields (see the comment at the top of the file)",
            )
    return sources, sections, leftout


def check(sources, sections, leftout, problems):
    seen = {}
    for section in sections:
        for group in section["groups"]:
            line = group["line"]
            names = group["names"]
            if len(names) < 2 or any(not n for n in names):
                problems.add(line, "a group needs two or more non-empty names joined by ' = '")
            if not group["codes"]:
                problems.add(line, "no source code: name where the link can be checked")
            for code in group["codes"]:
                base = code.split(":", 1)[0]
                if base not in sources:
                    problems.add(line, f"unknown source code '{code}': add a 'source' line for it")
            if len({fold(n) for n in names}) < len(names):
                problems.add(
                    line,
                    "two names of the group differ only by case, accents or spaces: "
                    "keep one (the engine already treats them as one)",
                )
            local = set()
            for name in names:
                if re.search(r"[#=\x00-\x1f\x7f]", name):
                    problems.add(line, f"name '{name}' holds '#', '=' or a control character")
                key = fold(name)
                if key in leftout:
                    problems.add(
                        line,
                        f"name '{name}' is on the left-out list (line {leftout[key][2]}): "
                        f"{leftout[key][1]}",
                    )
                if key in seen and key not in local:
                    problems.add(
                        line,
                        f"name '{name}' is already in the group of line {seen[key]}: "
                        "one name, one entity; merge the lines or drop the name",
                    )
                seen.setdefault(key, line)
                local.add(key)


TERRITORY_KEYS = ("name", "full_name")
TERRITORY_LISTS = ("names_strong", "names_weak")


def territory_names(path):
    """The names of one rigour territory file (a small YAML subset: scalar
    keys and lists of scalars, '#' comments)."""
    names, current = [], None
    with open(path, encoding="utf-8") as handle:
        for raw in handle:
            line = raw.split(" #", 1)[0].rstrip()
            match = re.match(r"^([a-z_]+):\s*(.*)$", line)
            if match:
                key, value = match.groups()
                current = key if key in TERRITORY_LISTS else None
                if key in TERRITORY_KEYS and value:
                    names.append(value.strip("'\""))
                continue
            item = re.match(r"^\s+-\s+(.*)$", line)
            if item and current:
                names.append(item.group(1).strip().strip("'\""))
    return {fold(n) for n in names}


def check_rigour(sections, directory, problems):
    checked = 0
    for section in sections:
        for group in section["groups"]:
            for code in group["codes"]:
                if not code.startswith("rigour:"):
                    continue
                path = os.path.join(directory, code.split(":", 1)[1] + ".yml")
                if not os.path.exists(path):
                    problems.add(group["line"], f"{code}: no file {path}")
                    continue
                known = territory_names(path)
                found = [n for n in group["names"] if fold(n) in known]
                if not found:
                    problems.add(
                        group["line"],
                        f"{code}: none of the group's names is among the names of {path}",
                    )
                checked += 1
    return checked


def render(sources, sections, leftout):
    out = [HEADER]
    for code, text in sources.items():
        out.append(f"#   {code}: {text}\n")
    out.append("#\n# Acronyms and short names were checked against French press usage\n")
    out.append("# (the OrangeSum news corpus, 2011-2020): a form that French text mostly\n")
    out.append("# uses for something else is left out; see the list at the end.\n")
    for section in sections:
        out.append(f"\n# --- {section['title']} ---\n")
        for group in section["groups"]:
            if group["note"]:
                out.append(f"# {group['note']}\n")
            out.append(" = ".join(group["names"]) + "  # " + ", ".join(group["codes"]) + "\n")
    out.append("\n# --- Left out on purpose ---\n")
    out.append("# These names are in no group: each also names something else in French\n")
    out.append("# news. Add one in your own file (--aliases) if your corpus needs it.\n")
    for name, reason, _ in sorted(leftout.values(), key=lambda v: fold(v[0])):
        out.append(f"#   {name}: {reason}\n")
    return "".join(out)


def main(argv):
    parser = argparse.ArgumentParser(description="Build index-schema/aliases.txt")
    parser.add_argument("--check", action="store_true", help="fail if aliases.txt is stale")
    parser.add_argument("--rigour", metavar="DIR", help="rigour resources/territories directory")
    parser.add_argument("--sources", default=SOURCES, help=argparse.SUPPRESS)
    parser.add_argument("--output", default=TABLE, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    problems = Problems(args.sources)
    sources, sections, leftout = read_sources(args.sources, problems)
    check(sources, sections, leftout, problems)
    checked = check_rigour(sections, args.rigour, problems) if args.rigour else 0
    if problems.messages:
        for message in problems.messages:
            print(message, file=sys.stderr)
        print(f"{len(problems.messages)} problem(s); {args.output} not written", file=sys.stderr)
        return 1
    text = render(sources, sections, leftout)
    groups = sum(len(s["groups"]) for s in sections)
    if args.check:
        try:
            with open(args.output, encoding="utf-8") as handle:
                current = handle.read()
        except OSError as err:
            print(f"{args.output}: cannot read ({err})", file=sys.stderr)
            return 1
        if current != text:
            print(
                f"{args.output}: not what {args.sources} gives; "
                "run python3 index-schema/aliases/build.py and commit both",
                file=sys.stderr,
            )
            return 1
        print(f"{args.output}: up to date ({groups} groups)")
        return 0
    with open(args.output, "w", encoding="utf-8") as handle:
        handle.write(text)
    extra = f", {checked} checked against rigour" if args.rigour else ""
    print(f"{args.output}: {groups} groups, {len(leftout)} names left out{extra}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
