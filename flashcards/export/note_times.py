"""Each note's modification time: when its card's content, or what its deck adds, last changed.

Anki updates a note on import only when the package's copy is newer, so a re-import touches exactly the notes
edited since the last export. Times are worked out before the package is written and recorded after.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from ..anki.package_out import anki_deck_names, deck_fingerprint
from ..decks.open_decks import OpenDeck
from ..store import Store


@dataclass
class NoteTimes:
    """card id -> note time (seconds), and each deck's (key, fingerprint, time) to record after the export."""

    notes: dict[str, int] = field(default_factory=dict)
    decks: list[tuple[str, str, int]] = field(default_factory=list)


def note_times(store: Store, decks: list[OpenDeck], parent: str | None, now: int | None = None) -> NoteTimes:
    """The note times for an export of `decks` (nothing is written)."""
    now = int(time.time()) if now is None else now
    times = NoteTimes()
    for deck, name in zip(decks, anki_deck_names(decks, parent), strict=True):
        fingerprint = deck_fingerprint(name, deck.tags)
        deck_time = store.deck_export_time(deck.key, fingerprint, now)
        times.decks.append((deck.key, fingerprint, deck_time))
        times.notes.update((card_id, max(card_time, deck_time)) for card_id, card_time in store.changed_times(deck.key).items())
    return times


def record_note_times(store: Store, times: NoteTimes) -> None:
    """Remember the decks' times once their package is written."""
    for key, fingerprint, deck_time in times.decks:
        store.record_deck_export(key, fingerprint, deck_time)
