"""Reading what Anki exports (.apkg, .colpkg): a zip holding a SQLite collection, zstd-compressed in the current
format (collection.anki21b, with a `meta` file naming the version), plain in the legacy ones (collection.anki21,
collection.anki2). Only the standard library, plus zstd."""

from __future__ import annotations

import json
import json.scanner
import shutil
import sqlite3
import tempfile
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from itertools import groupby
from operator import itemgetter
from pathlib import Path

from ..errors import FlashcardsError
from .zstd import decompress_stream, error_types

# the `meta` file's version (Anki's PackageMetadata.Version) -> the collection file it names
VERSIONS = {1: "collection.anki2", 2: "collection.anki21", 3: "collection.anki21b"}
LATEST_VERSION = 3
_IDS_PER_QUERY = 500
KNOWN_SCHEMAS = (11, 18)


@dataclass(frozen=True, slots=True)
class AnkiNote:
    """A note: its id, GUID, fields (as Anki stores them: HTML), tags and note type."""

    id: int
    guid: str
    fields: list[str]
    tags: list[str]
    note_type_id: int | None = None


@dataclass(frozen=True, slots=True)
class AnkiCard:
    """A card's scheduling columns, as Anki stores them (see Anki's card table)."""

    id: int
    note_id: int
    ord: int
    ctype: int  # 0 new, 1 learning, 2 review, 3 relearning
    queue: int  # -3/-2 buried, -1 suspended, 0 new, 1 learning, 2 review, 3 day learning, 4 preview
    due: int  # new: position; queue 1: epoch seconds; review and day learning: days since the collection began
    ivl: int
    reps: int
    lapses: int
    left: int
    data: dict


@dataclass(frozen=True, slots=True)
class AnkiAnswer:
    """One review-log row: id is the answer's time in ms; ease the button (0 for a manual reschedule)."""

    id: int
    card_id: int
    ease: int
    ivl: int  # days when positive, seconds when negative
    last_ivl: int
    factor: int
    time_ms: int
    kind: int  # 0 learning, 1 review, 2 relearning, 3 filtered, 4 manual, 5 rescheduled


@dataclass
class AnkiPackage:
    """Everything flashcards reads from a package."""

    path: Path
    filename: str  # the collection file inside: tells the format
    schema: int
    crt: int  # the collection's creation time (s)
    config: dict = field(default_factory=dict)  # schedVer, creationOffset, rollover
    notes: list[AnkiNote] = field(default_factory=list)
    cards: list[AnkiCard] = field(default_factory=list)
    revlog_count: int = 0  # rows in its review log, read on demand: answers_by_card()
    db: sqlite3.Connection | None = field(default=None, repr=False)  # the collection, while the package is open

    @property
    def format(self) -> str:
        return "current" if self.filename == "collection.anki21b" else "legacy"

    @property
    def has_history(self) -> bool:
        """Whether the package carries scheduling: a review log or any card that is not new."""
        return self.revlog_count > 0 or any(card.queue != 0 or card.ctype != 0 for card in self.cards)

    def answers_by_card(self, card_ids: Sequence[int]) -> dict[int, list[AnkiAnswer]]:
        """These cards' review-log rows, each card's in time order; read while the package is open (a long
        history is read a few cards at a time, never all at once)."""
        return {card: [AnkiAnswer(*row) for row in rows] for card, rows in self.answer_rows_by_card(card_ids).items()}

    def answer_rows_by_card(self, card_ids: Sequence[int]) -> dict[int, list[tuple]]:
        """answers_by_card() as the plain rows of AnkiAnswer's fields (id, cid, ease, ivl, lastIvl, factor, time,
        type), as a million answers are read."""
        assert self.db is not None, "open the package with open_package()"
        found: dict[int, list[tuple]] = {}
        ids = list(card_ids)
        try:
            for start in range(0, len(ids), _IDS_PER_QUERY):
                chunk = ids[start:start + _IDS_PER_QUERY]
                rows = self.db.execute("SELECT id, cid, ease, ivl, lastIvl, factor, time, type FROM revlog "
                                       f"WHERE cid IN ({', '.join('?' * len(chunk))}) ORDER BY cid, id", chunk)
                for card, group in groupby(rows, itemgetter(1)):
                    found.setdefault(card, []).extend(group)
        except sqlite3.DatabaseError as exc:
            raise FlashcardsError(f"{self.path}: damaged package ({self.filename}: its review log cannot be read: "
                                  f"{exc})") from None
        return found

    def revlog_rows(self, columns: str, where: str, params: Sequence | Mapping, batch: int) -> Iterator[list[tuple]]:
        """`SELECT columns FROM revlog WHERE where` in time order (Anki's log is keyed by the moment; a damaged one
        repeating a moment, in the order its rows were written), `batch` rows at a time: one pass through the
        table in its own order, never all of it at once."""
        assert self.db is not None, "open the package with open_package()"
        try:
            cursor = self.db.execute(f"SELECT {columns} FROM revlog WHERE {where} ORDER BY id, rowid", params)
            while rows := cursor.fetchmany(batch):
                yield rows
        except sqlite3.DatabaseError as exc:
            raise FlashcardsError(f"{self.path}: damaged package ({self.filename}: its review log cannot be read: "
                                  f"{exc})") from None

    def days_elapsed(self, now: datetime) -> int:
        """Anki's day number at `now` for this collection (the one its review due dates count in), computed as
        Anki does on the machine reading the package."""
        rollover = int(self.config.get("rollover", 4))
        local_now = now.astimezone()
        offset = local_now.utcoffset() or timedelta(0)
        if int(self.config.get("schedVer", 1)) < 2:
            return (int(now.timestamp()) - self.crt) // 86_400
        creation = self.config.get("creationOffset")
        if creation is not None:
            created = datetime.fromtimestamp(self.crt, timezone(-timedelta(minutes=int(creation))))
            rollover_passed = local_now.replace(hour=rollover % 24, minute=0, second=0, microsecond=0) <= local_now
            days = local_now.toordinal() - created.toordinal() - (0 if rollover_passed else 1)
            return max(days, 0)
        crt_local = datetime.fromtimestamp(self.crt, timezone(offset))
        crt_at_rollover = crt_local.replace(hour=rollover % 24, minute=0, second=0, microsecond=0)
        return int((now.timestamp() - crt_at_rollover.timestamp()) // 86_400)


@contextmanager
def open_package(path: Path) -> Iterator[AnkiPackage]:
    """Open a .apkg or .colpkg: its notes and cards are read at once, its review log on demand while it is open
    (answers_by_card). A damaged file or an unknown newer format is one clear FlashcardsError."""
    try:
        archive = zipfile.ZipFile(path)
    except FileNotFoundError:
        raise FlashcardsError(f"{path}: no such file") from None
    except (zipfile.BadZipFile, OSError) as exc:
        raise FlashcardsError(f"{path}: not a readable Anki package (damaged zip: {exc})") from None
    with archive, tempfile.TemporaryDirectory(prefix="flashcards-anki-") as folder:
        filename = _collection_name(archive, path)
        target = Path(folder) / "collection.db"
        unreadable: tuple[type[Exception], ...] = (zipfile.BadZipFile, OSError, EOFError, *error_types())
        try:
            with archive.open(filename) as source, open(target, "wb") as out:
                if filename == "collection.anki21b":
                    decompress_stream(source, out)
                else:
                    shutil.copyfileobj(source, out, 1 << 20)
        except unreadable as exc:
            raise FlashcardsError(f"{path}: damaged package ({filename} cannot be read: {exc})") from None
        db = sqlite3.connect(f"file:{target}?mode=ro", uri=True)
        try:
            try:
                package = _read_collection(path, filename, db)
            except sqlite3.DatabaseError as exc:
                raise FlashcardsError(f"{path}: damaged package ({filename} is not a readable collection: {exc})") from None
            yield package
        finally:
            db.close()


def _collection_name(archive: zipfile.ZipFile, path: Path) -> str:
    names = set(archive.namelist())
    if "meta" in names:
        version = _meta_version(archive.read("meta"))
        if version not in VERSIONS:
            raise FlashcardsError(
                f"{path}: made by a newer Anki (package version {version}; this flashcards reads up to "
                f"{LATEST_VERSION}); export it again with 'Support older Anki versions' ticked"
            )
        name = VERSIONS[version]
    else:
        name = "collection.anki21" if "collection.anki21" in names else "collection.anki2"
    if name not in names:
        raise FlashcardsError(f"{path}: not an Anki package (no {name} inside)")
    return name


def _meta_version(data: bytes) -> int:
    """Field 1 (a varint) of Anki's PackageMetadata protobuf; 0 (Anki's 'unknown') when absent."""
    index = 0
    while index < len(data):
        key, index = _varint(data, index)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, index = _varint(data, index)
            if number == 1:
                return value
        elif wire == 2:
            length, index = _varint(data, index)
            index += length
        else:
            return 0
    return 0


def _varint(data: bytes, index: int) -> tuple[int, int]:
    value = shift = 0
    while index < len(data):
        byte = data[index]
        index += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, index
        shift += 7
    return value, index


def _read_collection(path: Path, filename: str, db: sqlite3.Connection) -> AnkiPackage:
    crt, schema, conf = db.execute("SELECT crt, ver, conf FROM col").fetchone()
    if schema > max(KNOWN_SCHEMAS):
        raise FlashcardsError(f"{path}: made by a newer Anki (collection schema {schema}); update flashcards")
    config = _config(db, schema, conf)
    package = AnkiPackage(path, filename, schema, crt, config, db=db)
    package.notes = [
        AnkiNote(nid, guid, flds.split("\x1f"), tags.split(), mid)
        for nid, guid, flds, tags, mid in db.execute("SELECT id, guid, flds, tags, mid FROM notes ORDER BY id")
    ]
    package.cards = [
        AnkiCard(cid, nid, ord_, ctype, queue, due, ivl, reps, lapses, left, _card_data(data))
        for cid, nid, ord_, ctype, queue, due, ivl, reps, lapses, left, data in db.execute(
            "SELECT id, nid, ord, type, queue, due, ivl, reps, lapses, left, data FROM cards ORDER BY nid, ord"
        )
    ]
    package.revlog_count = db.execute("SELECT count(*) FROM revlog").fetchone()[0]
    return package


def _config(db: sqlite3.Connection, schema: int, conf: str) -> dict:
    keys = ("schedVer", "creationOffset", "rollover")
    if schema < 18:
        try:
            values = json.loads(conf or "{}")
        except ValueError:
            values = {}
        return {key: values[key] for key in keys if key in values}
    found = {}
    for key, value in db.execute(f"SELECT key, val FROM config WHERE key IN ({', '.join('?' * len(keys))})", keys):
        try:
            found[key] = json.loads(bytes(value))
        except ValueError:
            continue
    return found


def _card_data(text: str) -> dict:
    if not text or text == "{}":
        return {}
    try:
        data, end = _scan(text, 0)  # json.loads without its wrapping (a hundred thousand cards)
        if end != len(text):
            data = json.loads(text)  # (what follows: json.loads decides, as it did)
    except (ValueError, StopIteration, TypeError):
        try:
            data = json.loads(text)
        except (ValueError, TypeError):
            return {}
    return data if isinstance(data, dict) else {}


_scan = json.scanner.make_scanner(json.JSONDecoder())  # type: ignore[arg-type]


def anki_moment(seconds: int) -> datetime:
    """An Anki time in seconds as a UTC moment."""
    return datetime.fromtimestamp(seconds, UTC)
