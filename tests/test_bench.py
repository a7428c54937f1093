"""A small run of the benchmark, so the script never rots."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # end to end: run by CI, left out of the quick loop (-m "not slow")

BENCH = Path(__file__).resolve().parent.parent / "bench" / "run.py"


def test_small_benchmark_run_prints_a_row_per_step_with_ratios(tmp_path):
    proc = subprocess.run(
        [sys.executable, str(BENCH), "--cards", "300", "--answers", "3", "--repeat", "1", "--workdir", str(tmp_path),
         "--big-mb", "1"],
        capture_output=True, text=True, timeout=600, check=False,
    )
    assert proc.returncode == 0, proc.stderr
    rows = [line for line in proc.stdout.splitlines() if line.startswith("| ") and "---" not in line][1:]
    steps = [row.split("|")[1].strip() for row in rows]
    expected = ["convert", "due (deck unchanged)", "due (deck changed: parsed whole)", "due after a one-card hand edit",
                "review: start to first card", "answer a card", "export .apkg, notes only (deck unchanged)",
                "export .apkg with scheduling (",
                "stats (terminal", "stats (json", "stats (html", "convert one highlight into the deck",
                "due after adding one highlight", "export .apkg with scheduling", "import-anki", "optimize",
                "first recompute, history cache written", "recompute memory states", "sync: first", "sync: nothing new", "sync: after 100 answers",
                "sync --web: first", "sync --web: nothing new", "sync --web: after 100 answers", "convert a 1 MB export",
                "convert a 1 MB Kindle"]
    assert len(steps) == len(expected)
    assert all(step.startswith(name) for step, name in zip(steps, expected, strict=True))
    for row in rows:
        ratio = row.split("|")[5].strip()
        assert ratio == "—" or (ratio.endswith("x") and float(ratio[:-1]) > 0)
        assert row.split("|")[8].strip() in ("yes", "NO")
