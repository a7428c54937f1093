"""What changed in an open Anki collection since a moment we marked, read without reading the collection whole.

What Anki keeps that tells (read in rslib, checked with the anki package):

- Every card and note carries `mod` (epoch seconds, stamped by the backend on each change, to the second) and
  `usn`: -1 for a change made in this collection and not yet synced with AnkiWeb; a normal AnkiWeb sync gives
  what it uploads the server's usn and keeps the server's on what it downloads, both at least the `col.usn` of
  any moment before it (the sync then sets `col.usn` past them). So a row changed after a mark has `mod` at
  or past the mark's second, or `usn` at or past the mark's `col.usn`. Rows stamped in the mark's own second are
  told apart by a digest of each taken with the mark (`edge`): nothing else can write while the sync holds the
  collection, so a row of that second whose digest still matches is as the sync left it.
- Review log rows have no `mod`: an answer in Anki changes its card too (reps, due, queue), and its row's id is
  its moment; rows with an id past the mark's largest, or a usn past the mark's, are new. Rows that stay are
  checked by count and sum of ids, split by usn as they were (synced before the mark, or pending): a row
  inserted with an old id (an import, another program's SQL) or removed fails the check.
- After an AnkiWeb sync, what it uploaded carries its usn too, and would all be read again. Not when that sync
  was the first since the mark and sent exactly the rows pending at the mark (sync --web's push, or Anki desktop
  syncing after a sync of ours): then the rows with the mark's own usn are those rows, as they were (a sync that
  came after another device's has a later usn for what it sends, and only what was sent has the mark's usn). It
  is told by the count and sum of ids of the rows with that usn, which must be the mark's pending rows' in each of
  the review log (not empty: the log's ids, moments, are ours alone), the cards and the notes. Likewise a full
  upload of the collection as the mark left it (sync --web to a server with nothing yet): it sets `scm` and puts
  every pending row at usn 0, so the log rows at usn 0 are then the mark's at 0 and its pending ones (log rows
  are never rewritten; a card or note changed since has a later usn or `mod`). The edge digests leave the usn
  out: a row only sent up is the row it was.
- Raw SQL through `col.db` stamps nothing (neither `mod` nor `col.mod`); only the checks above see it.
- A collection replaced (a full download from AnkiWeb, a backup restored: the file is renamed over), any other
  change of the schema time `scm` (another full sync, a schema change), a `col.usn` gone back, our note type
  edited, a synced deck renamed, a note of our note type added or deleted, a log row moved: the mark says nothing
  sure, and `changes_since` says why instead.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from .note_type import MODEL_ID

CHUNK = 500  # ids per IN (...) query
_MASK = 1 << 32  # ids summed modulo this: exact in SQLite's 64-bit integers for any collection
_TABLES = ("revlog", "cards", "notes")
# what a row's digest is taken of: all but its usn
CARD_COLUMNS = "id, nid, did, ord, mod, type, queue, due, ivl, factor, reps, lapses, left, odue, odid, flags, data"
NOTE_COLUMNS = "id, guid, mid, mod, tags, flds, sfld, csum, flags, data"


@dataclass
class CollectionMark:
    """A collection as a sync left it (plain values, kept as JSON in the store)."""

    file: list[int]  # (st_dev, st_ino): another file renamed over the collection is another collection
    crt: int
    scm: int
    usn: int  # col.usn: what a later AnkiWeb sync stamps is at least this
    second: int  # epoch seconds when the mark was taken
    revlog_max: int
    revlog_synced: list[int]  # (count, sum of ids) of the log rows with 0 <= usn < `usn`
    revlog_pending: list[int]  # the same for usn -1
    cards_pending: list[int]  # (count, sum of ids) of the cards with usn -1
    notes_pending: list[int]  # the same for the notes
    at_zero: list[list[int]]  # (count, sum of ids) of the log rows with usn 0 (then cards, notes)
    notes: list[int]  # (count, sum of note ids, sum of card ids) of our note type's notes and their cards
    notetype: list[int] | None  # [mtime] of our note type; None when the collection has none
    decks: dict[str, int | None]  # each synced deck name's id (None: no such deck)
    edge: dict[str, dict[str, str]] = field(default_factory=dict)  # "cards"/"notes": id -> digest, mod == second

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> CollectionMark:
        return cls(**data)


@dataclass
class Touched:
    """Rows of the collection changed since a mark: cards by id (note id, GUID, note type id, home deck id), and
    the notes among them changed themselves (not only their card)."""

    cards: dict[int, tuple[int, str, int, int]] = field(default_factory=dict)
    notes: set[int] = field(default_factory=set)


def _marks(count: int) -> str:
    return ",".join("?" * count)


def _chunks(values: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def row_digest(row: Sequence[Any]) -> str:
    return hashlib.blake2b(repr(tuple(row)).encode("utf-8"), digest_size=12).hexdigest()


def _file(col: Any) -> list[int]:
    stat = os.stat(col.path)
    return [stat.st_dev, stat.st_ino]


def _col_row(col: Any) -> tuple[int, int, int]:
    crt, scm, usn = col.db.first("select crt, scm, usn from col")
    return crt, scm, usn


def _digest(col: Any, table: str, where: str, *args: int) -> list[int]:
    count, total = col.db.first(f"select count(), coalesce(sum(id % {_MASK}), 0) from {table} where {where}", *args)
    return [count, total]


def _revlog_digest(col: Any, where: str, *args: int) -> list[int]:
    return _digest(col, "revlog", where, *args)


def _notes_digest(col: Any) -> list[int]:
    count, notes, cards = col.db.first(
        f"select count(), coalesce(sum(n.id % {_MASK}), 0), coalesce(sum(c.id % {_MASK}), 0) from notes n "
        "join cards c on c.nid = n.id where n.mid = ?", MODEL_ID)
    return [count, notes, cards]


def _notetype(col: Any) -> list[int] | None:
    """When our note type was last changed (its usn left out: a sync that sends it up changes nothing in it)."""
    mtime = col.db.scalar("select mtime_secs from notetypes where id = ?", MODEL_ID)
    return None if mtime is None else [mtime]


def _deck_ids(col: Any, names: Iterable[str]) -> dict[str, int | None]:
    return {name: col.decks.id_for_name(name) or None for name in names}


def take_mark(col: Any, deck_names: Iterable[str], second: int) -> CollectionMark:
    """The collection as it is now (after the sync's write), `second` being now (epoch seconds)."""
    crt, scm, usn = _col_row(col)
    edge = {
        "cards": {str(row[0]): row_digest(row) for row in
                  col.db.all(f"select {CARD_COLUMNS} from cards where mod >= ?", second)},
        "notes": {str(row[0]): row_digest(row) for row in
                  col.db.all(f"select {NOTE_COLUMNS} from notes where mod >= ?", second)},
    }
    return CollectionMark(
        file=_file(col), crt=crt, scm=scm, usn=usn, second=second,
        revlog_max=col.db.scalar("select coalesce(max(id), 0) from revlog"),
        revlog_synced=_revlog_digest(col, "usn >= 0 and usn < ?", usn),
        revlog_pending=_revlog_digest(col, "usn = -1"),
        cards_pending=_digest(col, "cards", "usn = -1"), notes_pending=_digest(col, "notes", "usn = -1"),
        at_zero=[_digest(col, table, "usn = 0") for table in _TABLES],
        notes=_notes_digest(col), notetype=_notetype(col), decks=_deck_ids(col, deck_names), edge=edge,
    )


def changes_since(col: Any, mark: CollectionMark, deck_names: Iterable[str], horizon_ms: int) -> Touched | str:
    """The cards and notes changed since `mark` (any note type: the caller keeps its own), or why the collection
    may have changed in a way the mark cannot tell (see the module's docstring). `horizon_ms`: log rows past it
    were no answers at the mark (dated ahead) and may be now; their cards count as touched."""
    crt, scm, usn = _col_row(col)
    if _file(col) != list(mark.file) or crt != mark.crt:
        return "another collection file"
    uploaded = scm != mark.scm and _uploaded_whole(col, mark)
    if (scm != mark.scm and not uploaded) or usn < mark.usn:
        return "a full sync or a schema change"
    if _notetype(col) != (None if mark.notetype is None else list(mark.notetype)):
        return "the note type changed"
    if _deck_ids(col, deck_names) != mark.decks:
        return "a deck renamed, added or removed"
    if _notes_digest(col) != list(mark.notes):
        return "notes added or removed"
    if uploaded:  # the rows at usn 0 are checked (_uploaded_whole); those synced before, past 0, are as they were
        zero = mark.at_zero[0]
        if _revlog_digest(col, "usn > 0 and usn < ?", mark.usn) != [mark.revlog_synced[0] - zero[0],
                                                                    mark.revlog_synced[1] - zero[1]]:
            return "the review log changed"
    elif _revlog_digest(col, "usn >= 0 and usn < ?", mark.usn) != list(mark.revlog_synced):
        return "the review log changed"
    synced_since = usn != mark.usn  # an AnkiWeb sync since: the pending rows of then now carry its usn
    if not synced_since and _revlog_digest(col, "usn = -1 and id <= ?", mark.revlog_max) != list(mark.revlog_pending):
        return "the review log changed"
    stamped = mark.usn  # rows with a usn from here on came in (or went up) with a sync since the mark
    if uploaded or (synced_since and _sent_what_was_pending(col, mark)):
        stamped = mark.usn + 1
    touched = Touched()
    edge_cards, edge_notes = mark.edge.get("cards", {}), mark.edge.get("notes", {})
    card_ids: set[int] = set()
    for row in col.db.all(f"select {CARD_COLUMNS} from cards where mod >= ? or usn >= ?", mark.second, stamped):
        if edge_cards.get(str(row[0])) != row_digest(row):
            card_ids.add(row[0])
    note_ids: set[int] = set()
    for row in col.db.all(f"select {NOTE_COLUMNS} from notes where mod >= ? or usn >= ?", mark.second, stamped):
        if edge_notes.get(str(row[0])) != row_digest(row):
            note_ids.add(row[0])
    after = min(mark.revlog_max, horizon_ms)
    pending = " or usn = -1" if synced_since else ""  # after a sync, a pending row is one made since
    card_ids.update(col.db.list(f"select distinct cid from revlog where id > ? or usn >= ?{pending}", after, stamped))
    touched.notes = note_ids
    for chunk in _chunks(sorted(note_ids)):
        card_ids.update(col.db.list(f"select id from cards where nid in ({_marks(len(chunk))})", *chunk))
    for chunk in _chunks(sorted(card_ids)):
        for card_id, note_id, guid, note_type, home in col.db.all(
                f"select c.id, c.nid, n.guid, n.mid, case when c.odid != 0 then c.odid else c.did end "
                f"from cards c join notes n on n.id = c.nid where c.id in ({_marks(len(chunk))})", *chunk):
            touched.cards[card_id] = (note_id, guid, note_type, home)
    return touched


def _sent_what_was_pending(col: Any, mark: CollectionMark) -> bool:
    """Whether the first sync since the mark sent up exactly the rows pending at the mark, and brought nothing in
    with the mark's usn (see the module's docstring)."""
    return (mark.revlog_pending[0] > 0
            and _revlog_digest(col, "usn = ?", mark.usn) == list(mark.revlog_pending)
            and _digest(col, "cards", "usn = ?", mark.usn) == list(mark.cards_pending)
            and _digest(col, "notes", "usn = ?", mark.usn) == list(mark.notes_pending))


def _uploaded_whole(col: Any, mark: CollectionMark) -> bool:
    """Whether the collection went up whole as the mark left it (a full upload): the log rows pending at the mark
    (there must be some) are at usn 0 with those that were there, and none else. Log rows are never rewritten, so
    that holds after later syncs too; cards and notes sent whole may have been changed since by a later sync
    (their usn is then past the mark's) or here (usn -1, a later `mod`), and are read as any change is."""
    zero, sent = mark.at_zero[0], mark.revlog_pending
    return sent[0] > 0 and _revlog_digest(col, "usn = 0") == [zero[0] + sent[0], zero[1] + sent[1]]


def notes_as_they_are(col: Any, note_ids: Sequence[int]) -> dict[int, tuple[str, int]]:
    """note id -> (GUID, first card's id) of those of these notes the collection has."""
    found: dict[int, tuple[str, int]] = {}
    for chunk in _chunks(list(note_ids)):
        for note_id, guid, card_id in col.db.all(
                f"select n.id, n.guid, c.id from notes n join cards c on c.nid = n.id where n.id in "
                f"({_marks(len(chunk))}) order by c.ord", *chunk):
            found.setdefault(note_id, (guid, card_id))
    return found
