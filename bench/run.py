"""The flashcards benchmark: each step against a floor measured in the same run, as a table.

    python bench/run.py                  # 100,000 cards, ~1,000,000 logged answers
    python bench/run.py --cards 500 --repeat 1

Every step runs the real CLI in a fresh process, as a person would; its floor runs the same work with the
bare libraries (PyYAML's C dumper, raw genanki, a bare interpreter start). Time is the median of --repeat
runs; peak memory is the largest resident set of the step's process (os.wait4).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import write_pairs_export  # noqa: E402

PY = sys.executable

CONVERT_FLOOR = """
import sys, yaml
lines = [l for l in open(sys.argv[1], encoding="utf-8").read().split("\\n") if l.strip()]
cards = [{"id": "%016x" % i, "front": lines[i], "back": lines[i + 1], "source": "%s:%d" % (sys.argv[1], i + 1),
          "tags": []} for i in range(0, len(lines) - 1, 2)]
with open(sys.argv[2], "w", encoding="utf-8") as out:
    yaml.dump({"name": "bench", "cards": cards}, out, Dumper=yaml.CSafeDumper, allow_unicode=True,
              sort_keys=False, width=1000000)
"""

EXPORT_FLOOR = """
import sys, html, genanki
lines = [l for l in open(sys.argv[1], encoding="utf-8").read().split("\\n") if l.strip()]
model = genanki.Model(1607392319, "floor", fields=[{"name": "Front"}, {"name": "Back"}, {"name": "Source"}],
                      templates=[{"name": "Card 1", "qfmt": "{{Front}}", "afmt": "{{Back}}"}])
deck = genanki.Deck(2059400110, "floor")
for i in range(0, len(lines) - 1, 2):
    deck.add_note(genanki.Note(model=model, fields=[html.escape(lines[i]), html.escape(lines[i + 1]), "x:%d" % i],
                               guid=genanki.guid_for(i)))
genanki.Package(deck).write_to_file(sys.argv[2])
"""


@dataclass
class Row:
    step: str
    seconds: float
    floor_name: str
    floor_seconds: float
    peak_mb: float
    target: str

    @property
    def ratio(self) -> float:
        return self.seconds / self.floor_seconds if self.floor_seconds else float("nan")


def run_once(argv: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float]:
    """Run a command to completion; its wall time in seconds and peak resident memory in MB."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"bench: {' '.join(argv)} failed: {proc.stderr.read().decode()[-500:]}")
    return elapsed, usage.ru_maxrss / 1024


def measure(argv: list[str], cwd: Path, env: dict[str, str], repeat: int, before=None) -> tuple[float, float]:
    """Median time and peak memory over `repeat` runs; `before` runs untimed ahead of each run."""
    times, peaks = [], []
    for _ in range(repeat):
        if before:
            before()
        seconds, peak = run_once(argv, cwd, env)
        times.append(seconds)
        peaks.append(peak)
    return statistics.median(times), max(peaks)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=100_000, help="highlights in the synthetic export")
    parser.add_argument("--answers", type=int, default=10, help="logged answers per card in the history")
    parser.add_argument("--repeat", type=int, default=3, help="runs per step; the median is reported")
    parser.add_argument("--json", action="store_true", help="print the rows as JSON too")
    parser.add_argument("--workdir", type=Path, default=None, help="keep the generated files here")
    args = parser.parse_args()

    work = args.workdir or Path(tempfile.mkdtemp(prefix="flashcards-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "NO_COLOR": "1", "FLASHCARDS_DB": str(work / "store.db")}
    export = work / "export.txt"
    write_pairs_export(export, args.cards)
    deck = work / "deck.yaml"
    cli = [PY, "-m", "flashcards"]
    rows: list[Row] = []

    def fresh_deck() -> None:
        deck.unlink(missing_ok=True)

    seconds, peak = measure([*cli, "convert", str(export), "-o", str(deck)], work, env, args.repeat, fresh_deck)
    floor, _ = measure([PY, "-c", CONVERT_FLOOR, str(export), str(work / "floor.yaml")], work, env, args.repeat)
    rows.append(Row("convert", seconds, "read + PyYAML C dump", floor, peak, "<= 1.5x"))

    seconds, peak = measure([*cli, "export", str(deck), "-o", str(work / "deck.apkg")], work, env, args.repeat)
    floor, _ = measure([PY, "-c", EXPORT_FLOOR, str(export), str(work / "floor.apkg")], work, env, args.repeat)
    rows.append(Row("export .apkg", seconds, "raw genanki", floor, peak, "<= 1.3x"))

    print_table(rows, args)
    if args.json:
        print(json.dumps([row.__dict__ | {"ratio": row.ratio} for row in rows], indent=2))


def print_table(rows: list[Row], args: argparse.Namespace) -> None:
    """The results as a Markdown table, with the run's size, date and machine."""
    print(f"flashcards bench: {args.cards:,} cards, {args.cards * args.answers:,} logged answers, "
          f"median of {args.repeat}; {time.strftime('%Y-%m-%d')}, {platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}")
    print()
    print("| step | time | floor | floor time | ratio | target | peak memory |")
    print("|---|---:|---|---:|---:|---|---:|")
    for row in rows:
        print(f"| {row.step} | {row.seconds:.3f} s | {row.floor_name} | {row.floor_seconds:.3f} s | "
              f"{row.ratio:.2f}x | {row.target} | {row.peak_mb:.0f} MB |")


if __name__ == "__main__":
    main()
