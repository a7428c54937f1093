"""Which of our notes a write would move to another deck: each one's card's home deck now, and the deck it is to
be in, compared as `live_write` compares them (by deck id: Anki finds a deck by its name whatever the case, so
"Stoics" and "stoics" are one deck, and no move)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .live_model import NoteWrite
from .note_type import MODEL_ID


def deck_moves(col: Any, notes: Sequence[NoteWrite]) -> list[tuple[str, str, str]]:
    """(GUID, deck it is in, deck it would go to) for each note Anki has whose card writing `notes` would move;
    a card in a filtered deck counts in its home deck. Notes Anki lacks are added, not moved."""
    if not notes:
        return []
    homes: dict[str, int] = {}
    rows = col.db.all("select n.guid, case when c.odid != 0 then c.odid else c.did end from notes n "
                      "join cards c on c.nid = n.id where n.mid = ? order by c.ord", MODEL_ID)
    for guid, home in rows:
        homes.setdefault(guid, home)
    target_ids: dict[str, int | None] = {}
    names: dict[int, str] = {}
    moves = []
    for note in notes:
        home = homes.get(note.guid)
        if home is None:
            continue
        if note.deck not in target_ids:
            target_ids[note.deck] = col.decks.id_for_name(note.deck)
        if target_ids[note.deck] == home:
            continue
        if home not in names:
            names[home] = col.decks.name(home)
        moves.append((note.guid, names[home], note.deck))
    return moves
