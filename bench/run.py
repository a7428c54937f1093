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

PY = sys.executable
PEAK_MB = 400
START_FLOOR = "import typer, rich.console, sqlite3"

ANSWER_LATENCY = """
import json, statistics, sys, time
from pathlib import Path
from flashcards.decks import open_decks
from flashcards.model import Rating
from flashcards.scheduler import FSRSScheduler
from flashcards.session import Session
from flashcards.settings import Settings
from flashcards.store import Store

store = Store(Path(sys.argv[1]))
settings = Settings(reviews_per_day=100_000, new_per_day=100_000)
session = Session(store, open_decks(store, [Path(sys.argv[2])]), FSRSScheduler.from_settings(settings), settings)
times = []
for index in range(int(sys.argv[3])):
    shown = session.next_card()
    if shown is None:
        break
    start = time.perf_counter()
    session.answer(shown, Rating.GOOD if index % 7 else Rating.AGAIN)  # schedule and log committed
    times.append(time.perf_counter() - start)
times.sort()
print(json.dumps({"n": len(times), "p50": statistics.median(times), "p99": times[int(len(times) * 0.99) - 1]}))
"""

RECOMPUTE = """
import json, sys, time, resource
from pathlib import Path
from fsrs_rs_python import DEFAULT_PARAMETERS, FSRS
from flashcards.memory import history_items, recompute_memory_states
from flashcards.settings import Settings
from flashcards.store import Store

store = Store(Path(sys.argv[1]))
parameters = [0.5, 1.0, 4.0, 12.0, *DEFAULT_PARAMETERS[4:]]  # not the states' parameters: every state changes
start = time.perf_counter()
report = recompute_memory_states(store, Settings(parameters=parameters))
ours = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
_, items, _ = history_items(store.answer_rows_by_card())  # the same items, built untimed
start = time.perf_counter()
FSRS(parameters).memory_state_batch(items)
floor = time.perf_counter() - start
print(json.dumps({"ours": ours, "floor": floor, "peak": peak, **report.to_dict()}))
"""

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

SYNC_FLOOR = """
import sys
from anki.collection import Collection
col = Collection(sys.argv[1])
rows = col.db.all("select id, cid, ease, ivl, lastIvl, factor, time, type from revlog")
col.close()
"""

NEW_COLLECTION = "import sys; from anki.collection import Collection; Collection(sys.argv[1]).close()"


@dataclass
class Row:
    step: str
    seconds: float
    floor_name: str
    floor_seconds: float
    peak_mb: float
    target: str

    @property
    def ratio(self) -> float | None:
        return self.seconds / self.floor_seconds if self.floor_seconds else None

    @property
    def passed(self) -> bool:
        """Whether the row meets its target (ratio targets `<= Nx`, the answer's `p99 < N ms`, memory < 400 MB)."""
        ok = self.peak_mb < PEAK_MB or self.target == "bounded"  # the one-off large export: see the README
        if self.target.startswith("<= ") and self.ratio is not None:
            ok = ok and self.ratio <= float(self.target[3:-1])
        if self.target.startswith("p99 < "):
            ok = ok and self.seconds * 1000 < float(self.target.split()[-2])
        return ok


def run_once(argv: list[str], cwd: Path, env: dict[str, str], stdin: bytes | None = None) -> tuple[float, float]:
    """Run a command to completion; its wall time in seconds and peak resident memory in MB."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=cwd, env=env, stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if stdin is not None:
        proc.stdin.write(stdin)
        proc.stdin.close()
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"bench: {' '.join(argv)} failed: {proc.stderr.read().decode()[-500:]}")
    return elapsed, usage.ru_maxrss / 1024


def measure(argv: list[str], cwd: Path, env: dict[str, str], repeat: int, before=None,
            stdin: bytes | None = None) -> tuple[float, float]:
    """Median time and peak memory over `repeat` runs; `before` runs untimed ahead of each run."""
    times, peaks = [], []
    for _ in range(repeat):
        if before:
            before()
        seconds, peak = run_once(argv, cwd, env, stdin)
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
    parser.add_argument("--big-mb", type=int, default=200, help="size of the one-off large export (0: skip)")
    args = parser.parse_args()

    work = args.workdir or Path(tempfile.mkdtemp(prefix="flashcards-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "NO_COLOR": "1", "FLASHCARDS_DB": str(work / "store.db")}
    export = work / "export.txt"
    # generated in a child too (see below): the runner stays small, so no child inherits its memory as a peak
    subprocess.run([PY, "-c", f"import sys; sys.path.insert(0, {str(HERE)!r}); from generate import write_pairs_export; "
                              f"from pathlib import Path; write_pairs_export(Path({str(export)!r}), {args.cards})"],
                   check=True)
    deck = work / "deck.yaml"
    cli = [PY, "-m", "flashcards"]
    rows: list[Row] = []

    def fresh_deck() -> None:
        deck.unlink(missing_ok=True)

    seconds, peak = measure([*cli, "convert", str(export), "-o", str(deck)], work, env, args.repeat, fresh_deck)
    floor, _ = measure([PY, "-c", CONVERT_FLOOR, str(export), str(work / "floor.yaml")], work, env, args.repeat)
    rows.append(Row("convert", seconds, "read + PyYAML C dump", floor, peak, "<= 1.5x"))

    store = work / "store.db"
    for stale in work.glob("store*"):
        stale.unlink()
    # in a child process: the runner must stay small, or every later child (forked from it) would report
    # the runner's memory as its own peak
    answers = int(subprocess.run(
        [PY, "-c", f"import sys; sys.path.insert(0, {str(HERE)!r}); from generate import write_history; "
                   f"from pathlib import Path; print(write_history(Path({str(store)!r}), Path({str(deck)!r}), {args.answers}))"],
        cwd=work, env=env, capture_output=True, text=True, check=True,
    ).stdout)  # also caches the deck in the store, as a first run would
    start_floor, _ = measure([PY, "-c", START_FLOOR], work, env, args.repeat)

    seconds, peak = measure([*cli, "due", str(deck)], work, env, args.repeat)
    rows.append(Row("due (deck unchanged)", seconds, "python -c 'import typer, rich.console, sqlite3'", start_floor, peak, "<= 2x"))

    def touch_deck() -> None:
        os.utime(deck)  # a changed deck is parsed again

    seconds, peak = measure([*cli, "due", str(deck)], work, env, args.repeat, touch_deck)
    rows.append(Row("due (deck changed: parsed)", seconds, "python -c 'import typer, rich.console, sqlite3'", start_floor, peak, "none"))

    run_once([*cli, "review", str(deck)], work, env, b"q\n")  # today's backup taken once, as on a real first run
    seconds, peak = measure([*cli, "review", str(deck)], work, env, args.repeat, stdin=b"q\n")
    rows.append(Row("review: start to first card", seconds, "python -c 'import typer, rich.console, sqlite3'", start_floor, peak, "<= 2x"))

    latency = json.loads(subprocess.run([PY, "-c", ANSWER_LATENCY, str(store), str(deck), str(min(500, args.cards))],
                                        cwd=work, env=env, capture_output=True, text=True, check=True).stdout)
    rows.append(Row(f"answer a card, p99 of {latency['n']} (p50 {latency['p50'] * 1000:.1f} ms)", latency["p99"], "", 0, 0,
                    "p99 < 20 ms"))

    seconds, peak = measure([*cli, "export", str(deck), "-o", str(work / "deck.apkg")], work, env, args.repeat)
    floor, _ = measure([PY, "-c", EXPORT_FLOOR, str(export), str(work / "floor.apkg")], work, env, args.repeat)
    rows.append(Row("export .apkg (deck unchanged)", seconds, "raw genanki", floor, peak, "<= 1.3x"))

    seconds, peak = measure([*cli, "optimize"], work, env, 1)
    rows.append(Row(f"optimize: fit + 5-fold check on {answers:,} answers", seconds, "", 0, peak, "none"))

    runs = [json.loads(subprocess.run([PY, "-c", RECOMPUTE, str(store)], cwd=work, env=env, capture_output=True,
                                      text=True, check=True).stdout) for _ in range(args.repeat)]
    recompute = sorted(runs, key=lambda run: run["ours"])[len(runs) // 2]
    rows.append(Row(f"recompute memory states: {recompute['cards']:,} cards, {answers:,} answers (in process)",
                    recompute["ours"], "fsrs-rs memory_state_batch on the same items", recompute["floor"],
                    max(run["peak"] for run in runs), "none"))

    rows += sync_rows(cli, work, env, args.repeat, deck)

    if args.big_mb:
        big = work / "big.txt"
        cards = args.big_mb * 1650  # about 605 bytes a highlight in the generator's mix
        subprocess.run([PY, "-c", f"import sys; sys.path.insert(0, {str(HERE)!r}); from generate import write_pairs_export; "
                                  f"from pathlib import Path; write_pairs_export(Path({str(big)!r}), {cards})"],
                       check=True)
        (work / "big.yaml").unlink(missing_ok=True)
        seconds, peak = run_once([*cli, "convert", str(big), "-o", str(work / "big.yaml")], work, env)
        floor, _ = run_once([PY, "-c", CONVERT_FLOOR, str(big), str(work / "big-floor.yaml")], work, env)
        size_mb = big.stat().st_size / 2**20
        rows.append(Row(f"convert a {size_mb:.0f} MB export ({cards:,} highlights, once)", seconds,
                        "read + PyYAML C dump", floor, peak, "bounded"))

    print_table(rows, args)
    if args.json:
        print(json.dumps([row.__dict__ | {"ratio": row.ratio, "met": row.passed} for row in rows], indent=2))


def sync_rows(cli: list[str], work: Path, env: dict[str, str], repeat: int, deck: Path) -> list[Row]:
    """`sync` with a real Anki collection: the first sync (every note, answer and schedule into an empty
    collection) once, then a sync with nothing new; floor: opening the collection and reading its review log."""
    profile = work / "Anki2" / "User 1"
    for stale in profile.glob("*"):
        if stale.is_file():
            stale.unlink()
    profile.mkdir(parents=True, exist_ok=True)
    collection = profile / "collection.anki2"
    subprocess.run([PY, "-c", NEW_COLLECTION, str(collection)], check=True)
    command = [*cli, "sync", str(deck), "--anki", str(profile)]
    first, first_peak = run_once(command, work, env)
    seconds, peak = measure(command, work, env, repeat)
    floor, _ = measure([PY, "-c", SYNC_FLOOR, str(collection)], work, env, repeat)
    return [Row("sync: first, into an empty Anki collection (once)", first, "open collection + read revlog", floor,
                first_peak, "none"),
            Row("sync: nothing new", seconds, "open collection + read revlog", floor, peak, "none")]


def print_table(rows: list[Row], args: argparse.Namespace) -> None:
    """The results as a Markdown table, with the run's size, date and machine."""
    print(f"flashcards bench: {args.cards:,} cards, {args.cards * args.answers:,} logged answers, "
          f"median of {args.repeat}; {time.strftime('%Y-%m-%d')}, {platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}")
    print()
    print("| step | time | floor | floor time | ratio | target | peak memory | met |")
    print("|---|---:|---|---:|---:|---|---:|---|")
    for row in rows:
        time_text = f"{row.seconds * 1000:.1f} ms" if row.seconds < 0.1 else f"{row.seconds:.3f} s"
        floor = f"{row.floor_seconds:.3f} s" if row.floor_seconds else "—"
        ratio = f"{row.ratio:.2f}x" if row.ratio is not None else "—"
        peak = f"{row.peak_mb:.0f} MB" if row.peak_mb else "—"
        print(f"| {row.step} | {time_text} | {row.floor_name or '—'} | {floor} | {ratio} | {row.target} | {peak} | "
              f"{'yes' if row.passed else 'NO'} |")


if __name__ == "__main__":
    main()
