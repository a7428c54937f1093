"""Each card's whole history in the compact form fsrs-rs reads, kept beside the review log so that recomputing
memory states does not read and group the whole log again: a cache of the log, always rebuildable from it.

memory_history has a row per card that is not new and has answers: 8 hex digits per answer in (time, id) order,
each 4 * the study days since the answer before (0 for the first) + rating - 1, as a big-endian uint32; NULL
when the history cannot be written so (a rating not 1-4, a study day before the one of the answer before): such
a card is read from the log every time. memory_history_days holds the day shifts the study days were counted
with (scheduling/studydays.day_shifts) and the span of the log they were made for.

The one rule that keeps it equal to the log: a card's row exists only while its log is as it was when the row
was written. Triggers on review_log delete the row of a card one of whose answers is inserted, deleted or
changed, whoever writes it (an answer, undo, import-anki, sync, check --repair); each read (chunks()) first
writes the rows that are missing, from the log, inside the caller's transaction. The whole cache is emptied
when the day shifts differ from the stored ones over the answers it holds (another rollover hour or time zone),
or when a trigger is missing (a restored backup has neither triggers nor rows).
"""

from __future__ import annotations

import json
import sqlite3
import sys
from array import array
from collections.abc import Iterator, Sequence
from itertools import accumulate, chain, islice, pairwise, repeat
from operator import and_, sub
from typing import NamedTuple

from . import memory_log
from .rows import marks

_TOP = 0xFFFFFFFF  # the largest key 8 hex digits hold
_DAY_PART = repeat(-4)  # & -4: a logged value's day part (4 * study day)
_CHUNK = 500  # card ids per query
TRIGGERS = {
    "memory_history_insert": "AFTER INSERT ON review_log BEGIN "
                             "DELETE FROM memory_history WHERE card_id = NEW.card_id; END",
    "memory_history_delete": "AFTER DELETE ON review_log BEGIN "
                             "DELETE FROM memory_history WHERE card_id = OLD.card_id; END",
    "memory_history_update": "AFTER UPDATE OF id, card_id, reviewed_at, rating ON review_log BEGIN "
                             "DELETE FROM memory_history WHERE card_id IN (OLD.card_id, NEW.card_id); END",
}


class HistoryChunk(NamedTuple):
    """Cards in card order: their ids and answer counts as JSON lists; `keys` their histories laid end to end
    (hex, see the docstring). `counts` and `keys` are None for cards to be read from the log one by one."""

    ids: str
    counts: str | None
    keys: str | None


def create(db: sqlite3.Connection) -> None:
    """The cache's tables and triggers (a migration)."""
    db.execute("CREATE TABLE memory_history (card_id TEXT PRIMARY KEY, keys TEXT) WITHOUT ROWID")
    db.execute("CREATE TABLE memory_history_days (id INTEGER PRIMARY KEY CHECK (id = 0), first_ms INTEGER NOT NULL, "
               "last_ms INTEGER NOT NULL, shifts TEXT NOT NULL)")
    _create_triggers(db)


def _create_triggers(db: sqlite3.Connection) -> None:
    for name, body in TRIGGERS.items():
        db.execute(f"CREATE TRIGGER IF NOT EXISTS {name} {body}")


# cards that are not new with their cached history (cached NULL: no row yet), in card order
_SELECT = ("SELECT s.card_id AS card_id, m.card_id AS cached, m.keys AS keys FROM schedule s "
           "LEFT JOIN memory_history m ON m.card_id = s.card_id WHERE s.state != 0")
_COLUMNS = ("count(*), max(card_id), json_group_array(card_id) FILTER (WHERE cached IS NULL), "
            "json_group_array(card_id) FILTER (WHERE keys != ''), json_group_array(length(keys) / 8) FILTER (WHERE "
            "keys != ''), coalesce(group_concat(keys, ''), ''), "
            "json_group_array(card_id) FILTER (WHERE cached IS NOT NULL AND keys IS NULL)")


def chunks(db: sqlite3.Connection, shifts: Sequence[tuple[int, int]], card_ids: Sequence[str] | None = None,
           chunk: int | None = None) -> Iterator[HistoryChunk]:
    """The histories of every card that is not new and has answers (only of `card_ids` when given), about `chunk`
    cards at a time, from the cache. Inside the caller's transaction: a chunk's missing rows are written from the
    log first, study days counted with `shifts` (day_shifts over the whole log's span)."""
    if memory_log.log_span(db) is None:
        return
    _validate(db, shifts)
    size = chunk or memory_log.CHUNK
    if card_ids is None:
        after = ""
        while True:
            query, args = f"SELECT {_COLUMNS} FROM ({_SELECT} AND s.card_id > ? ORDER BY s.card_id LIMIT ?)", [after, size]
            row = _read(db, shifts, query, args)
            yield from _chunks(row)
            if row[0] < size:
                return
            after = row[1]
    wanted = sorted(set(card_ids))
    step = min(_CHUNK, size)
    for start in range(0, len(wanted), step):
        part = wanted[start:start + step]
        yield from _chunks(_read(db, shifts, f"SELECT {_COLUMNS} FROM ({_SELECT} AND s.card_id IN ({marks(part)}))", part))


def _read(db: sqlite3.Connection, shifts: Sequence[tuple[int, int]], query: str, args: list) -> tuple:
    """A chunk's row, its missing histories written first (the chunk read again then)."""
    row = db.execute(query, args).fetchone()
    if row[2] == "[]":
        return row
    missing = json.loads(row[2])
    for ids_json, histories_json in memory_log.log_history_chunks(db, shifts, missing):
        db.executemany("INSERT INTO memory_history VALUES (?, ?)",
                       zip(json.loads(ids_json), _hex_keys(histories_json), strict=True))
    db.execute("INSERT OR IGNORE INTO memory_history SELECT value, '' FROM json_each(?)", (row[2],))  # no answers
    return db.execute(query, args).fetchone()


def _chunks(row: tuple) -> Iterator[HistoryChunk]:
    _, _, _, ids, counts, keys, odd = row
    if ids != "[]":
        yield HistoryChunk(ids, counts, keys)
    if odd != "[]":  # a few cards, read from the log one by one
        yield HistoryChunk(odd, None, None)


def _validate(db: sqlite3.Connection, shifts: Sequence[tuple[int, int]]) -> None:
    """Empty the cache when its day shifts or triggers are not what they must be (see the docstring); then the
    stored shifts are these, over the log's span now."""
    span = memory_log.log_span(db)
    assert span is not None
    stored = db.execute("SELECT first_ms, last_ms, shifts FROM memory_history_days").fetchone()
    triggers = db.execute(f"SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name IN "
                          f"({marks(TRIGGERS)})", list(TRIGGERS)).fetchone()[0]
    if stored is None or triggers != len(TRIGGERS) or not same_days(
            [tuple(pair) for pair in json.loads(stored[2])], shifts, max(stored[0], span[0]), min(stored[1], span[1])):
        db.execute("DELETE FROM memory_history")
        _create_triggers(db)
    if stored is None or list(stored) != [*span, json.dumps(shifts)]:
        db.execute("INSERT OR REPLACE INTO memory_history_days VALUES (0, ?, ?, ?)", (*span, json.dumps(shifts)))


def same_days(old: Sequence[tuple[int, int]], new: Sequence[tuple[int, int]], first_ms: int, last_ms: int) -> bool:
    """Whether two lists of day shifts ([(from ms, shift ms)] in time order, the first from any earlier moment)
    give every moment from first_ms to last_ms the same shift."""
    if first_ms > last_ms:
        return True

    def shift_at(shifts: Sequence[tuple[int, int]], ms: int) -> int:
        return next((shift for start, shift in reversed(shifts) if start <= ms), shifts[0][1])

    moments = {first_ms, *(start for start, _ in chain(old, new) if first_ms < start <= last_ms)}
    return all(shift_at(old, ms) == shift_at(new, ms) for ms in moments)


def _hex_keys(histories_json: str) -> list[str | None]:
    """Each card's keys in hex (None: not writable so) from the log's JSON histories (memory_log: per card
    [4 * first study day, then 4 * study day + rating - 1 per answer]; an "x" for a rating not 1-4)."""
    try:
        histories = json.loads(histories_json)
    except ValueError:
        return [_card_hex(piece) for piece in _pieces(histories_json)]
    lengths = list(map(len, histories))
    values = list(chain.from_iterable(histories))
    keys = array("q", map(sub, islice(values, 1, None), map(and_, values, _DAY_PART)))
    ends = list(map(sub, accumulate(lengths), repeat(1)))  # each card's last key is junk (the next card's start)
    for end in ends[:-1]:
        keys[end] = 0
    if keys and (min(keys) < 0 or max(keys) > _TOP):
        return [_card_hex(json.dumps(history)) for history in histories]
    text = _hex(keys)
    return list(map(text.__getitem__, map(slice, map((8).__mul__, accumulate(lengths, initial=0)),
                                           map((8).__mul__, ends))))


def _card_hex(piece: str) -> str | None:
    """One card's keys in hex from its JSON history, or None."""
    try:
        values = json.loads(piece)
    except ValueError:
        return None
    if not all(type(value) is int for value in values):
        return None
    keys = [after - (before & -4) for before, after in pairwise(values)]
    return _hex(keys) if keys and min(keys) >= 0 and max(keys) <= _TOP else None


def _hex(keys) -> str:
    words = array("I", keys)
    if sys.byteorder == "little":
        words.byteswap()
    return words.tobytes().hex()


def _pieces(histories_json: str) -> list[str]:
    """The cards' histories of a chunk's JSON that no JSON reader takes whole."""
    import re

    return re.findall(r"\[[^\[\]]*\]", histories_json[1:-1])
