"""Tests of build.py: run with
    python3 -m unittest discover -s index-schema/aliases -p 'test_*.py'
"""

import contextlib
import io
import os
import tempfile
import unittest

import build

HEAD = "source\twd\tWikidata\nsection\tp\tPeople\n"


class BuildTest(unittest.TestCase):
    def run_build(self, sources, *extra):
        with tempfile.TemporaryDirectory() as tmp:
            src = os.path.join(tmp, "sources.tsv")
            out = os.path.join(tmp, "aliases.txt")
            with open(src, "w", encoding="utf-8") as handle:
                handle.write(sources)
            err = io.StringIO()
            with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
                code = build.main(["--sources", src, "--output", out, *extra])
            text = open(out, encoding="utf-8").read() if os.path.exists(out) else None
            return code, text, err.getvalue()

    def test_writes_groups_with_sources_notes_and_left_out_list(self):
        code, text, err = self.run_build(
            HEAD
            + "group\tMahmoud Abbas = Abou Mazen\twd\tHis kunya.\n"
            + "leftout\tUN\tthe French article\n"
        )
        self.assertEqual(code, 0, err)
        self.assertIn("# --- People ---\n# His kunya.\nMahmoud Abbas = Abou Mazen  # wd\n", text)
        self.assertIn("# --- Left out on purpose ---", text)
        self.assertIn("#   UN: the French article\n", text)
        self.assertIn("#   wd: Wikidata\n", text)

    def test_refuses_a_name_in_two_groups(self):
        code, text, err = self.run_build(
            HEAD + "group\tFDS = SDF\twd\ngroup\tsdf = sans domicile fixe\twd\n"
        )
        self.assertEqual(code, 1)
        self.assertIsNone(text)
        self.assertIn("sources.tsv:4: name 'sdf' is already in the group of line 3", err)

    def test_refuses_a_left_out_name_whatever_its_case_and_accents(self):
        code, _, err = self.run_build(
            HEAD + "group\tÉtats-Unis = Amerique\twd\nleftout\tAmérique\tthe continent\n"
        )
        self.assertEqual(code, 1)
        self.assertIn("name 'Amerique' is on the left-out list (line 4)", err)

    def test_refuses_bad_groups(self):
        for line, words in [
            ("group\tSeul\twd\n", "two or more"),
            ("group\tSéoul = Seoul\twd\n", "differ only by case"),
            ("group\tA = B\tnope\n", "unknown source code 'nope'"),
            ("group\tA # B = C\twd\n", "holds '#'"),
            ("nonsense line\n", "not a record"),
        ]:
            code, _, err = self.run_build(HEAD + line)
            self.assertEqual(code, 1, line)
            self.assertIn(words, err, line)

    def test_check_fails_when_the_table_is_stale(self):
        with tempfile.TemporaryDirectory() as tmp:
            src = os.path.join(tmp, "sources.tsv")
            out = os.path.join(tmp, "aliases.txt")
            with open(src, "w", encoding="utf-8") as handle:
                handle.write(HEAD + "group\tOtan = NATO\twd\n")
            args = ["--sources", src, "--output", out]
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
                self.assertEqual(build.main(args), 0)
                self.assertEqual(build.main(args + ["--check"]), 0)
                with open(out, "a", encoding="utf-8") as handle:
                    handle.write("Otan = Alliance atlantique\n")
                self.assertEqual(build.main(args + ["--check"]), 1)

    def test_rigour_check_reads_territory_names(self):
        with tempfile.TemporaryDirectory() as tmp:
            with open(os.path.join(tmp, "mm.yml"), "w", encoding="utf-8") as handle:
                handle.write("name: Myanmar\nnames_strong:\n  - Burma\nnames_weak:\n  - Birmanie # fr\n")
            good = HEAD.replace("wd\tWikidata", "rigour\trigour") + "group\tBirmanie = Myanmar\trigour:mm\n"
            code, _, err = self.run_build(good, "--rigour", tmp)
            self.assertEqual(code, 0, err)
            bad = HEAD.replace("wd\tWikidata", "rigour\trigour") + "group\tA = B\trigour:mm\n"
            code, _, err = self.run_build(bad, "--rigour", tmp)
            self.assertEqual(code, 1)
            self.assertIn("none of the group's names", err)


if __name__ == "__main__":
    unittest.main()
