"""import-anki into an empty store goes in bulk (the log's indexes dropped, the rows appended, the indexes built
again, all in the import's transaction): it must leave what merging leaves, every answer once, the schema as it
was, and a failure or a kill midway must leave the store as it was."""

from __future__ import annotations

import random
import sqlite3
import subprocess
import sys
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from flashcards.anki.package_in import AnkiAnswer, open_package
from flashcards.anki.package_out import export_decks, note_guid
from flashcards.anki.scheduling_in import NO_INTERVAL, LogRows, answers_of, is_answer, misdated
from flashcards.clock import to_ms
from flashcards.export.history import export_history
from flashcards.import_anki import history
from flashcards.import_anki.history import import_anki
from flashcards.model import Card, CardRow, Deck, LoggedAnswer, Schedule, State
from flashcards.settings import Settings
from flashcards.store import Store

NOW = datetime.now(UTC).replace(microsecond=0)


def _package(tmp: Path, cards: int = 80, seed: int = 5, legacy: bool = False) -> Path:
    """A package of `cards` notes with random histories (some notes sharing a passage: one card of ours)."""
    rng = random.Random(seed)
    texts = [f"Passage {i}" if i % 9 else "A passage two notes share" for i in range(cards)]
    deck = Deck("Bulk", [Card(f"bulk{i:04d}", text, f"thought {i}") for i, text in enumerate(texts)])
    with Store(tmp / "source.db") as source:
        answers, rows = [], []
        for card in deck.cards:
            at = NOW - timedelta(days=rng.uniform(30, 400), minutes=rng.randrange(1440))
            before = State.NEW
            for _ in range(rng.randrange(0, 15)):
                rating = rng.choice([1, 2, 3, 3, 3, 4])
                after = State.REVIEW if rating > 1 else State.RELEARNING
                due = at + timedelta(days=rng.choice([0.01, 1, 3, 10, 40]))
                answers.append(LoggedAnswer(0, card.id, at, rating, rng.randrange(0, 30000), before, after, due))
                before, at = after, due + timedelta(hours=rng.randrange(0, 30))
                if at > NOW:
                    break
            if before != State.NEW:
                rows.append(CardRow(card.id, Schedule(before, None, 5.0, 5.0, at, at - timedelta(days=1), 3, 0)))
        with source.transaction() as db:
            source.insert_answers(db, answers)
            source.write_cards(db, rows)
        package = tmp / ("bulk-legacy.apkg" if legacy else "bulk.apkg")
        export_decks([deck], package, history=export_history(source, Settings(), NOW),
                     package_format="legacy" if legacy else "current")
    return package


def _damaged(tmp: Path, package: Path) -> Path:
    """The legacy package with its review log rebuilt without its key, holding what a damaged log can: a second
    answer at a moment its card already has, a misdated answer, a manual reschedule, an interval as a REAL."""
    out = tmp / "damaged.apkg"
    with zipfile.ZipFile(package) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename in ("collection.anki2", "collection.anki21"):
                inner = tmp / "inner.db"
                inner.write_bytes(data)
                db = sqlite3.connect(inner)
                db.executescript(
                    "ALTER TABLE revlog RENAME TO old_revlog;"
                    "CREATE TABLE revlog (id integer not null, cid integer not null, usn integer not null, ease integer "
                    "not null, ivl integer not null, lastIvl integer not null, factor integer not null, time integer "
                    "not null, type integer not null);"
                    "INSERT INTO revlog SELECT * FROM old_revlog; DROP TABLE old_revlog;"
                    "CREATE INDEX ix_revlog_cid ON revlog (cid);")
                first, card = db.execute("SELECT id, cid FROM revlog ORDER BY id LIMIT 1").fetchone()
                rows = [(first, card, -1, 1, -600, 0, 0, 7000, 0),  # the same moment again
                        (to_ms(datetime(2001, 9, 9, tzinfo=UTC)), card, -1, 3, 4, 1, 2500, 6000, 1),  # misdated
                        (first + 5, card, -1, 0, 30, 0, 0, 0, 4),  # a manual reschedule: no answer
                        (first + 9, card, -1, 3, 2.5, 1, 2500, 6000, 1)]  # a REAL interval
                db.executemany("INSERT INTO revlog VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
                db.commit()
                db.close()
                data = inner.read_bytes()
            target.writestr(item, data)
    return out


def _imported(folder: Path, package: Path, with_history: bool) -> tuple[dict, list, list, Store]:
    """The package imported with --deck into a store that is empty, or (`with_history`) holds one answer of an
    unrelated card (which makes the import merge instead of going in bulk)."""
    folder.mkdir()
    store = Store(folder / "store.db")
    if with_history:
        with store.transaction() as db:
            store.write_card(db, CardRow("unrelated", Schedule(State.REVIEW, None, 2.0, 5.0, NOW, NOW, 1, 0)))
            store.insert_answers(db, [LoggedAnswer(0, "unrelated", NOW - timedelta(days=1), 3, 1000, State.NEW,
                                                   State.REVIEW, NOW)])
    report = import_anki(store, Settings(), package, folder / "deck.yaml", NOW)
    log = sorted(row for row in store.db.execute(
        "SELECT card_id, reviewed_at, rating, duration_ms, state_before, state_after, stability, difficulty, due, "
        "previous_interval_ms FROM review_log WHERE card_id != 'unrelated'"))
    cards = sorted((row for row in store.cards() if row.card_id != "unrelated"), key=lambda row: row.card_id)
    return report.to_dict() | {"deck": None}, log, cards, store


def _expected_log(package: Path, idents: dict[int, str]) -> list[tuple]:
    """The answers merging leaves, straight from answers_of (each Anki card's rows on their own) and the rule
    that the same card at the same millisecond is the same answer, the first one kept."""
    found: dict[tuple[str, int], tuple] = {}
    with open_package(package) as opened:
        entries = opened.answers_by_card(sorted(idents))
    for anki_card, ident in idents.items():
        taken = [entry for entry in entries.get(anki_card, ()) if not misdated(entry.id, to_ms(NOW))]
        for answer in answers_of(ident, taken):
            key = (ident, to_ms(answer.reviewed_at))
            found.setdefault(key, (ident, key[1], answer.rating, answer.duration_ms, int(answer.state_before),
                                   int(answer.state_after), None, None, to_ms(answer.due)))
    return sorted(found.values())


def _matched(monkeypatch) -> dict[int, str]:
    seen: dict[int, str] = {}
    merge = history._merge_history

    def spy(store, settings, package, matched, *rest):
        seen.update((card.id, ident) for ident, card in matched)
        return merge(store, settings, package, matched, *rest)

    monkeypatch.setattr(history, "_merge_history", spy)
    return seen


@pytest.mark.parametrize("damaged", [False, True], ids=["anki-log", "damaged-log"])
def test_a_bulk_import_leaves_what_merging_leaves_every_answer_once(tmp_path, monkeypatch, damaged):
    package = _package(tmp_path, legacy=damaged)
    if damaged:
        package = _damaged(tmp_path, package)
    idents = _matched(monkeypatch)
    bulk_report, bulk_log, bulk_cards, bulk = _imported(tmp_path / "empty", package, with_history=False)
    merged_report, merged_log, merged_cards, merged = _imported(tmp_path / "merged", package, with_history=True)
    assert bulk_report == merged_report
    assert bulk_report["answers_added"] == len(bulk_log) > 300
    assert bulk_log == merged_log
    assert bulk_cards == merged_cards
    assert [row[:9] for row in bulk_log] == _expected_log(package, idents)
    if damaged:
        assert (bulk_report["answers_misdated"], bulk_report["answers_read"] - bulk_report["answers_added"]) == (1, 1)
    for store in (bulk, merged):
        with store.transaction() as db:  # what the log says is what the rows say: nothing left to set right
            before = db.total_changes
            store.refresh_previous_intervals(db, [row[0] for row in bulk_log])
            assert store.recount_answers(db, [row.card_id for row in bulk_cards]) == 0
            assert db.total_changes == before
        from flashcards.scheduling.memory_states import recompute_memory_states

        assert recompute_memory_states(store, Settings(), [row.card_id for row in bulk_cards]).changed == 0
        store.close()


def _schema(path: Path) -> list[tuple]:
    db = sqlite3.connect(path)
    try:
        return sorted(db.execute("SELECT type, name, tbl_name, sql FROM sqlite_master"))
    finally:
        db.close()


def test_a_bulk_import_leaves_the_schema_as_it_was(tmp_path):
    package = _package(tmp_path)
    with Store(tmp_path / "fresh.db"):
        pass
    with Store(tmp_path / "store.db") as store:
        report = import_anki(store, Settings(), package, tmp_path / "deck.yaml", NOW)
        assert report.answers_added > 300
        assert store.db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert _schema(tmp_path / "store.db") == _schema(tmp_path / "fresh.db")


def test_a_bulk_import_that_fails_midway_leaves_the_store_as_it_was(tmp_path, monkeypatch):
    from flashcards.store.history_import import BulkLog

    package = _package(tmp_path)
    with Store(tmp_path / "fresh.db"):
        pass

    def broken(self):
        self.db.execute(self.indexes[0])  # one index built again, then the disk fills
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(BulkLog, "index", broken)
    with Store(tmp_path / "store.db") as store, pytest.raises(sqlite3.OperationalError):
        import_anki(store, Settings(), package, None, NOW)
    assert _schema(tmp_path / "store.db") == _schema(tmp_path / "fresh.db")
    with Store(tmp_path / "store.db") as store:
        assert store.answer_count() == 0 and list(store.cards()) == []
        monkeypatch.undo()
        assert import_anki(store, Settings(), package, None, NOW).answers_added == 0  # none of the notes is ours


KILL = """
import os, signal, sys
from datetime import UTC, datetime
from pathlib import Path
from flashcards.import_anki.history import import_anki
from flashcards.settings import Settings
from flashcards.store import Store
from flashcards.store.history_import import BulkLog

def killed(self):
    self.db.execute(self.indexes[0])
    os.kill(os.getpid(), signal.SIGKILL)  # every row in, the indexes dropped, one built again: killed

BulkLog.index = killed
with Store(Path(sys.argv[1])) as store:
    import_anki(store, Settings(), Path(sys.argv[2]), Path(sys.argv[3]), datetime.now(UTC))
"""


def test_a_bulk_import_killed_midway_leaves_the_store_as_it_was(tmp_path):
    package = _package(tmp_path)
    with Store(tmp_path / "fresh.db"):
        pass
    with Store(tmp_path / "store.db") as store, store.transaction() as db:  # a card converted, never answered
        store.write_card(db, CardRow("waiting", Schedule()))
    done = subprocess.run([sys.executable, "-c", KILL, str(tmp_path / "store.db"), str(package),
                           str(tmp_path / "deck.yaml")], capture_output=True, text=True, check=False)
    assert done.returncode == -9, done.stderr
    with Store(tmp_path / "store.db") as store:
        assert store.db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert store.answer_count() == 0 and [row.card_id for row in store.cards()] == ["waiting"]
    assert _schema(tmp_path / "store.db") == _schema(tmp_path / "fresh.db")
    with Store(tmp_path / "store.db") as store:
        report = import_anki(store, Settings(), package, tmp_path / "deck.yaml", NOW)
        assert report.answers_added == store.answer_count() > 300


def test_log_rows_are_what_answers_of_gives_for_any_review_log():
    """LogRows (SQLite reckons a row's own values, Python what depends on the card's rows before) against
    answers_of on the same rows, card by card: kinds, eases, intervals in days and seconds, a REAL interval, an
    interval beyond what is reckoned in integers, misdated moments, a moment repeated."""
    rng = random.Random(3)
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE revlog (id integer not null, cid integer not null, usn integer not null, ease integer "
               "not null, ivl integer not null, lastIvl integer not null, factor integer not null, time integer "
               "not null, type integer not null)")
    now_ms = to_ms(NOW)
    rows, moment = [], to_ms(NOW - timedelta(days=500))
    for _ in range(4000):
        moment += rng.randrange(0, 5_000_000)
        at = rng.choice([moment] * 30 + [rows[-1][0] if rows else moment, 1_000_000_000_000, now_ms + 2 * 86_400_000])
        ivl = rng.choice([1, 3, 20, 400, -60, -600, -86_399, 0, 2.5, 1_500_000, -2_000_000])
        card = rows[-1][1] if rows and rng.random() < 0.1 else rng.randrange(1, 40)  # (now and then: a repeat)
        rows.append((at, card, -1, rng.choice([0, 1, 2, 3, 3, 4, 5]), ivl, 0, rng.choice([0, 2500]),
                     rng.choice([-5, 0, 4000, 60000]), rng.choice([0, 1, 1, 2, 3, 4, 5, 6])))
    db.executemany("INSERT INTO revlog VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    idents = {cid: f"ours{cid}" for cid in range(1, 40) if cid % 7}
    log_rows = LogRows(idents, now_ms)
    got: list[tuple] = []
    cursor = db.execute(f"SELECT {LogRows.COLUMNS} FROM revlog WHERE {LogRows.WHERE} ORDER BY id, rowid",
                        log_rows.params())
    while batch := cursor.fetchmany(97):
        got += log_rows.rows(batch)
    expected, misdated_moments, previous = [], [], {}
    by_card: dict[int, list[AnkiAnswer]] = {}
    for row in sorted(rows, key=lambda row: row[0]):  # (stable: as SQLite gives equal moments, by rowid)
        by_card.setdefault(row[1], []).append(AnkiAnswer(row[0], row[1], row[3], row[4], row[5], row[6], row[7], row[8]))
    for anki_card, entries in by_card.items():
        if anki_card not in idents:
            continue
        misdated_moments += [entry.id for entry in entries if is_answer(entry) and misdated(entry.id, now_ms)]
        for answer in answers_of(idents[anki_card], [entry for entry in entries if not misdated(entry.id, now_ms)]):
            at, due = to_ms(answer.reviewed_at), to_ms(answer.due)
            expected.append((answer.card_id, at, answer.rating, answer.duration_ms, int(answer.state_before),
                             int(answer.state_after), due, previous.get(anki_card, NO_INTERVAL)))
            previous[anki_card] = due - at
    assert sorted(got) == sorted(expected) and len(got) > 1000
    assert sorted(log_rows.misdated) == sorted(misdated_moments) and misdated_moments
    assert log_rows.taken == len(expected)
    assert log_rows.repeated


def test_the_guid_reckoned_on_import_is_the_one_export_gives():
    rng = random.Random(7)
    for index in range(5000):
        ident = f"{rng.getrandbits(64):016x}" if index % 2 else "".join(rng.choice("aé中 -_0") for _ in range(index % 23))
        assert history._guid(ident) == note_guid(ident), ident
