"""The flashcards benchmark: each step against a floor measured in the same run, as a table.

    python bench/run.py                  # 100,000 cards, ~1,000,000 logged answers
    python bench/run.py --cards 500 --repeat 1

Every step runs the real CLI in a fresh process, as a person would; its floor runs the same work with the
bare libraries (PyYAML's C dumper, raw genanki, a bare interpreter start) or is a warm `due`. A step and its
floor run in alternating pairs (A B A B ...), so both see the same load; the ratio is the median of the
pairs' ratios, the times the medians of --repeat runs. Peak memory is the largest resident set of the
step's process (os.wait4). Each row is one function taking the Bench and returning its Row: add a function
and list it in ROWS to add a row.
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
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent

PY = sys.executable
PEAK_MB = 400
START_FLOOR = "import typer, rich.console, sqlite3"

ANSWER_LATENCY = """
import json, statistics, sys, time
from pathlib import Path
from flashcards.decks.open_decks import open_decks
from flashcards.model import Rating
from flashcards.scheduling.scheduler import FSRSScheduler
from flashcards.review.session import Session
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

# Anki's own full upload of a collection (a copy of it) to an empty account of the same server
ANKI_FULL_UPLOAD = """
import shutil, sys, tempfile
from pathlib import Path
from anki.collection import Collection
source, url, user, password = sys.argv[1:5]
with tempfile.TemporaryDirectory() as folder:
    copy = Path(folder) / "collection.anki2"
    shutil.copyfile(source, copy)
    col = Collection(str(copy))
    auth = col.sync_login(user, password, url)
    col.full_upload_or_download(auth=auth, server_usn=None, upload=True)
    col.close()
"""

# fsrs-rs fitting once the items optimize fits (every prefix ending on a new study day), built from the store
OPTIMIZE_FLOOR = """
import sys
from pathlib import Path
from fsrs_rs_python import DEFAULT_PARAMETERS, FSRS, TrainingConfig
from flashcards.scheduling.fit import training_items_from_rows
from flashcards.store import Store
items = training_items_from_rows(Store(Path(sys.argv[1])).answer_rows_by_card()).items
FSRS(DEFAULT_PARAMETERS).compute_parameters(items, training_config=TrainingConfig(seed=2023))
"""

ANSWER_SOME = """
import sys
from pathlib import Path
from flashcards.decks.open_decks import open_decks
from flashcards.model import Rating
from flashcards.scheduling.scheduler import FSRSScheduler
from flashcards.review.session import Session
from flashcards.settings import Settings
from flashcards.store import Store

store = Store(Path(sys.argv[1]))
settings = Settings(reviews_per_day=100_000, new_per_day=100_000)
session = Session(store, open_decks(store, [Path(sys.argv[2])]), FSRSScheduler.from_settings(settings), settings)
for index in range(int(sys.argv[3])):
    shown = session.next_card()
    if shown is None:
        break
    session.answer(shown, Rating.GOOD if index % 7 else Rating.AGAIN)
"""


RECOMPUTE = """
import json, sys, time, resource
from pathlib import Path
from fsrs_rs_python import DEFAULT_PARAMETERS, FSRS
from flashcards.scheduling.memory_states import history_items, recompute_memory_states
from flashcards.settings import Settings
from flashcards.store import Store

store = Store(Path(sys.argv[1]))
# never the states' parameters: run N's differ from run N - 1's (and the defaults), so every state changes
parameters = [0.5, 1.0, 4.0 + 0.5 * (int(sys.argv[2]) % 2), 12.0, *DEFAULT_PARAMETERS[4:]]
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

IMPORT_FLOOR = """
import sqlite3, sys, tempfile, zipfile, zstandard
with zipfile.ZipFile(sys.argv[1]) as z, tempfile.NamedTemporaryFile(suffix=".db") as tmp:
    with z.open("collection.anki21b") as source:
        zstandard.ZstdDecompressor().copy_stream(source, tmp)
    tmp.flush()
    db = sqlite3.connect(tmp.name)
    rows = db.execute("SELECT id, cid, ease, ivl, lastIvl, factor, time, type FROM revlog ORDER BY cid, id").fetchall()
    print(len(rows))
"""


EDIT_ONE_CARD = """
import sys
from pathlib import Path
path = Path(sys.argv[1])
data = path.read_bytes()
at = data.index(b"\\n  back: ", len(data) // 2) + len(b"\\n  back: ")
mark = b"EDIT-A " if data[at:at + 7] != b"EDIT-A " else b"EDIT-B "
path.write_bytes(data[:at] + mark + (data[at + 7:] if data[at:at + 5] == b"EDIT-" else data[at:]))
"""

HEADER_EDIT = """
import sys
from pathlib import Path
path = Path(sys.argv[1])
data = path.read_bytes()
name = b"name: bench-a\\n" if not data.startswith(b"name: bench-a\\n") else b"name: bench-b\\n"
path.write_bytes(name + data[data.index(b"\\n") + 1:])
"""


@dataclass
class Row:
    step: str
    seconds: float
    floor_name: str
    floor_seconds: float
    peak_mb: float
    target: str
    pair_ratio: float | None = None  # the median of the A/B pairs' ratios (None: computed from the medians)
    floor_peak_mb: float | None = None  # for a target on memory against the floor's ("peak <= Nx the floor's")

    @property
    def ratio(self) -> float | None:
        if self.pair_ratio is not None:
            return self.pair_ratio
        return self.seconds / self.floor_seconds if self.floor_seconds else None

    @property
    def passed(self) -> bool:
        """Whether the row meets its target (ratio targets `<= Nx`, the answer's `p99 < N ms`, memory < 400 MB, or
        where the floor's own work takes more, `peak <= Nx the floor's`)."""
        ok = self.peak_mb < PEAK_MB or self.target == "bounded" or self.target.startswith("peak < ")  # large exports
        if self.target.startswith("peak <= ") and self.floor_peak_mb:  # for where the floor alone needs more
            return ok or self.peak_mb <= float(self.target.split()[2].rstrip("x")) * self.floor_peak_mb
        if "MB" in self.target and self.peak_mb:
            ok = ok and self.peak_mb < float(self.target.split("< ")[-1].split()[0])
        if self.target.startswith("<= ") and self.ratio is not None:
            ok = ok and self.ratio <= float(self.target[3:].split("x")[0])
        if self.target.startswith("< ") and self.target.endswith(" s"):
            ok = ok and self.seconds < float(self.target.split()[1])
        if self.target.startswith("p99 < "):
            ok = ok and self.seconds * 1000 < float(self.target.split()[-2])
        return ok


@dataclass
class Bench:
    """What the rows share: the work folder, the environment, the generated files, the arguments."""

    args: argparse.Namespace
    work: Path
    env: dict[str, str]
    export: Path
    deck: Path
    cli: list[str] = field(default_factory=lambda: [PY, "-m", "flashcards"])
    answers: int = 0
    counter: int = 0

    def paired(self, step: list[str], floor: list[str], before_step: Callable[[], None] | None = None,
               before_floor: Callable[[], None] | None = None, stdin: bytes | None = None,
               repeat: int | None = None) -> tuple[float, float, float, float]:
        """(step median s, floor median s, median of pair ratios, step peak MB): step and floor alternate."""
        steps, floors, ratios, peaks = [], [], [], []
        for _ in range(repeat or self.args.repeat):
            if before_step:
                before_step()
            seconds, peak = run_once(step, self.work, self.env, stdin)
            if before_floor:
                before_floor()
            floor_seconds, _ = run_once(floor, self.work, self.env)
            steps.append(seconds)
            floors.append(floor_seconds)
            ratios.append(seconds / floor_seconds)
            peaks.append(peak)
        return statistics.median(steps), statistics.median(floors), statistics.median(ratios), max(peaks)

    def python(self, code: str, *argv: str) -> str:
        """Run a snippet in a child (the runner stays small: a forked child would report its memory)."""
        return subprocess.run([PY, "-c", code, *argv], cwd=self.work, env=self.env, capture_output=True, text=True,
                              check=True).stdout

    @property
    def warm_due(self) -> list[str]:
        return [*self.cli, "due", str(self.deck)]


START = "python -c 'import typer, rich.console, sqlite3'"


def row_convert(bench: Bench) -> Row:
    seconds, floor, ratio, peak = bench.paired(
        [*bench.cli, "convert", str(bench.export), "-o", str(bench.deck)],
        [PY, "-c", CONVERT_FLOOR, str(bench.export), str(bench.work / "floor.yaml")],
        before_step=lambda: bench.deck.unlink(missing_ok=True))
    return Row("convert", seconds, "read + PyYAML C dump", floor, peak, "<= 1.5x", ratio)


def setup_history(bench: Bench) -> None:
    """A fresh store with the deck cached and a year of answers (not a row). The deck is made here, untimed, when
    the convert row was skipped."""
    if not bench.deck.exists():
        run_once([*bench.cli, "convert", str(bench.export), "-o", str(bench.deck)], bench.work, bench.env)
    for stale in bench.work.glob("store*"):
        stale.unlink()
    bench.answers = int(bench.python(
        f"import sys; sys.path.insert(0, {str(HERE)!r}); from generate import write_history; "
        f"from pathlib import Path; print(write_history(Path({str(bench.work / 'store.db')!r}), "
        f"Path({str(bench.deck)!r}), {bench.args.answers}))"))


def row_due_warm(bench: Bench) -> Row:
    seconds, floor, ratio, peak = bench.paired(bench.warm_due, [PY, "-c", START_FLOOR])
    return Row("due (deck unchanged)", seconds, START, floor, peak, "<= 2x", ratio)


def row_due_header_edited(bench: Bench) -> Row:
    seconds, floor, ratio, peak = bench.paired(bench.warm_due, [PY, "-c", START_FLOOR],
                                               before_step=lambda: bench.python(HEADER_EDIT, str(bench.deck)))
    return Row("due (deck changed: parsed whole)", seconds, START, floor, peak, "none", ratio)


def row_due_after_one_card_edit(bench: Bench) -> Row:
    seconds, floor, ratio, peak = bench.paired(bench.warm_due, bench.warm_due,
                                               before_step=lambda: bench.python(EDIT_ONE_CARD, str(bench.deck)))
    return Row("due after a one-card hand edit", seconds, "warm due", floor, peak, "<= 5x", ratio)


def row_review_start(bench: Bench) -> Row:
    run_once([*bench.cli, "review", str(bench.deck)], bench.work, bench.env, b"q\n")  # today's backup, once
    seconds, floor, ratio, peak = bench.paired([*bench.cli, "review", str(bench.deck)], [PY, "-c", START_FLOOR],
                                               stdin=b"q\n")
    return Row("review: start to first card", seconds, START, floor, peak, "<= 2x", ratio)


def row_answer_latency(bench: Bench) -> Row:
    latency = json.loads(bench.python(ANSWER_LATENCY, str(bench.work / "store.db"), str(bench.deck),
                                      str(min(500, bench.args.cards))))
    return Row(f"answer a card, p99 of {latency['n']} (p50 {latency['p50'] * 1000:.1f} ms)", latency["p99"], "", 0, 0,
               "p99 < 20 ms")


def row_export(bench: Bench) -> Row:
    seconds, floor, ratio, peak = bench.paired(
        [*bench.cli, "export", str(bench.deck), "-o", str(bench.work / "deck.apkg"), "--no-scheduling"],
        [PY, "-c", EXPORT_FLOOR, str(bench.export), str(bench.work / "floor.apkg")])
    return Row("export .apkg, notes only (deck unchanged)", seconds, "raw genanki", floor, peak, "<= 1.3x", ratio)


def row_export_with_scheduling(bench: Bench) -> Row:
    """The export people run (scheduling and every answer go along), against raw genanki writing the notes alone:
    the rest is the history (about 10 answers a card), read and written a chunk of cards at a time, so memory
    stays under the line."""
    seconds, floor, ratio, peak = bench.paired(
        [*bench.cli, "export", str(bench.deck), "-o", str(bench.work / "scheduled.apkg")],
        [PY, "-c", EXPORT_FLOOR, str(bench.export), str(bench.work / "floor.apkg")])
    return Row(f"export .apkg with scheduling ({bench.answers:,} answers)", seconds, "raw genanki", floor, peak,
               f"<= 6x, < {PEAK_MB} MB", ratio)


def _stats_row(label: str, *options: str) -> Callable[[Bench], Row]:
    def row(bench: Bench) -> Row:
        """A day's stats: the past days' sums are kept in the store (stats/past_days.py), so the day's first stats
        fills them once (untimed, as review's daily backup) and the rest read only what changed since."""
        run_once([*bench.cli, "stats", str(bench.deck)], bench.work, bench.env)
        seconds, floor, ratio, peak = bench.paired([*bench.cli, "stats", str(bench.deck), *options], bench.warm_due)
        return Row(f"stats ({label}, {bench.answers:,} answers)", seconds, "warm due", floor, peak, "<= 8x, < 200 MB",
                   ratio)

    row.__name__ = f"row_stats_{label}"
    return row


def _one_highlight(bench: Bench) -> Path:
    bench.counter += 1
    one = bench.work / "one.txt"
    one.write_text(f"One more passage to remember, number {bench.counter} of {time.time_ns()}.\nWhy it matters.\n",
                   encoding="utf-8")
    return one


def row_add_one_highlight(bench: Bench) -> Row:
    one = bench.work / "one.txt"
    seconds, floor, ratio, peak = bench.paired(
        [*bench.cli, "convert", str(one), "-o", str(bench.deck)], bench.warm_due,
        before_step=lambda: _one_highlight(bench),
        before_floor=lambda: run_once(bench.warm_due, bench.work, bench.env))  # the floor is warm: the store caught up
    return Row("convert one highlight into the deck", seconds, "warm due", floor, peak, "<= 5x", ratio)


def row_due_after_adding(bench: Bench) -> Row:
    one = bench.work / "one.txt"

    def add() -> None:
        _one_highlight(bench)
        run_once([*bench.cli, "convert", str(one), "-o", str(bench.deck)], bench.work, bench.env)

    seconds, floor, ratio, peak = bench.paired(bench.warm_due, bench.warm_due, before_step=add)
    return Row("due after adding one highlight", seconds, "warm due", floor, peak, "<= 5x", ratio)


def row_optimize(bench: Bench) -> Row:
    """optimize (five time-fold fits, their scores, the fit on everything, the states recomputed) against fsrs-rs
    fitting the same items once: its time is not comparable, its memory is (fsrs-rs's own fit of ~2.7M items at
    300k cards takes over 400 MB beyond its input), so the row's bound is the floor's peak."""
    seconds, peak = measure([*bench.cli, "optimize"], bench.work, bench.env, 1)
    floor, floor_peak = measure([PY, "-c", OPTIMIZE_FLOOR, str(bench.work / "store.db")], bench.work, bench.env, 1)
    return Row(f"optimize: fit + 5-fold check on {bench.answers:,} answers (floor peak {floor_peak:.0f} MB)", seconds,
               "fsrs-rs fitting the same items once", floor, peak, "peak <= 1.25x the floor's",
               floor_peak_mb=floor_peak)


def row_big_convert(bench: Bench) -> Row | None:
    if not bench.args.big_mb:
        return None
    big = bench.work / "big.txt"
    cards = bench.args.big_mb * 1650  # about 605 bytes a highlight in the generator's mix
    bench.python(f"import sys; sys.path.insert(0, {str(HERE)!r}); from generate import write_pairs_export; "
                 f"from pathlib import Path; write_pairs_export(Path({str(big)!r}), {cards})")
    seconds, floor, ratio, peak = bench.paired(
        [*bench.cli, "convert", str(big), "-o", str(bench.work / "big.yaml")],
        [PY, "-c", CONVERT_FLOOR, str(big), str(bench.work / "big-floor.yaml")],
        before_step=lambda: (bench.work / "big.yaml").unlink(missing_ok=True), repeat=1)
    size_mb = big.stat().st_size / 2**20
    return Row(f"convert a {size_mb:.0f} MB export ({cards:,} highlights, once; peak {peak / size_mb:.1f}x the input)",
               seconds, "read + PyYAML C dump", floor, peak, "bounded", ratio)


def row_big_kindle(bench: Bench) -> Row | None:
    """A large Kindle `My Clippings.txt` converted once: its memory against the input's size (target 2x)."""
    if not bench.args.big_mb:
        return None
    big = bench.work / "My Clippings.txt"
    bench.python(f"import sys; sys.path.insert(0, {str(HERE)!r}); from generate import write_kindle_clippings; "
                 f"from pathlib import Path; write_kindle_clippings(Path({str(big)!r}), {bench.args.big_mb * 10**6})")
    out = bench.work / "kindle.yaml"
    out.unlink(missing_ok=True)
    seconds, peak = measure([*bench.cli, "convert", str(big), "-o", str(out)], bench.work, bench.env, 1)
    size_mb = big.stat().st_size / 2**20
    return Row(f"convert a {size_mb:.0f} MB Kindle My Clippings.txt (once; peak {peak / size_mb:.1f}x the input)",
               seconds, "", 0, peak, f"peak < {2 * size_mb:.0f} MB")


def rows_recompute(bench: Bench) -> list[Row]:
    """Memory states recomputed for every card from the whole log (after a parameter change: every state moves),
    in process, against fsrs-rs's own batch computation on the same items. The first run on the store also
    writes its history cache (store/memory_history.py), as the first recomputation after an import does: its
    own row, once; the row with the target is every later parameter change."""
    store = str(bench.work / "store.db")
    first = json.loads(bench.python(RECOMPUTE, store, "0"))
    runs = [json.loads(bench.python(RECOMPUTE, store, str(run))) for run in range(1, bench.args.repeat + 1)]
    recompute = sorted(runs, key=lambda run: run["ours"])[len(runs) // 2]
    ratios = sorted(run["ours"] / run["floor"] for run in runs)
    size = f"{recompute['cards']:,} cards, {bench.answers:,} answers (in process)"
    return [Row(f"first recompute, history cache written (once): {size}", first["ours"],
                "fsrs-rs memory_state_batch on the same items", first["floor"], first["peak"], "bounded"),
            Row(f"recompute memory states: {size}", recompute["ours"], "fsrs-rs memory_state_batch on the same items",
                recompute["floor"], max(run["peak"] for run in runs), "<= 5x", ratios[len(ratios) // 2])]


def rows_anki_round_trip(bench: Bench) -> list[Row]:
    """Export with scheduling, then import-anki into an empty store: see anki_round_trip_rows."""
    return anki_round_trip_rows(bench.work, bench.env, bench.cli, min(bench.args.cards, bench.args.round_trip_cards),
                                bench.args.answers, bench.args.repeat)


def anki_round_trip_rows(work: Path, env: dict[str, str], cli: list[str], cards: int, answers_per_card: int,
                         repeat: int) -> list[Row]:
    """A collection of `cards` cards with their history: exported with scheduling, then imported by `import-anki`
    into an empty store (every note brought into a deck, every answer added, memory states recomputed)."""
    folder = work / "anki"
    folder.mkdir(exist_ok=True)
    export, deck, source = folder / "export.txt", folder / "deck.yaml", folder / "source.db"
    for stale in [deck, *folder.glob("source.db*")]:
        stale.unlink(missing_ok=True)
    subprocess.run([PY, "-c", f"import sys; sys.path.insert(0, {str(HERE)!r}); from generate import write_pairs_export; "
                              f"from pathlib import Path; write_pairs_export(Path({str(export)!r}), {cards})"], check=True)
    run_once([*cli, "convert", str(export), "-o", str(deck)], work, env)
    answers = int(subprocess.run(
        [PY, "-c", f"import sys; sys.path.insert(0, {str(HERE)!r}); from generate import write_history; "
                   f"from pathlib import Path; print(write_history(Path({str(source)!r}), Path({str(deck)!r}), {answers_per_card}))"],
        cwd=work, env=env, capture_output=True, text=True, check=True,
    ).stdout)
    package = folder / "history.apkg"
    seconds, peak = measure([*cli, "export", str(deck), "-o", str(package), "--format", "current", "--db", str(source)],
                            work, env, repeat)
    rows = [Row(f"export .apkg with scheduling ({cards:,} cards, {answers:,} answers)", seconds, "", 0, peak, "none")]
    target_deck, target = folder / "imported.yaml", folder / "target.db"

    def empty_store() -> None:
        for stale in [target_deck, *folder.glob("target.db*")]:
            stale.unlink(missing_ok=True)

    seconds, peak = measure([*cli, "import-anki", str(package), "--deck", str(target_deck), "--db", str(target)],
                            work, env, repeat, empty_store)
    floor, _ = measure([PY, "-c", IMPORT_FLOOR, str(package)], work, env, repeat)
    rows.append(Row(f"import-anki ({cards:,} cards, {answers:,} answers, into an empty store)", seconds,
                    "unzip + zstd + sqlite3 read of the review log", floor, peak, "<= 8x"))
    return rows



@dataclass
class SyncWith:
    """The other side of the sync rows: a collection on disk (`sync --anki`) or a sync server (`sync --web`, through
    flashcards' mirror of it). `fresh` makes it empty for the first sync; `floor` is the floor's command, made once
    the first sync has run (the mirror exists only then): opening the collection the sync reads and its review log."""

    name: str  # how the rows begin
    args: list[str]  # the sync command's arguments after the deck
    fresh: Callable[[], None]
    floor: Callable[[], list[str]]
    floor_name: str = "open collection + read revlog"
    after: Callable[[], None] | None = None  # undo what `fresh` started (a server)
    # Anki's own way to fill an empty other side, where its memory is more than the bench's bound (a full upload)
    first_floor: tuple[str, Callable[[], list[str]]] | None = None


def sync_rows(bench: Bench, side: SyncWith, answers: int = 100) -> list[Row]:
    """`sync` with a real Anki collection: the first sync (every note, answer and schedule into an empty
    collection) once, then a sync with nothing new, then a sync after `answers` answers given here (each run after
    answers of its own), each step paired with its floor: opening the collection and reading its review log. Where
    the side has a floor of its own for the first sync (Anki's full upload of the same collection), the first
    row's memory is bounded by that floor's."""
    store, deck = bench.work / "store.db", bench.deck
    command = [*bench.cli, "sync", str(deck), *side.args]
    side.fresh()
    try:
        first, first_peak = run_once(command, bench.work, bench.env)
        first_floor = run_once(side.first_floor[1](), bench.work, bench.env) if side.first_floor else None
        floor = side.floor()
        seconds, floor_seconds, ratio, peak = bench.paired(command, floor)
        after, after_floor, after_ratio, after_peak = bench.paired(
            command, floor, before_step=lambda: bench.python(ANSWER_SOME, str(store), str(deck), str(answers)))
    finally:
        if side.after:
            side.after()
    first_name = f"{side.name}: first, into an empty Anki collection (once)"
    if side.first_floor is not None and first_floor is not None:
        upload, upload_peak = first_floor
        first_row = Row(f"{first_name[:-1]}; floor peak {upload_peak:.0f} MB)", first, side.first_floor[0], upload,
                        first_peak, "peak <= 1.25x the floor's", floor_peak_mb=upload_peak)
    else:
        first_row = Row(first_name, first, side.floor_name, floor_seconds, first_peak, "none")
    return [first_row,
            Row(f"{side.name}: nothing new ({bench.answers:,} answers)", seconds, side.floor_name, floor_seconds, peak,
                "<= 3x", ratio),
            Row(f"{side.name}: after {answers} answers", after, side.floor_name, after_floor, after_peak, "none",
                after_ratio)]


def anki_side(bench: Bench) -> SyncWith:
    """`sync --anki` with a collection of a profile folder of the work folder, made empty first."""
    profile = bench.work / "Anki2" / "User 1"
    collection = profile / "collection.anki2"

    def fresh() -> None:
        for stale in profile.glob("*"):
            if stale.is_file():
                stale.unlink()
        profile.mkdir(parents=True, exist_ok=True)
        subprocess.run([PY, "-c", NEW_COLLECTION, str(collection)], check=True)

    return SyncWith("sync", ["--anki", str(profile)], fresh, lambda: [PY, "-c", SYNC_FLOOR, str(collection)])


def web_side(bench: Bench) -> SyncWith | None:
    """`sync --web` with Anki's own sync server (`python -m anki.syncserver` from the anki package) on 127.0.0.1 and
    a free port, its data in the work folder, one account; None when this flashcards has no `sync --web`."""
    help_text = subprocess.run([*bench.cli, "sync", "--help"], cwd=bench.work, env=bench.env, capture_output=True,
                               text=True, check=False).stdout
    if "--web" not in help_text:
        return None
    import shutil
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    base, password = bench.work / "syncserver", "bench-Quixotic-Zebra"
    url = f"http://127.0.0.1:{port}/"
    server_env = {**bench.env, "SYNC_HOST": "127.0.0.1", "SYNC_PORT": str(port), "SYNC_BASE": str(base),
                  "SYNC_USER1": f"bench:{password}", "SYNC_USER2": f"floor:{password}", "RUST_LOG": "anki=warn",
                  "MAX_SYNC_PAYLOAD_MEGS": "4000"}  # a 300k collection's first upload is over the default 100 MB
    running: list[subprocess.Popen] = []

    def stop() -> None:
        for process in running:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        running.clear()

    def fresh() -> None:
        stop()
        shutil.rmtree(base, ignore_errors=True)
        shutil.rmtree(bench.work / "store.mirror", ignore_errors=True)
        base.mkdir(parents=True)
        with (base / "server.log").open("ab") as log:
            running.append(subprocess.Popen([PY, "-m", "anki.syncserver"], env=server_env, stdout=log,
                                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL))
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if time.monotonic() > deadline or running[0].poll() is not None:
                    stop()
                    raise SystemExit(f"bench: the sync server did not start: "
                                     f"{(base / 'server.log').read_text()[-500:]}") from None
                time.sleep(0.05)
        subprocess.run([*bench.cli, "login", "--server", url, "--username", "bench"], cwd=bench.work, check=True,
                       env={**bench.env, "FLASHCARDS_SYNC_PASSWORD": password}, capture_output=True)

    def floor() -> list[str]:
        (mirror,) = (bench.work / "store.mirror").glob("*/collection.anki2")
        return [PY, "-c", SYNC_FLOOR, str(mirror)]

    def anki_upload() -> list[str]:  # the mirror as the first sync left it, uploaded whole by Anki to an empty account
        (mirror,) = (bench.work / "store.mirror").glob("*/collection.anki2")
        return [PY, "-c", ANKI_FULL_UPLOAD, str(mirror), url, "floor", password]

    return SyncWith("sync --web", ["--web"], fresh, floor, "open the mirror + read revlog", after=stop,
                    first_floor=("Anki's full upload of the same collection", anki_upload))


def rows_sync_anki(bench: Bench) -> list[Row]:
    """The first sync into an empty Anki collection, a sync with nothing new, one after 100 answers (sync_rows)."""
    return sync_rows(bench, anki_side(bench))


def rows_sync_web(bench: Bench) -> list[Row]:
    """The same rows for `sync --web`, against a local Anki sync server (none when there is no `sync --web`)."""
    side = web_side(bench)
    return sync_rows(bench, side) if side is not None else []


ROWS: list[Callable[[Bench], Row | list[Row] | None]] = [
    row_convert, setup_history, row_due_warm, row_due_header_edited, row_due_after_one_card_edit, row_review_start,
    row_answer_latency, row_export, row_export_with_scheduling, _stats_row("terminal"), _stats_row("json", "--json"),
    _stats_row("html", "--html", "stats.html"), row_add_one_highlight, row_due_after_adding, rows_anki_round_trip,
    row_optimize, rows_recompute, rows_sync_anki, rows_sync_web, row_big_convert, row_big_kindle,
]
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
    parser.add_argument("--repeat", type=int, default=3, help="pairs per step; the median is reported")
    parser.add_argument("--json", action="store_true", help="print the rows as JSON too")
    parser.add_argument("--workdir", type=Path, default=None, help="keep the generated files here")
    parser.add_argument("--round-trip-cards", type=int, default=10_000,
                        help="cards of the export-then-import-anki rows (at most --cards)")
    parser.add_argument("--big-mb", type=int, default=200, help="size of the one-off large export (0: skip)")
    parser.add_argument("--skip", default="", help="leave out the rows whose function names hold these words, "
                        "comma-separated (e.g. sync,optimize); setup rows always run")
    args = parser.parse_args()

    work = args.workdir or Path(tempfile.mkdtemp(prefix="flashcards-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "NO_COLOR": "1", "FLASHCARDS_DB": str(work / "store.db")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # as installed for a person: compiled modules are cached
    bench = Bench(args, work, env, work / "export.txt", work / "deck.yaml")
    bench.python(f"import sys; sys.path.insert(0, {str(HERE)!r}); from generate import write_pairs_export; "
                 f"from pathlib import Path; write_pairs_export(Path({str(bench.export)!r}), {args.cards})")
    rows = []
    skipped = [word for word in args.skip.split(",") if word]
    for row_function in ROWS:
        name = getattr(row_function, "__name__", "")
        if name.startswith(("row", "rows")) and any(word in name for word in skipped):
            continue
        made = row_function(bench)
        for row in made if isinstance(made, list) else [made] if made is not None else []:
            rows.append(row)
            print(f"bench: {row.step}: {row.seconds:.3f} s, ratio {row.ratio or 0:.2f}x", file=sys.stderr, flush=True)
    print_table(rows, args)
    if args.json:
        print(json.dumps([row.__dict__ | {"ratio": row.ratio, "met": row.passed} for row in rows], indent=2))


def print_table(rows: list[Row], args: argparse.Namespace) -> None:
    """The results as a Markdown table, with the run's size, date and machine."""
    print(f"flashcards bench: {args.cards:,} cards, {args.cards * args.answers:,} logged answers, "
          f"median of {args.repeat} alternating step/floor pairs; {time.strftime('%Y-%m-%d')}, {platform.machine()}, {os.cpu_count()} cores, "
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
