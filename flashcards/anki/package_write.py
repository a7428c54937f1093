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
from pathlib import Path

from .scheduling_out import CRT, ExportHistory, card_columns, collection_config, revlog_rows

FORMATS = ("legacy", "current")
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
        with open(out, "wb") as handle, zipfile.ZipFile(handle, "w") as z:  # stored, as genanki does
            if package_format == "current":
                from .zstd import compress, compress_stream

                z.writestr("meta", META_CURRENT)
                with open(dbfile, "rb") as source, z.open("collection.anki21b", "w", force_zip64=True) as target:
                    compress_stream(source, target)
                z.writestr("collection.anki2", _old_client_placeholder())
                z.writestr("media", compress(b""))  # an empty MediaEntries protobuf
            else:
                z.write(dbfile, "collection.anki2")
                z.writestr("media", "{}")
    finally:
        dbfile.unlink(missing_ok=True)


def _build_collection(dbfile: Path, anki_decks: list, timestamp: float, history: ExportHistory | None,
                      guid_card_ids: dict[str, str]) -> None:
    import genanki

    db = sqlite3.connect(dbfile)
    try:
        cursor = db.cursor()
        genanki.Package(anki_decks).write_to_db(cursor, timestamp, itertools.count(int(timestamp * 1000)))
        conf = json.loads(db.execute("SELECT conf FROM col").fetchone()[0])
        if history is not None:
            conf.update(collection_config(), rollover=history.rollover_hour)
            db.execute("UPDATE col SET crt = ?, conf = ?", (CRT, json.dumps(conf)))
            _write_scheduling(db, history, guid_card_ids)
        db.commit()
    finally:
        db.close()


def _write_scheduling(db: sqlite3.Connection, history: ExportHistory, guid_card_ids: dict[str, str]) -> None:
    history.revlog_ids.clear()
    cards = db.execute("SELECT c.id, n.guid, c.due FROM cards c JOIN notes n ON n.id = c.nid ORDER BY c.id").fetchall()
    updates = []
    revlog: list[tuple] = []
    for anki_id, guid, position in cards:
        card_id = guid_card_ids.get(guid)
        row = history.rows.get(card_id) if card_id else None
        if card_id is None or row is None:
            continue
        updates.append((*card_columns(row, history, position), anki_id))
        revlog.extend(revlog_rows(anki_id, history.answers.get(card_id, ()), history))
    db.executemany(
        "UPDATE cards SET type = ?, queue = ?, due = ?, ivl = ?, factor = ?, reps = ?, lapses = ?, left = ?, data = ? "
        "WHERE id = ?", updates)
    db.executemany("INSERT INTO revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", revlog)


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
