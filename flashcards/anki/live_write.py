"""Writing notes, answers and scheduling into an open Anki collection: all in one transaction, or nothing.

Anki's backup and the collection's lock. Anki's backend holds the collection with SQLite's exclusive locking mode,
which on POSIX systems is an fcntl() lock, and such locks belong to the process: closing *any* descriptor the
process has on the file drops them all. Anki's own `create_backup` reads the collection file through a descriptor
of its own and closes it, so after it the collection was no longer locked: a second process (Anki desktop, another
sync, a sync killed a moment ago that was still letting go) could open it while this one wrote to it, and read a
half-written file ("database disk image is malformed") or write over it. So the backup is made from a snapshot:
the file read through one descriptor kept open until the collection is closed (`release_file`), its -wal copied
beside it (in exclusive mode SQLite locks only the main file), and the backup written of that copy as Anki writes
its own (a .colpkg in its current package format, named as Anki names them, so that Anki's File > Switch Profile >
Open Backup lists it and Anki's own thinning of old backups counts it), streamed rather than read whole as Anki's
create_backup does, into a folder of its own, then moved into the profile's `backups` folder whole: a sync killed
meanwhile leaves no half-written backup there, only its working folder, which the next sync removes
(`clear_leftovers`). Old backups are thinned by Anki itself, as it thins its own, whenever it makes one.
"""

from __future__ import annotations

import math
import os
import shutil
import sqlite3
import tempfile
import time
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, MutableMapping, Sequence
from datetime import datetime
from itertools import chain
from pathlib import Path
from typing import Any

from ..errors import FlashcardsError
from .live_errors import collection_failure
from .live_model import (
    QUEUE_DAY_LEARN,
    QUEUE_LEARN,
    QUEUE_MANUALLY_BURIED,
    QUEUE_NEW,
    QUEUE_REVIEW,
    QUEUE_SUSPENDED,
    REVIEW_KINDS,
    STATES,
    AnkiDays,
    NoteWrite,
    ReviewWrite,
    ScheduleWrite,
    WriteResult,
    review_guids,
    schedule_guids,
)
from .live_read import existing_review_ids, note_cards
from .note_type import ANSWER, CSS, FIELDS, MODEL_ID, MODEL_NAME, QUESTION, TEMPLATE_NAME
from .package_write import write_current_zip

DEFAULT_EASE = 2500  # SM-2's starting ease, so the card still works if the person turns FSRS off
ANKI_OWN_TAGS = {"leech", "marked"}  # tags Anki itself puts on notes: an update keeps them
_CARD_KEYS = ("type", "queue", "due", "ivl", "reps", "lapses", "factor", "left", "did", "odid", "odue")
_FLOAT_KEYS = ("desired_retention", "decay")
_REVIEW_CHUNK = 20_000  # answers written to Anki's review log per statement (bounded memory)
_PIN = "_flashcards_collection_file"  # the Collection's attribute holding the descriptor make_backup reads through
BACKUP_NAME = "backup-%Y-%m-%d-%H.%M.%S.colpkg"  # Anki's own (rslib collection/backup.rs)
WORK_PREFIX = ".flashcards-backup-"  # make_backup's working folder inside the backups folder
_COPY_BYTES = 1 << 20


class _DryRun(Exception):
    """Raised to roll a trial transaction back."""


def write_changes(
    col: Any,
    notes: Sequence[NoteWrite] = (),
    reviews: Sequence[ReviewWrite] = (),
    schedules: Sequence[ScheduleWrite] = (),
    *,
    backup_folder: Path | None = None,
    dry_run: bool = False,
    known: Mapping[str, tuple[int, int]] | None = None,
) -> WriteResult:
    """Add/update notes, add answers to the review log, set cards' scheduling: all of it, or (on any
    error) none of it. Runs once as a trial that is rolled back; only when something would change is
    Anki's backup made (in `backup_folder`, default the profile's `backups`) and the write done for real.
    `known`: GUID -> (note id, card id) of notes the caller read from this collection (ours, or the person's our
    cards came from); the GUIDs it lacks are looked for, and only when there are any is the collection scanned.
    A write that adds a note changes the collection for certain: its trial is left out (a first sync of 300,000
    cards is a long transaction, and the trial's roll-back would double it)."""
    if dry_run or not _adds_a_note(col, notes, known):
        trial = _transaction(col, notes, reviews, schedules, keep=False, known=known)
        trial.dry_run = dry_run
        if dry_run or not trial.changed:
            return trial
        del trial
    backup = make_backup(col, backup_folder or Path(col.path).parent / "backups")
    result = _transaction(col, notes, reviews, schedules, keep=True, known=known)
    result.backup = str(backup) if backup else None
    return result


def _adds_a_note(col: Any, notes: Sequence[NoteWrite], known: Mapping[str, tuple[int, int]] | None) -> bool:
    """Whether writing `notes` adds one: a GUID on no note of the collection (and none of another note type, which
    the write refuses)."""
    unknown = [note.guid for note in notes if known is None or note.guid not in known]
    if not unknown or _foreign_guids(col, unknown):
        return False
    have = note_cards(col, unknown)
    return any(guid not in have for guid in unknown)


def make_backup(col: Any, folder: Path) -> Path | None:
    """A backup as Anki's own (a .colpkg, named as Anki names them) of the collection as it is, in `folder`, made
    without letting go of the collection's lock (see the module's docstring); the backup file, or None if Anki made
    none (Windows, where Anki's create_backup makes it).
    A full disk or a failure of Anki's backup is one line (nothing was written yet)."""
    from anki.errors import BackendError

    try:
        folder.mkdir(parents=True, exist_ok=True)
        clear_leftovers(folder)
        if os.name == "nt":  # Windows locks belong to a handle: Anki's own read of the file drops nothing
            col.create_backup(backup_folder=str(folder), force=True, wait_for_completion=True)
            backups = sorted(folder.glob("backup-*.colpkg"), key=lambda path: path.stat().st_mtime)
            return backups[-1] if backups else None
        return _backup_of_snapshot(col, folder)
    except (OSError, sqlite3.Error, BackendError) as error:
        raise collection_failure(Path(col.path), error) from error


def _backup_of_snapshot(col: Any, folder: Path) -> Path:
    """A .colpkg as Anki's backups are (Anki's current package format, named as Anki names them) of a snapshot of
    the collection, written here rather than by Anki's create_backup, which holds the whole file in memory (600 MB
    for a collection of 300,000 cards and 3,000,000 answers)."""
    work = Path(tempfile.mkdtemp(prefix=WORK_PREFIX, dir=folder))
    try:
        copy = work / "collection.anki2"
        _snapshot(col, copy)
        db = sqlite3.connect(copy)
        try:
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the copied -wal into the file: one file, as Anki's
        finally:
            db.close()
        made = work / "backup.colpkg"
        with made.open("wb") as handle:
            write_current_zip(copy, handle)
            handle.flush()
            os.fsync(handle.fileno())
        target = _backup_path(folder)
        os.replace(made, target)  # whole or not at all
        return target
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _backup_path(folder: Path) -> Path:
    """A backup's name in `folder` as Anki names them (its local time to the second), a second later while taken."""
    moment = time.time()
    while (path := folder / time.strftime(BACKUP_NAME, time.localtime(moment))).exists():
        moment += 1
    return path


def _snapshot(col: Any, copy: Path) -> None:
    """The collection file and its -wal, copied as they are (this process holds the lock: nothing moves)."""
    source = collection_file(col)
    size = os.fstat(source).st_size
    with copy.open("wb") as out:
        offset = 0
        while offset < size:
            chunk = os.pread(source, min(_COPY_BYTES, size - offset), offset)
            if not chunk:
                break
            out.write(chunk)
            offset += len(chunk)
    wal = Path(f"{col.path}-wal")
    if wal.exists():
        shutil.copyfile(wal, f"{copy}-wal")


def collection_file(col: Any) -> int:
    """A read-only descriptor on the collection file, opened once and kept until `release_file` (after the
    collection is closed): reading through it, and never closing it early, keeps Anki's lock on the file."""
    fd = getattr(col, _PIN, None)
    if fd is None:
        fd = os.open(col.path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
        setattr(col, _PIN, fd)
    return fd


def release_file(col: Any) -> None:
    """Close collection_file's descriptor; call only once the collection itself is closed."""
    fd = getattr(col, _PIN, None)
    if fd is not None:
        delattr(col, _PIN)
        os.close(fd)


def clear_leftovers(folder: Path) -> None:
    """Remove the working folders of backups a killed sync left in `folder` (only a process holding the
    collection makes one, so any found by the holder are a dead process's)."""
    try:
        leftovers = list(folder.glob(WORK_PREFIX + "*")) if folder.is_dir() else []
    except OSError:
        return
    for leftover in leftovers:
        shutil.rmtree(leftover, ignore_errors=True)


def _transaction(col: Any, notes, reviews, schedules, keep: bool, known=None) -> WriteResult:
    result = WriteResult([], [], 0, 0, [])

    def apply() -> None:
        _apply(col, notes, reviews, schedules, result, known)
        if not keep:
            raise _DryRun  # roll the trial back

    try:
        col.db.transact(apply)
    except _DryRun:
        col.models._clear_cache()  # a rolled-back note type must not linger in the Python-side cache
    except BaseException:
        col.models._clear_cache()
        raise
    return result


def _apply(col: Any, notes, reviews, schedules, result: WriteResult, known=None) -> None:
    days = AnkiDays(col)
    written: Mapping[str, tuple[int, int]] = {}
    if notes:
        written = _write_notes(col, notes, result, known)
        result.note_ids = written
    cards = _note_cards(col, chain(review_guids(reviews), schedule_guids(schedules)), known, written)
    if reviews:
        _write_reviews(col, reviews, cards, result)
    for schedule in schedules:
        if schedule.guid not in cards:
            raise FlashcardsError(f"Anki has no note with GUID {schedule.guid} to schedule")
        if _write_schedule(col, cards[schedule.guid][1], schedule, days):
            result.schedules_changed.append(schedule.guid)


def ensure_note_type(col: Any) -> dict:
    """Our note type, created with its frozen id, fields and template when the collection lacks it."""
    if col.db.scalar("select id from notetypes where id = ?", MODEL_ID) is None:
        models = col.models
        notetype = models.new(MODEL_NAME)
        for name in FIELDS:
            models.add_field(notetype, models.new_field(name))
        template = models.new_template(TEMPLATE_NAME)
        template["qfmt"], template["afmt"] = QUESTION, ANSWER
        models.add_template(notetype, template)
        notetype.update(id=MODEL_ID, css=CSS, sortf=0, usn=-1, mod=int(time.time()))
        models.update(notetype, preserve_usn=True)  # keeps our id; usn -1 makes AnkiWeb take it
    notetype = col.models.get(MODEL_ID)
    names = tuple(field["name"] for field in notetype["flds"])
    if names != FIELDS:
        raise FlashcardsError(
            f"the note type {notetype['name']!r} in Anki has fields {', '.join(names)}; "
            f"flashcards needs {', '.join(FIELDS)}: undo the change to the note type in Anki"
        )
    return notetype


def _same_fields(have: Sequence[str], want: Sequence[str]) -> bool:
    return [unicodedata.normalize("NFC", text) for text in have] == [
        unicodedata.normalize("NFC", text) for text in want
    ]


def _same_tags(have: Sequence[str], want: Sequence[str]) -> bool:
    return sorted({tag.casefold() for tag in have}) == sorted({tag.casefold() for tag in want})


def _note_cards(col: Any, guids: Iterable[str], known: Mapping[str, tuple[int, int]] | None,
                written: Mapping[str, tuple[int, int]]) -> Mapping[str, tuple[int, int]]:
    """GUID -> (note id, card id) of the notes among `guids`: the notes just written, then `known`, then those
    the collection has (see write_changes); looked up, not copied (a first sync writes 300,000)."""
    if known is None:
        return note_cards(col, guids)
    missing = dict.fromkeys(guid for guid in guids if guid not in written and guid not in known)
    return _Lookup((written, known, note_cards(col, missing) if missing else {}))


class _Lookup(Mapping[str, tuple[int, int]]):
    """The first of several mappings that has a key, without copying them."""

    def __init__(self, maps: tuple[Mapping[str, tuple[int, int]], ...]) -> None:
        self.maps = maps

    def __getitem__(self, guid: str) -> tuple[int, int]:
        for ids in self.maps:
            if guid in ids:
                return ids[guid]
        raise KeyError(guid)

    def __contains__(self, guid: object) -> bool:
        return any(guid in ids for ids in self.maps)

    def __iter__(self) -> Iterator[str]:
        return iter(dict.fromkeys(guid for ids in self.maps for guid in ids))

    def __len__(self) -> int:
        return sum(1 for _ in self)


class NoteIds(MutableMapping[str, tuple[int, int]]):
    """GUID -> (note id, card id), each pair kept as one number (a first sync adds 300,000 notes: a tuple of two
    ints each would hold ~25 MB more)."""

    _SHIFT = 64

    def __init__(self) -> None:
        self._packed: dict[str, int] = {}
        self._other: dict[str, tuple[int, int]] = {}  # ids outside 0 .. 2**64 (never from Anki, but kept as they are)

    def __getitem__(self, guid: str) -> tuple[int, int]:
        packed = self._packed.get(guid)
        if packed is None:
            return self._other[guid]
        return packed >> self._SHIFT, packed & ((1 << self._SHIFT) - 1)

    def __setitem__(self, guid: str, ids: tuple[int, int]) -> None:
        note_id, card_id = ids
        self._packed.pop(guid, None)
        self._other.pop(guid, None)
        if note_id >= 0 and 0 <= card_id < 1 << self._SHIFT:
            self._packed[guid] = note_id << self._SHIFT | card_id
        else:
            self._other[guid] = (note_id, card_id)

    def __delitem__(self, guid: str) -> None:
        if self._packed.pop(guid, None) is None:
            del self._other[guid]

    def __contains__(self, guid: object) -> bool:
        return guid in self._packed or guid in self._other

    def __iter__(self) -> Iterator[str]:
        yield from self._packed
        yield from self._other

    def __len__(self) -> int:
        return len(self._packed) + len(self._other)


def _write_notes(col: Any, notes: Sequence[NoteWrite], result: WriteResult,
                 known: Mapping[str, tuple[int, int]] | None = None) -> NoteIds:
    """Write the notes; returns GUID -> (note id, card id) of each."""
    guids = [note.guid for note in notes]
    if len(set(guids)) != len(guids):
        twice = sorted({guid for guid in guids if guids.count(guid) > 1})
        raise FlashcardsError(f"the same note twice in one write: {', '.join(twice[:5])}")
    unknown = guids if known is None else [guid for guid in guids if guid not in known]
    others = _foreign_guids(col, unknown) if unknown else set()
    if others:
        raise FlashcardsError(f"Anki has notes of another note type with our GUIDs: {', '.join(sorted(others)[:5])}")
    notetype = ensure_note_type(col)
    existing = NoteIds()
    if known is not None:
        existing.update((guid, known[guid]) for guid in guids if guid in known)
    if unknown:
        existing.update(note_cards(col, unknown))
    deck_ids: dict[str, int] = {}
    for want, guid in zip(notes, guids, strict=True):  # `guid`: the string `existing` holds, not a copy of it
        if len(want.fields) != len(FIELDS):
            raise FlashcardsError(f"note {want.guid}: {len(want.fields)} fields, the note type has {len(FIELDS)}")
        if want.deck not in deck_ids:
            deck_ids[want.deck] = col.decks.id(want.deck, create=True)
        deck_id = deck_ids[want.deck]
        if want.guid not in existing:
            note = col.new_note(notetype)
            note.guid = want.guid
            note.fields = list(want.fields)
            note.tags = list(want.tags)
            col.add_note(note, deck_id)
            existing[guid] = (note.id, note.card_ids()[0])
            result.notes_added.append(guid)
            continue
        note_id, card_id = existing[want.guid]
        note = col.get_note(note_id)
        changed = False
        tags = [*want.tags, *(tag for tag in note.tags if tag.casefold() in ANKI_OWN_TAGS)]
        if not (_same_fields(note.fields, want.fields) and _same_tags(note.tags, tags)):
            note.fields = list(want.fields)
            note.tags = tags
            col.update_note(note)
            changed = True
        card = col.get_card(card_id)
        home = "odid" if card.odid else "did"
        if getattr(card, home) != deck_id:
            setattr(card, home, deck_id)
            col.update_card(card)  # not set_deck: that would recompute other cards' memory states
            changed = True
        if changed:
            result.notes_updated.append(want.guid)
    return existing


def _foreign_guids(col: Any, guids: list[str]) -> set[str]:
    wanted = set(guids)  # one pass, filtered here: notes.guid has no index (see live_read.note_cards)
    return {guid for guid in col.db.list("select guid from notes where mid != ?", MODEL_ID) if guid in wanted}


def _write_reviews(col: Any, reviews: Sequence[ReviewWrite], cards: Mapping[str, tuple[int, int]], result: WriteResult) -> None:
    """Add the answers to Anki's review log, _REVIEW_CHUNK at a time (rows written earlier in the transaction
    count as present for later ones: an answer is never added twice)."""
    for start in range(0, len(reviews), _REVIEW_CHUNK):
        part = reviews[start:start + _REVIEW_CHUNK]
        ids = [_ms(review.answered_at, review.guid) for review in part]
        present = existing_review_ids(col, ids)
        rows = []
        for review, rid in zip(part, ids, strict=True):
            if rid in present:
                result.reviews_present += 1
                continue
            if review.guid not in cards:
                raise FlashcardsError(f"Anki has no note with GUID {review.guid} for the answer at {review.answered_at}")
            if review.ease not in (1, 2, 3, 4) or review.kind not in REVIEW_KINDS[:4]:
                raise FlashcardsError(f"answer at {review.answered_at} on {review.guid}: rating {review.ease}, "
                                      f"kind {review.kind!r} (want 1-4 and one of {', '.join(REVIEW_KINDS[:4])})")
            if review.taken_ms < 0:
                raise FlashcardsError(f"answer at {review.answered_at} on {review.guid}: negative time taken")
            present.add(rid)
            rows.append((rid, cards[review.guid][1], -1, review.ease, review.interval, review.last_interval,
                         review.factor, review.taken_ms, REVIEW_KINDS.index(review.kind)))
        if rows:
            col.db.executemany(
                "insert into revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type) values (?,?,?,?,?,?,?,?,?)",
                rows,
            )
        result.reviews_added += len(rows)


def _ms(moment: datetime, guid: str) -> int:
    if moment.tzinfo is None:
        raise FlashcardsError(f"{guid}: a time without a time zone ({moment}); times must be UTC")
    return round(moment.timestamp() * 1000)


def _check(schedule: ScheduleWrite) -> None:
    """One clear line for a schedule Anki could not use."""
    problems = []
    if schedule.state not in STATES:
        problems.append(f"state {schedule.state!r}")
    if schedule.state != "new" and (schedule.due is None or schedule.due.tzinfo is None):
        problems.append(f"due {schedule.due} (a UTC time is needed)")
    if min(schedule.interval_days, schedule.reps, schedule.lapses) < 0:
        problems.append("a negative interval, reps or lapses")
    if (schedule.stability is None) != (schedule.difficulty is None):
        problems.append("stability and difficulty must be given together")
    if schedule.stability is not None and not (math.isfinite(schedule.stability) and schedule.stability > 0):
        problems.append(f"stability {schedule.stability}")
    if schedule.difficulty is not None and not (1 <= schedule.difficulty <= 10):
        problems.append(f"difficulty {schedule.difficulty} (Anki's range is 1-10)")
    if schedule.desired_retention is not None and not (0 < schedule.desired_retention < 1):
        problems.append(f"desired retention {schedule.desired_retention}")
    if schedule.last_review is not None and schedule.last_review.tzinfo is None:
        problems.append("last review without a time zone")
    if problems:
        raise FlashcardsError(f"schedule for {schedule.guid}: {'; '.join(problems)}")


def _write_schedule(col: Any, card_id: int, want: ScheduleWrite, days: AnkiDays) -> bool:
    """Set one card's scheduling; False (and nothing written) when it already is so."""
    from anki.cards import FSRSMemoryState

    _check(want)
    card = col.get_card(card_id)
    before = {key: getattr(card, key) for key in (*_CARD_KEYS, *_FLOAT_KEYS, "last_review_time")}
    memory_before = card.memory_state
    kind = STATES.index(want.state)
    if card.odid:  # out of a filtered deck, back home: its due is ours now
        card.did, card.odid, card.odue = card.odid, 0, 0
    if kind == 0:
        queue = QUEUE_NEW
        if card.type != 0:
            card.due = (col.db.scalar("select max(due) from cards where type = 0 and odid = 0") or 0) + 1
    else:
        due = want.due
        assert due is not None  # _check() refused a card past new without one
        if kind == 2:
            queue, card.due = QUEUE_REVIEW, days.day_of(due)
        elif due.timestamp() < days.cutoff:
            queue, card.due = QUEUE_LEARN, int(due.timestamp())
        else:
            queue, card.due = QUEUE_DAY_LEARN, days.day_of(due)
    if card.type != kind:
        card.left = 1 if kind in (1, 3) else 0
    card.type = kind
    card.queue = QUEUE_SUSPENDED if want.suspended else QUEUE_MANUALLY_BURIED if want.buried else queue
    card.ivl, card.reps, card.lapses = want.interval_days, want.reps, want.lapses
    if kind != 0 and card.factor == 0:
        card.factor = DEFAULT_EASE
    # rounded as Anki rounds them in the card's data, so an unchanged value compares equal
    card.memory_state = None if want.stability is None or want.difficulty is None else FSRSMemoryState(
        stability=round(want.stability, 4), difficulty=round(want.difficulty, 3)
    )
    card.desired_retention = _round(want.desired_retention, 2)
    card.decay = _round(want.decay, 3)
    card.last_review_time = None if want.last_review is None else int(want.last_review.timestamp())
    if _unchanged(card, before, memory_before):
        return False
    col.update_card(card)  # the backend stamps mtime and usn -1: AnkiWeb uploads it on the next sync
    return True


def _round(value: float | None, places: int) -> float | None:
    return None if value is None else round(value, places)


def _close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-6)  # Anki keeps these as 32-bit floats


def _unchanged(card: Any, before: dict, memory_before: Any) -> bool:
    if any(getattr(card, key) != before[key] for key in (*_CARD_KEYS, "last_review_time")):
        return False
    if not all(_close(getattr(card, key), before[key]) for key in _FLOAT_KEYS):
        return False
    after = card.memory_state
    if after is None or memory_before is None:
        return after is None and memory_before is None
    return _close(after.stability, memory_before.stability) and _close(after.difficulty, memory_before.difficulty)
