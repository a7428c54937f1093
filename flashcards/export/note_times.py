"""Each note's modification time: when its card's content, or what its deck adds, last changed.

Anki updates a note on import only when the package's copy is newer, so a re-import touches exactly the notes
edited since the last export. Times are worked out before the package is written and recorded after; each
card's own time comes along with it as the package is written (notes.py).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from ..anki.package_out import anki_deck_names, deck_fingerprint
from ..decks.open_decks import OpenDeck
from ..store import Store


@dataclass
class NoteTimes:
    """Each deck's (key, fingerprint, time): what its notes are no older than, to record after the export."""

    decks: list[tuple[str, str, int]] = field(default_factory=list)

    def deck_time(self, key: str) -> int:
        """The time of what the deck with this store key adds to its notes."""
        return next(deck_time for deck_key, _, deck_time in self.decks if deck_key == key)


def note_times(store: Store, decks: list[OpenDeck], parent: str | None, now: int | None = None) -> NoteTimes:
    """The decks' times for an export of `decks` (nothing is written); a note's time is the later of its card's
    and its deck's."""
    now = int(time.time()) if now is None else now
    times = NoteTimes()
    for deck, name in zip(decks, anki_deck_names(decks, parent), strict=True):
        fingerprint = deck_fingerprint(name, deck.tags)
        times.decks.append((deck.key, fingerprint, store.deck_export_time(deck.key, fingerprint, now)))
    return times


def record_note_times(store: Store, times: NoteTimes) -> None:
    """Remember the decks' times once their package is written."""
    for key, fingerprint, deck_time in times.decks:
        store.record_deck_export(key, fingerprint, deck_time)
