"""Writing the package file: genanki builds the notes into a collection (schema 11), scheduling is written into
it here, and the zip is made in the legacy format (collection.anki2, any Anki since 2.1) or the current one
(collection.anki21b, zstd, with `meta`: Anki 2.1.50 and later)."""

from __future__ import annotations

import itertools
import json
import os
import sqlite3
import tempfile
import zipfile
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from ..model import AnswerFacts
from .scheduling_out import CRT, ExportHistory, card_columns, collection_config, free_revlog_ids, revlog_rows

FORMATS = ("legacy", "current")
SCHEDULING_CHUNK = 2_000  # cards whose schedules and answers are read and written at a time
_IDS_PER_QUERY = 500
META_CURRENT = b"\x08\x03"  # Anki's PackageMetadata protobuf: version = 3 (collection.anki21b)


def write_package(anki_decks: list, out: Path, timestamp: float, history: ExportHistory | None,
                  guid_card_ids: dict[str, str], package_format: str = "legacy") -> None:
    """Write genanki decks to `out`, with each card's schedule and answers when `history` is given.

    `guid_card_ids` maps note GUIDs to our card ids, to find a note's schedule.
    """
    fd, name = tempfile.mkstemp(prefix="flashcards-apkg-", suffix=".anki2")
    os.close(fd)
    dbfile = Path(name)
    try:
        _build_collection(dbfile, anki_decks, timestamp, history, guid_card_ids)
        # Opened once, write-only: given a path, ZipFile first tries read-write, which on a named pipe opens and
        # closes it once, and the reader takes that for the end of the package.
        with open(out, "wb") as handle:
            if package_format == "current":
                write_current_zip(dbfile, handle)
            else:
                with zipfile.ZipFile(handle, "w") as z:  # stored, as genanki does
                    z.write(dbfile, "collection.anki2")
                    z.writestr("media", "{}")
    finally:
        dbfile.unlink(missing_ok=True)


def write_current_zip(dbfile: Path, handle: IO[bytes]) -> None:
    """A collection file as Anki's current package format writes it (an .apkg, or a .colpkg as Anki's backups):
    `meta`, the collection zstd-compressed as it is read (never whole in memory), an empty collection.anki2 for
    an Anki older than 2.1.50, no media."""
    from .zstd import compress, compress_stream

    with zipfile.ZipFile(handle, "w") as z:  # stored: the collection is compressed already
        z.writestr("meta", META_CURRENT)
        with open(dbfile, "rb") as source, z.open("collection.anki21b", "w", force_zip64=True) as target:
            compress_stream(source, target)
        z.writestr("collection.anki2", _old_client_placeholder())
        z.writestr("media", compress(b""))  # an empty MediaEntries protobuf


def _build_collection(dbfile: Path, anki_decks: list, timestamp: float, history: ExportHistory | None,
                      guid_card_ids: dict[str, str]) -> None:
    import genanki

    db = sqlite3.connect(dbfile)
    # a scratch file, thrown away on any failure: no rollback journal, no waiting for the disk
    db.execute("PRAGMA journal_mode = OFF")
    db.execute("PRAGMA synchronous = OFF")
    try:
        cursor = db.cursor()
        genanki.Package(anki_decks).write_to_db(cursor, timestamp, itertools.count(int(timestamp * 1000)))
        conf = json.loads(db.execute("SELECT conf FROM col").fetchone()[0])
        if history is not None:
            conf.update(collection_config(), rollover=history.rollover_hour)
            db.execute("UPDATE col SET crt = ?, conf = ?", (CRT, json.dumps(conf)))
            with _indexes_built_after(db, ("revlog", "cards")):
                _write_scheduling(db, history, guid_card_ids)
        db.commit()
    finally:
        db.close()


@contextmanager
def _indexes_built_after(db: sqlite3.Connection, tables: tuple[str, ...]) -> Iterator[None]:
    """Drop these tables' indexes (genanki's), then make them again from their own SQL: one sort each instead
    of a million scattered updates."""
    indexes = db.execute(f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                         f"AND tbl_name IN ({','.join('?' * len(tables))})", tables).fetchall()
    for name, _ in indexes:
        db.execute(f'DROP INDEX "{name}"')
    yield
    for _, sql in indexes:
        db.execute(sql)


def _write_scheduling(db: sqlite3.Connection, history: ExportHistory, guid_card_ids: dict[str, str]) -> None:
    """Each card's schedule and answers, `SCHEDULING_CHUNK` cards at a time: the history is read from the store
    for those cards only, so memory does not grow with the length of the history."""
    after = 0
    written = _WrittenIds(db)
    while True:
        cards = db.execute("SELECT c.id, n.guid, c.due FROM cards c JOIN notes n ON n.id = c.nid WHERE c.id > ? "
                           "ORDER BY c.id LIMIT ?", (after, SCHEDULING_CHUNK)).fetchall()
        if not cards:
            return
        after = cards[-1][0]
        ours = [(anki_id, guid_card_ids[guid], position) for anki_id, guid, position in cards if guid in guid_card_ids]
        rows = history.source.card_rows_of([card_id for _, card_id, _ in ours])
        ours = [(anki_id, card_id, position) for anki_id, card_id, position in ours if card_id in rows]
        answers: dict[str, list[AnswerFacts]] = defaultdict(list)
        for facts in history.source.answer_facts_of([card_id for _, card_id, _ in ours]):
            answers[facts.card_id].append(facts)
        wanted = [facts.answered_ms for _, card_id, _ in ours for facts in answers.get(card_id, ())]
        free = free_revlog_ids(wanted, written.present)
        written.add(free)
        ids = iter(free)
        db.executemany(
            "UPDATE cards SET type = ?, queue = ?, due = ?, ivl = ?, factor = ?, reps = ?, lapses = ?, left = ?, "
            "data = ? WHERE id = ?",
            [(*card_columns(rows[card_id], history, position), anki_id) for anki_id, card_id, position in ours])
        revlog = [row for anki_id, card_id, _ in ours for row in revlog_rows(anki_id, answers.get(card_id, ()), ids)]
        revlog.sort()  # in id order: the log's rows go into its table's B-tree in order
        db.executemany("INSERT INTO revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", revlog)


class _WrittenIds:
    """The review-log ids written so far, remembered as bits of a bitmap indexed by the id's low bits: an id whose
    bit is clear is free without a look at the log (nearly every id); only the others are looked up."""

    BITS = 1 << 27  # 16 MB: a few percent of 3 million ids share a bit with another

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db
        self.bits = bytearray(self.BITS >> 3)

    def add(self, ids: list[int]) -> None:
        bits, mask = self.bits, self.BITS - 1
        for one in ids:
            bits[(one & mask) >> 3] |= 1 << (one & 7)

    def present(self, ids: list[int]) -> set[int]:
        """Which of these ids the log holds."""
        bits, mask = self.bits, self.BITS - 1
        maybe = [one for one in ids if bits[(one & mask) >> 3] >> (one & 7) & 1]
        return _present_revlog_ids(self.db, maybe) if maybe else set()


def _present_revlog_ids(db: sqlite3.Connection, ids: list[int]) -> set[int]:
    present: set[int] = set()
    for start in range(0, len(ids), _IDS_PER_QUERY):
        chunk = ids[start:start + _IDS_PER_QUERY]
        present.update(row[0] for row in db.execute(f"SELECT id FROM revlog WHERE id IN ({','.join('?' * len(chunk))})",
                                                    chunk))
    return present


def _old_client_placeholder() -> bytes:
    """The collection.anki2 an Anki older than 2.1.50 would read from a current-format package: empty."""
    import genanki

    fd, name = tempfile.mkstemp(prefix="flashcards-apkg-", suffix=".anki2")
    os.close(fd)
    try:
        db = sqlite3.connect(name)
        genanki.Package([]).write_to_db(db.cursor(), 0, itertools.count(1))
        db.commit()
        db.close()
        return Path(name).read_bytes()
    finally:
        os.unlink(name)
