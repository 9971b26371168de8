"""Smoke test of the archive benchmark: it seeds, rebuilds and times every search.

Timings are printed by the script, never asserted here.
"""

from __future__ import annotations

from bench.archive_bench import PAGES, SEARCHES, run, table


def test_archive_bench_measures_every_search(tmp_path):
    figures = run(f"sqlite:///{tmp_path / 'bench_archive.db'}", talks=60, repeats=1)
    names = [figure["name"] for figure in figures]
    assert names[0] == "rebuild_archive() (60 talks)"
    assert figures[0]["results"] == 60
    assert names[2:] == [label for label, _, _ in SEARCHES] + [label for label, _ in PAGES]
    assert "median ms" in table(figures)
