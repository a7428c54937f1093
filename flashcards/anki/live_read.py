"""Reading our notes, their cards' scheduling and their review log out of an open Anki collection.

Our notes are those of our note type (note_type.MODEL_ID). A card that came from a note made in Anki (brought by
`import-anki --deck`) keeps that note, of the person's own note type, under its GUID: `their_notes` finds those,
and `note_cards` finds both kinds, so answers and schedules are written to that note's first card."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

from .live_model import (
    QUEUE_MANUALLY_BURIED,
    QUEUE_SIBLING_BURIED,
    QUEUE_SUSPENDED,
    REVIEW_KINDS,
    STATES,
    TIMESTAMP_DUE,
    AnkiCard,
    AnkiDays,
    AnkiReview,
)
from .note_type import MODEL_ID

CHUNK = 500  # ids per IN (...) query, well under SQLite's variable limit


def _chunks(values: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def _marks(count: int) -> str:
    return ",".join("?" * count)


def our_notes(col: Any) -> dict[str, tuple[int, int]]:
    """GUID -> (note id, card id) of every note of our note type, in one pass: Anki has no index on
    notes.guid, so `guid in (...)` in chunks would scan the notes once per chunk (quadratic in the deck)."""
    found: dict[str, tuple[int, int]] = {}
    rows = col.db.all("select n.guid, n.id, c.id from notes n join cards c on c.nid = n.id where n.mid = ? "
                      "order by c.ord", MODEL_ID)
    for guid, note_id, card_id in rows:
        found.setdefault(guid, (note_id, card_id))
    return found


def their_notes(col: Any, guids: Iterable[str]) -> dict[str, tuple[int, int]]:
    """GUID -> (note id, first card's id) of the notes of other note types among `guids` (notes made in Anki
    that our cards came from), in one pass over the notes, filtered here (notes.guid has no index)."""
    wanted = set(guids)
    if not wanted:
        return {}
    found: dict[str, tuple[int, int]] = {}
    rows = col.db.all("select n.guid, n.id, c.id from notes n join cards c on c.nid = n.id where n.mid != ? "
                      "order by c.ord", MODEL_ID)
    for guid, note_id, card_id in rows:
        if guid in wanted:
            found.setdefault(guid, (note_id, card_id))
    return found


def note_cards(col: Any, guids: Iterable[str]) -> dict[str, tuple[int, int]]:
    """GUID -> (note id, card id) for the notes among `guids`: of our note type, or else the person's own note
    a card of ours came from (their_notes; looked for only when some GUID is not one of ours)."""
    everything = our_notes(col)
    wanted = list(dict.fromkeys(guids))
    found = {guid: everything[guid] for guid in wanted if guid in everything}
    missing = [guid for guid in wanted if guid not in found]
    if missing:
        found.update(their_notes(col, missing))
    return found


def our_guids_in_decks(col: Any, deck_names: list[str]) -> set[str]:
    """GUIDs of our notes whose cards live in these decks (a card in a filtered deck counts in its home deck)."""
    ids = [deck_id for deck_id in (col.decks.id_for_name(name) for name in deck_names) if deck_id]
    if not ids:
        return set()
    return set(col.db.list(
        f"select distinct n.guid from notes n join cards c on c.nid = n.id where n.mid = ? "
        f"and (case when c.odid != 0 then c.odid else c.did end) in ({_marks(len(ids))})",
        MODEL_ID, *ids,
    ))


def card_due(card: Any, days: AnkiDays) -> datetime | None:
    """When a (non-new) card is next due, as UTC; filtered decks keep the home due in `odue`."""
    due = card.odue if card.odid and card.odue else card.due
    if card.type == 0:
        return None
    if card.type in (1, 3) and due > TIMESTAMP_DUE:
        return datetime.fromtimestamp(due, UTC)
    return days.start(due)


def _secs(value: int | None) -> datetime | None:
    return None if value is None else datetime.fromtimestamp(value, UTC)


def anki_card(col: Any, guid: str, note_id: int, card_id: int, days: AnkiDays) -> AnkiCard:
    """One card as an AnkiCard (the note read through the backend, as Anki shows it)."""
    card = col.get_card(card_id)
    note = col.get_note(note_id)
    memory = card.memory_state
    home = card.odid or card.did
    return AnkiCard(
        guid=guid,
        note_id=note_id,
        card_id=card_id,
        fields=tuple(note.fields),
        tags=tuple(note.tags),
        deck=col.decks.name(home),
        state=STATES[card.type],
        suspended=card.queue == QUEUE_SUSPENDED,
        buried=card.queue in (QUEUE_SIBLING_BURIED, QUEUE_MANUALLY_BURIED),
        due=card_due(card, days),
        position=(card.odue if card.odid else card.due) if card.type == 0 else None,
        interval_days=card.ivl,
        stability=memory.stability if memory is not None else None,
        difficulty=memory.difficulty if memory is not None else None,
        desired_retention=card.desired_retention,
        decay=card.decay,
        reps=card.reps,
        lapses=card.lapses,
        last_review=_secs(card.last_review_time),
        mod=card.mod,
        note_mod=note.mod,
        in_filtered_deck=bool(card.odid),
    )


def read_our_cards(col: Any, guids: Iterable[str]) -> dict[str, AnkiCard]:
    """Our cards' notes among `guids` (see note_cards), by GUID; GUIDs Anki does not have are simply absent."""
    days = AnkiDays(col)
    return {
        guid: anki_card(col, guid, note_id, card_id, days)
        for guid, (note_id, card_id) in note_cards(col, guids).items()
    }


def read_reviews(col: Any, card_ids: Iterable[int]) -> list[AnkiReview]:
    """Anki's review log for these cards, oldest first. Manual rows (ease 0) are included, flagged."""
    reviews: list[AnkiReview] = []
    wanted = list(dict.fromkeys(card_ids))
    for chunk in _chunks(wanted):
        rows = col.db.all(
            f"select id, cid, ease, ivl, lastIvl, factor, time, type from revlog "
            f"where cid in ({_marks(len(chunk))})",
            *chunk,
        )
        for rid, cid, ease, ivl, last_ivl, factor, taken, kind in rows:
            name = REVIEW_KINDS[kind] if 0 <= kind < len(REVIEW_KINDS) else "manual"
            reviews.append(AnkiReview(rid, cid, ease, ivl, last_ivl, factor, taken, name))
    reviews.sort(key=lambda review: review.id)
    return reviews


def existing_review_ids(col: Any, ids: Sequence[int]) -> set[int]:
    """Which of these revlog ids Anki's log already holds (for any card)."""
    present: set[int] = set()
    for chunk in _chunks(list(ids)):
        present.update(col.db.list(f"select id from revlog where id in ({_marks(len(chunk))})", *chunk))
    return present
